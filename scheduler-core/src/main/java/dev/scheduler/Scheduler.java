package dev.scheduler;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Moves <em>steps</em> onto threads. This is the small, object-safe SPI that every dispatcher
 * implements: the native dispatchers in production and the deterministic {@code TestScheduler} in
 * tests. Applications do not call it directly; they spawn tasks on an {@link Executor} or a
 * {@link ForegroundExecutor}, which turn each task into steps.
 *
 * <p>A step is a {@link Runnable} plus the {@link TaskMetadata} of the task it belongs to: the first
 * step of a task starts its body; when a body blocks (joins another task, waits on a timer or a
 * lock) its virtual thread unmounts and the continuation comes back later as another step of the
 * same task.
 *
 * <p>Contract for implementations:
 * <ul>
 *   <li>Every accepted step runs exactly once, unless it is a timer step that was
 *       {@linkplain Cancellable#cancel() cancelled} first. A scheduler that can no longer accept
 *       steps throws {@link java.util.concurrent.RejectedExecutionException} instead.
 *   <li>A scheduler that closes and drops a step or timer it accepted, without running it, cancels
 *       that step if it is a {@link java.util.concurrent.Future} (as Spring's executors do with
 *       their remaining tasks on close), so that whoever waits for it wakes instead of waiting
 *       forever. The executors' timer steps are such futures.
 *   <li>A step that throws never kills the thread that ran it; what happens to the exception is the
 *       scheduler's to document. Task bodies never throw out of their steps: their failures reach
 *       the task.
 *   <li>{@link #schedule}, {@link #scheduleForeground}, {@link #scheduleAfter} and
 *       {@link Unparker#unpark()} are safe to call from any thread.
 *   <li>They are called from task bodies too, which are virtual threads the scheduler's own
 *       threads carry: they must not wait for those threads. A body that waits inside them (for a
 *       lock a carrier holds, say) unmounts, and its continuation comes back through them: a queue
 *       whose producers can wait for its consumers ({@code LinkedBlockingQueue}'s signalling takes
 *       the consumers' lock) can then lose the wake-up that would have run it. The dispatchers'
 *       queues take no lock.
 * </ul>
 *
 * <p>Memory consistency effects: actions in a thread before it schedules a step
 * <a href="https://docs.oracle.com/en/java/javase/25/docs/api/java.base/java/util/concurrent/package-summary.html#MemoryVisibility"><i>happen-before</i></a>
 * the step runs.
 */
public interface Scheduler {

    /**
     * The longest delay or timeout any scheduler accepts: 2<sup>62</sup> nanoseconds, about 146
     * years, the bound {@link java.util.concurrent.ScheduledThreadPoolExecutor} keeps its delays
     * under so that deadlines on {@link System#nanoTime()} never overflow. A longer duration is
     * refused rather than quietly taken as "never".
     */
    Duration MAX_DELAY = Duration.ofNanos(Long.MAX_VALUE >> 1);

    /**
     * Checks a delay or timeout as every scheduler and executor does.
     *
     * @param duration the duration to check
     * @param parameter the parameter's name, for the messages
     * @return {@code duration}
     * @throws NullPointerException naming {@code parameter}, if {@code duration} is null
     * @throws IllegalArgumentException naming {@code parameter}, if {@code duration} is negative or
     *     longer than {@link #MAX_DELAY}
     */
    static Duration requireDelay(Duration duration, String parameter) {
        Objects.requireNonNull(duration, parameter);
        if (duration.isNegative()) {
            throw new IllegalArgumentException(parameter + " must not be negative, was " + duration);
        }
        if (duration.compareTo(MAX_DELAY) > 0) {
            throw new IllegalArgumentException(parameter + " must be at most " + MAX_DELAY
                    + " (about 146 years), was " + duration);
        }
        return duration;
    }

    /**
     * Schedules a background step: it runs on some thread the scheduler owns, in an order the
     * scheduler chooses, weighted by the task's {@link Priority}.
     *
     * @param step the step to run
     * @param meta the task the step belongs to
     * @throws NullPointerException if {@code step} or {@code meta} is null
     * @throws java.util.concurrent.RejectedExecutionException if the scheduler is closed
     */
    void schedule(Runnable step, TaskMetadata meta);

    /**
     * Schedules a step on the confined thread of the foreground session {@code meta.session()}.
     * Steps of one session run in the order they were scheduled.
     *
     * <p>The default implementation throws: not every scheduler has a foreground thread.
     *
     * @param step the step to run
     * @param meta the task the step belongs to; its session is not null
     * @throws UnsupportedOperationException if this scheduler has no foreground thread
     * @throws java.util.concurrent.RejectedExecutionException if the scheduler is closed
     */
    default void scheduleForeground(Runnable step, TaskMetadata meta) {
        throw new UnsupportedOperationException(
                getClass().getSimpleName() + " has no foreground thread, so it cannot run "
                        + meta.describe() + " of " + meta.session());
    }

    /**
     * Runs {@code step} once {@code delay} has passed on this scheduler's clock ({@link #now()}),
     * never earlier. A zero delay means as soon as possible. The step runs on a scheduler thread
     * and must be short: typically it completes a task or wakes a parked body.
     *
     * @param delay how long to wait; zero or positive
     * @param step the step to run
     * @return a handle that withdraws the step if it has not run yet
     * @throws NullPointerException if {@code delay} or {@code step} is null
     * @throws IllegalArgumentException if {@code delay} is negative or longer than {@link #MAX_DELAY}
     * @throws java.util.concurrent.RejectedExecutionException if the scheduler is closed
     */
    Cancellable scheduleAfter(Duration delay, Runnable step);

    /**
     * Blocks the calling thread, which is not a task body, until its {@linkplain #unparker()
     * unparker} fires or {@code timeout} passes. A scheduler that owns the calling thread may run
     * steps meanwhile: the {@code TestScheduler} runs its whole simulation here.
     *
     * @param timeout the longest to wait; zero or positive
     * @return {@code true} if woken by the unparker, {@code false} if the timeout passed
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is negative or longer than {@link #MAX_DELAY}
     */
    boolean park(Duration timeout);

    /**
     * {@return an unparker for the calling thread: calling it from any thread wakes the calling
     * thread from {@link #park(Duration)}}
     */
    Unparker unparker();

    /**
     * Blocks the calling thread, which is not a task body, until {@code future} is done or
     * {@code timeout} passes: what {@code blockOn}, {@code join()} and {@code get()} do outside a
     * task. Task bodies never come here; they park their virtual thread.
     *
     * <p>The default parks the thread through {@link #park(Duration)} and {@link #unparker()},
     * woken by the future's completion, and fails at once if the caller is this scheduler's
     * {@linkplain #mainThread() main thread} waiting, with no timeout, for a foreground task only it
     * could run. The {@code TestScheduler} overrides it to run its whole simulation here, holding
     * back the steps of {@code session}.
     *
     * @param session the foreground session that is blocking, whose own steps the scheduler may hold
     *     back as a blocked UI thread would, or null
     * @param future what to wait for
     * @param timeout the longest to wait, or null for no limit
     * @return whether {@code future} is done
     * @throws IllegalStateException if the wait could never end
     */
    default boolean block(SessionId session, java.util.concurrent.Future<?> future, Duration timeout) {
        Objects.requireNonNull(future, "future");
        if (timeout != null) {
            requireDelay(timeout, "timeout");
        }
        return Blocking.parkThread(this, future, timeout);
    }

    /**
     * {@return the observer this scheduler wants told about every task spawned on it, if any} Each
     * executor tells it of each task's spawn, start and finish (see {@link TaskObserver}), before
     * its own observers and the one in scope: a dispatcher drains the tasks still running when it
     * shuts down, the {@code TestScheduler} names the pending ones in its reports. The default is
     * none.
     */
    default Optional<TaskObserver> taskObserver() {
        return Optional.empty();
    }

    /**
     * {@return whether the calling code runs on this scheduler's main (foreground) thread, that is
     * the confined thread itself or a foreground task it carries}
     */
    boolean isMainThread();

    /**
     * {@return the thread that runs this scheduler's foreground steps, if it has one} A
     * {@link ForegroundExecutor} for the scheduler's main loop is confined to it. The default is
     * empty: not every scheduler has a foreground thread.
     */
    default Optional<Thread> mainThread() {
        return Optional.empty();
    }

    /** {@return the current time on this scheduler's clock: the system clock, or virtual time in tests} */
    Instant now();

    /**
     * {@return the monotonic time, in nanoseconds from an arbitrary origin, of this scheduler's clock}
     * It is what the timed waits inside this scheduler's task bodies measure ({@code Thread.sleep},
     * the timed waits of {@code java.util.concurrent}), once the test agent routes their clock reads
     * here; it must move with {@link #now()}. The default is {@link System#nanoTime()}: a scheduler
     * on the system clock leaves the waits as the JDK has them.
     */
    default long nanoTime() {
        return System.nanoTime();
    }

    /**
     * Returns this scheduler as the given type, if it is one: the object-safe replacement for a
     * downcast, used to reach test hooks ({@code scheduler.as(Simulation.class)}, or the
     * {@code TestScheduler} itself). Wrapping schedulers delegate to what they wrap.
     *
     * @param type the type wanted
     * @param <T> the type wanted
     * @return this scheduler (or a view of it) as {@code type}, or empty
     * @throws NullPointerException if {@code type} is null
     */
    default <T> Optional<T> as(Class<T> type) {
        Objects.requireNonNull(type, "type");
        return type.isInstance(this) ? Optional.of(type.cast(this)) : Optional.empty();
    }

    /** {@return an approximate snapshot of the steps waiting in this scheduler's queues, for metrics} */
    QueueDepths queueDepths();

    /**
     * {@return whether executors should record where each task was spawned} Recording walks the
     * spawning stack (a microsecond or more) for each body that is not a lambda or method reference of
     * the application, and only the first time for one that is; production dispatchers leave it off
     * unless asked, and the {@code TestScheduler} turns it on so that deadlock and leak reports can
     * name spawn sites.
     */
    default boolean capturesSpawnSites() {
        return false;
    }

    /**
     * Reports the failure of a task nobody can join any more (a {@linkplain Task#detach() detached}
     * task), so that it is never lost. The default logs it at {@code ERROR} through
     * {@link System.Logger}; the {@code TestScheduler} turns it into a test failure.
     *
     * @param task the task that failed
     * @param failure what it threw
     */
    default void reportFailure(Task<?> task, Throwable failure) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(failure, "failure");
        System.getLogger(Scheduler.class.getName())
                .log(System.Logger.Level.ERROR, "Detached " + task.metadata().describe() + " failed", failure);
    }

    /**
     * Reports that a {@link TaskObserver} threw while it was told about {@code task}. The executor
     * carries on: the other observers are told, and the task runs and completes as if the observer
     * had returned. The default logs it at {@code ERROR}; the {@code TestScheduler} turns it into a
     * test failure.
     *
     * @param observer the observer that threw
     * @param task the task it was told about
     * @param failure what it threw
     */
    default void reportObserverFailure(TaskObserver observer, Task<?> task, Throwable failure) {
        Objects.requireNonNull(observer, "observer");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(failure, "failure");
        System.getLogger(Scheduler.class.getName()).log(System.Logger.Level.ERROR,
                "TaskObserver " + observer + " failed while it was told about " + task.metadata().describe(), failure);
    }
}
