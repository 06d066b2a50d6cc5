/**
 * JUnit 5 support: {@link dev.scheduler.test.junit.SchedulerTest} runs a test method once per seed
 * with a fresh {@link dev.scheduler.test.TestScheduler}. Needs {@code junit-jupiter-api} on the test
 * class path; nothing else in the library does.
 */
package dev.scheduler.test.junit;
