/**
 * Cloud worker sessions: a request is a session, and work may outlive it only through
 * {@link dev.scheduler.cloud.ExecutionContext#waitUntil(dev.scheduler.Task) waitUntil}.
 *
 * <ul>
 *   <li>{@link dev.scheduler.cloud.SimulatedExecutionContext}: one worker on a single thread, for
 *       simulations and tests; {@link dev.scheduler.cloud.WorkerExecutionContext}: thread-safe, for
 *       real servers.
 *   <li>{@link dev.scheduler.cloud.WorkerSession}: a session's running and {@code waitUntil} tasks;
 *       {@link dev.scheduler.cloud.SessionState} and {@link dev.scheduler.cloud.SessionsSnapshot}:
 *       snapshots for metrics.
 *   <li>{@link dev.scheduler.cloud.SessionCleanupException}: a leak, naming each task;
 *       {@link dev.scheduler.cloud.CleanupPolicy}: what ending a leaking session does.
 * </ul>
 */
package dev.scheduler.cloud;
