/**
 * One way to run tasks: executors over a small scheduler SPI.
 *
 * <ul>
 *   <li>{@link dev.scheduler.Executor} runs background tasks; {@link dev.scheduler.ForegroundExecutor}
 *       runs tasks on one confined thread. Both spawn {@link dev.scheduler.Task}s whose bodies are
 *       plain blocking Java on virtual threads carried by the scheduler.
 *   <li>{@link dev.scheduler.Scheduler} is the SPI that dispatchers implement: it moves steps
 *       (a {@link java.lang.Runnable} and its {@link dev.scheduler.TaskMetadata}) onto threads.
 *   <li>Value types: {@link dev.scheduler.TaskId}, {@link dev.scheduler.TaskLabel},
 *       {@link dev.scheduler.Priority}, {@link dev.scheduler.SessionId},
 *       {@link dev.scheduler.QueueDepths}.
 *   <li>{@link dev.scheduler.TaskObserver} watches tasks come and go; an observer in scope travels
 *       with the tasks spawned under it.
 * </ul>
 *
 * <p>Tests run the same executors on {@code dev.scheduler.test.TestScheduler}; cloud workers
 * track requests with {@code dev.scheduler.cloud}.
 */
package dev.scheduler;
