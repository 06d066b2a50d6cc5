package dev.scheduler.autoconfigure;

import dev.scheduler.Executor;
import dev.scheduler.Task;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.springframework.core.task.AsyncTaskExecutor;

/**
 * Spring's {@link AsyncTaskExecutor} on the scheduler: {@code @Async} methods, and whatever else
 * uses Spring's application task executor, run as tasks on an {@link Executor}, so that under a
 * {@code TestScheduler} they take part in the seeded interleaving like every other task.
 *
 * <p>{@link #execute(Runnable)} spawns a detached task, whose failure is reported to the scheduler
 * (logged in production, a test failure under a {@code TestScheduler}). The {@code submit} methods
 * return the task itself (a {@code Future} and a {@code CompletionStage}), so its failure reaches
 * whoever waits for it.
 */
public final class SchedulerTaskExecutor implements AsyncTaskExecutor {

    private final Executor executor;

    /**
     * Creates a task executor spawning on {@code executor}.
     *
     * @param executor where tasks go
     * @throws NullPointerException if {@code executor} is null
     */
    public SchedulerTaskExecutor(Executor executor) {
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    /** {@return the executor tasks are spawned on} */
    public Executor executor() {
        return executor;
    }

    @Override
    public void execute(Runnable task) {
        executor.execute(task);
    }

    @Override
    public Future<?> submit(Runnable task) {
        return executor.spawn(task);
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
        return executor.spawn(task);
    }

    @Override
    public CompletableFuture<Void> submitCompletable(Runnable task) {
        return executor.spawn(task).toCompletableFuture();
    }

    @Override
    public <T> CompletableFuture<T> submitCompletable(Callable<T> task) {
        Task<T> spawned = executor.spawn(task);
        return spawned.toCompletableFuture();
    }

    @Override
    public String toString() {
        return "SchedulerTaskExecutor[" + executor + "]";
    }
}
