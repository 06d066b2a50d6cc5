/**
 * Deterministic testing: {@link dev.scheduler.test.TestScheduler} runs every step on one thread, in
 * an order drawn from a seed, in virtual time, and reports deadlocks, non-determinism and lost
 * failures. {@link dev.scheduler.test.TestSchedulerConfig} configures it; {@link dev.scheduler.test.Seeds}
 * decides which seeds run and how to replay one. The JUnit 5 extension is in
 * {@code dev.scheduler.test.junit}.
 */
package dev.scheduler.test;
