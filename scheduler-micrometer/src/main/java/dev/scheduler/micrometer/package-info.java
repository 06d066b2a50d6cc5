/**
 * Micrometer binders for the scheduler's meters, in Micrometer's own style: one binder per
 * instrumented object, a public constructor, a {@code monitor} shortcut, meters named
 * {@code scheduler.*} (so they never collide with Spring Boot's {@code executor.*}) with a base
 * unit and a one-sentence description each, and removal of every meter a binder registered when it
 * is closed. They need no Spring: bind them to any {@code MeterRegistry}.
 *
 * <ul>
 *   <li>{@link dev.scheduler.micrometer.ExecutorMetrics}: one executor's tasks, tagged {@code executor}.
 *   <li>{@link dev.scheduler.micrometer.SchedulerQueueMetrics}: a scheduler's queue depths.
 *   <li>{@link dev.scheduler.micrometer.SessionMetrics}: cloud worker sessions.
 * </ul>
 */
package dev.scheduler.micrometer;
