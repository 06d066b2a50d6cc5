/**
 * A sample cloud worker: a Spring Boot web application whose requests are sessions, on the
 * scheduler starter.
 */
package dev.scheduler.sample.worker;
