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
 *   <li>{@link #shutdownNow()} gives up on what is left: it cancels every unfinished task, so that
 *       whoever waits for one wakes at once with a {@link java.util.concurrent.CancellationException},
 *       and interrupts its body, which unwinds through its own steps. It drops every queued plain
 *       step and every pending timer, and says what it gave up; nothing is given up silently.
 *   <li>{@link #close()} waits for accepted tasks for the dispatcher's
 *       {@linkplain DispatcherOptions#shutdownTimeout() shutdown timeout}, gives up on the rest as
 *       {@code shutdownNow()} does and waits as long again for their bodies to unwind, logs what it
 *       gave up, and releases the dispatcher's threads and operating-system handles. It is
 *       idempotent. A step that never returns holds {@code close()} as it would hold
 *       {@link java.util.concurrent.ExecutorService#close()}.
 *   <li>After {@code close()}, no {@code join()} or {@code get()} of a task of the dispatcher can
 *       block: every task has finished or was cancelled. A body that was still parked never
 *       resumes; a continuation that arrives for it is dropped (and logged), never thrown onto the
 *       thread that woke it.
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

    /** {@return the options this dispatcher was created with: its background threads, its main loop, its shutdown timeout} */
    DispatcherOptions options();

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
     * Shuts down, if not yet done, cancels every unfinished task (interrupting its body) and drops
     * every queued plain step and pending timer; see the lifecycle above. Steps running at this
     * moment finish. Does not wait: use {@link #awaitTermination(Duration)}.
     *
     * @return what was given up
     */
    ShutdownReport shutdownNow();

    /**
     * Shuts down, waits up to the {@linkplain DispatcherOptions#shutdownTimeout() shutdown timeout}
     * for accepted tasks to finish, gives up on the rest (as {@link #shutdownNow()}) and waits as
     * long again for their bodies to unwind, logs what it gave up, stops the dispatcher's threads
     * and releases its operating-system handles. Calling it again does nothing.
     */
    @Override
    void close();

    /**
     * Closes the dispatcher as {@link #close()} does, but waits up to {@code timeout} (twice, at
     * most) instead of the shutdown timeout, and returns what it gave up instead of logging it.
     * Calling it again, or after {@link #close()}, does nothing and reports nothing.
     *
     * @param timeout how long accepted tasks may run on, and then how long cancelled ones may take
     *     to unwind; zero or positive
     * @return what was given up
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    ShutdownReport close(Duration timeout);
}
