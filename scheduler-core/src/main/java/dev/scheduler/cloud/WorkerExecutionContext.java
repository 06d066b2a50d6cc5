package dev.scheduler.cloud;

import dev.scheduler.Executor;
import dev.scheduler.Task;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * An {@link ExecutionContext} and {@link PlatformRuntime} for a real multi-threaded server: the
 * semantics of {@link SimulatedExecutionContext}, thread-safe, with {@code waitUntil} bodies on a
 * background {@link Executor} and a {@link CleanupPolicy} for what a leak does in production.
 *
 * <pre>{@code
 * SessionId request = platform.createSession();
 * try {
 *     return platform.withSession(request, () -> handler.handle(platform));
 * } finally {
 *     platform.endSession(request);   // reports, cancels or fails on leaked tasks
 * }
 * }</pre>
 */
public final class WorkerExecutionContext extends AbstractExecutionContext {

    private final Executor executor;

    /**
     * Creates a context whose {@code waitUntil} bodies and timers run on {@code executor}.
     *
     * @param executor the background executor
     * @param policy what ending a session with unauthorized tasks does
     * @throws NullPointerException if an argument is null
     */
    public WorkerExecutionContext(Executor executor, CleanupPolicy policy) {
        super(policy);
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    /** {@return the executor this context runs {@code waitUntil} bodies on} */
    public Executor executor() {
        return executor;
    }

    @Override
    <T> Task<T> spawn(Callable<T> body) {
        return executor.spawn(body);
    }

    @Override
    Task<Void> timer(Duration duration) {
        return executor.timer(duration);
    }
}
