package dev.scheduler.dispatch;

import dev.scheduler.Scheduler;
import java.time.Duration;

/**
 * A production {@link Scheduler}: real threads, the system clock, and a lifecycle. Every
 * dispatcher has background threads, one main loop thread for foreground steps, and timers.
 *
 * <p>Lifecycle, as {@link java.util.concurrent.ExecutorService}'s:
 * <ul>
 *   <li>{@link #shutdown()} stops accepting new tasks: a step of a task spawned after it throws
 *       {@link java.util.concurrent.RejectedExecutionException}. Tasks spawned before it keep
 *       running, and their later steps (a body resuming after a {@code join}) are still accepted.
 *   <li>{@link #awaitTermination(Duration)} waits until every task spawned on the dispatcher has
 *       finished, including tasks parked on a timer, and no step is queued or running. A timer
 *       alone does not hold termination back: the next run of a periodic job is no task yet.
 *   <li>{@link #shutdownNow()} drops whatever is still queued and every pending timer, and says
 *       what it dropped; nothing is dropped silently.
 *   <li>{@link #close()} does all three with the dispatcher's
 *       {@linkplain DispatcherOptions#shutdownTimeout() shutdown timeout}, logs what it had to
 *       drop, and releases the dispatcher's threads and operating-system handles. It is idempotent.
 * </ul>
 *
 * <p>Steps that throw never kill a dispatcher thread: a task's body never throws out of its steps
 * (its failure reaches its {@link dev.scheduler.Task}), and a plain step's exception goes to the
 * dispatcher's {@linkplain DispatcherOptions#uncaughtExceptionHandler() uncaught exception
 * handler}.
 */
public sealed interface Dispatcher extends Scheduler, AutoCloseable
        permits AbstractDispatcher {

    /** {@return a short name for logs and metrics: {@code linux}, {@code mac}, {@code windows} or {@code portable}} */
    String name();

    /**
     * Stops accepting new tasks; tasks already accepted run on. Does not wait: use
     * {@link #awaitTermination(Duration)}.
     */
    void shutdown();

    /** {@return whether {@link #shutdown()} (or {@link #close()}) has been called} */
    boolean isShutdown();

    /**
     * Waits until the dispatcher is shut down, every task spawned on it has finished and no step is
     * queued or running, or the timeout passes.
     *
     * @param timeout the longest to wait; zero or positive
     * @return whether the dispatcher terminated in time
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws InterruptedException if the calling thread is interrupted while waiting
     */
    boolean awaitTermination(Duration timeout) throws InterruptedException;

    /** {@return whether the dispatcher is shut down, every task on it has finished, and no step is queued or running} */
    boolean isTerminated();

    /**
     * Shuts down, if not yet done, and drops every queued step and pending timer. Steps running at
     * this moment finish; tasks that waited for a dropped step or timer never do, and the report
     * counts them.
     *
     * @return what was dropped
     */
    ShutdownReport shutdownNow();

    /**
     * Shuts down, waits up to the {@linkplain DispatcherOptions#shutdownTimeout() shutdown timeout}
     * for accepted tasks to finish, drops and logs what is left, stops the dispatcher's threads and
     * releases its operating-system handles. Calling it again does nothing.
     */
    @Override
    void close();

    /**
     * Closes the dispatcher as {@link #close()} does, but waits up to {@code timeout} instead of
     * the shutdown timeout, and returns what it dropped instead of logging it. Calling it again, or
     * after {@link #close()}, does nothing and reports nothing.
     *
     * @param timeout how long accepted tasks may run on; zero or positive
     * @return what was dropped
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    ShutdownReport close(Duration timeout);
}
