package dev.scheduler.cloud;

import dev.scheduler.Executor;
import dev.scheduler.ForegroundExecutor;
import dev.scheduler.Scheduler;
import dev.scheduler.Task;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * An {@link ExecutionContext} and {@link PlatformRuntime} for one worker that handles requests on a
 * single thread, as a simulated cloud platform does: built on a {@link ForegroundExecutor}, so
 * handler code needs no thread-safety, and under a {@code TestScheduler} every session runs
 * deterministically in virtual time.
 *
 * <pre>{@code
 * SimulatedExecutionContext platform = new SimulatedExecutionContext(scheduler);
 * SessionId request = platform.createSession();
 * platform.withSession(request, () -> handler.handle(platform));
 * platform.validateSessionCleanup(request);   // fails, naming any task the handler leaked
 * platform.endSession(request);
 * }</pre>
 *
 * <p>{@code waitUntil} bodies run on the foreground executor, so {@code waitUntil} must be called on
 * its thread (or in a foreground task); {@code delay} may be called from any task. Session validation works on every scheduler: task
 * liveness is tracked by the executors, not by the scheduler.
 */
public final class SimulatedExecutionContext extends AbstractExecutionContext {

    private final ForegroundExecutor foreground;
    private final Executor timers;

    /**
     * Creates a context on a new foreground executor of {@code scheduler}, confined to the calling
     * thread; ending a session with unauthorized tasks throws.
     *
     * @param scheduler the scheduler
     * @throws NullPointerException if {@code scheduler} is null
     */
    public SimulatedExecutionContext(Scheduler scheduler) {
        this(new ForegroundExecutor(Objects.requireNonNull(scheduler, "scheduler")), CleanupPolicy.FAIL);
    }

    /**
     * Creates a context on {@code foreground}.
     *
     * @param foreground the executor for {@code waitUntil} bodies; timers use its scheduler
     * @param policy what ending a session with unauthorized tasks does
     * @throws NullPointerException if an argument is null
     */
    public SimulatedExecutionContext(ForegroundExecutor foreground, CleanupPolicy policy) {
        super(policy);
        this.foreground = Objects.requireNonNull(foreground, "foreground");
        // A timer only completes a task; any task of a session may delay, so timers are not confined.
        this.timers = new Executor(foreground.scheduler(), "platform-timers");
    }

    /** {@return the foreground executor this context runs on} */
    public ForegroundExecutor foreground() {
        return foreground;
    }

    @Override
    <T> Task<T> spawn(Callable<T> body) {
        return foreground.spawn(body);
    }

    @Override
    Task<Void> timer(Duration duration) {
        return timers.timer(duration);
    }
}
