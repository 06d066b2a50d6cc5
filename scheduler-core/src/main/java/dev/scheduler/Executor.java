package dev.scheduler;

import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs tasks in the background: a thread-safe handle over a {@link Scheduler}.
 *
 * <pre>{@code
 * Executor executor = new Executor(scheduler);
 * Task<Index> index = executor.spawnLabeled(TaskLabel.of("indexer"), () -> buildIndex(files));
 * Index result = index.join();
 * }</pre>
 *
 * <p>Task bodies are plain blocking Java; see {@link Task}. Production code gets the scheduler of
 * its operating system; tests build the same executor on a {@code TestScheduler} and get one
 * thread, virtual time and a seeded interleaving of every step.
 *
 * <p>This class is also a {@link java.util.concurrent.Executor}: {@link #execute(Runnable)} spawns a
 * detached task. Code that also imports {@code java.util.concurrent.*} should import this class by
 * its single name, {@code import dev.scheduler.Executor;}, which wins over the wildcard.
 *
 * <p>Memory consistency effects: actions in a thread before it spawns a task <i>happen-before</i>
 * the task's body starts, and everything the body does <i>happens-before</i> a successful return
 * from {@link Task#join()} or any other observation of the task's outcome.
 */
public final class Executor extends AbstractExecutor implements java.util.concurrent.Executor {

    /**
     * Creates a background executor named {@code "background"} on {@code scheduler}.
     *
     * @param scheduler where the steps go
     * @throws NullPointerException if {@code scheduler} is null
     */
    public Executor(Scheduler scheduler) {
        this(scheduler, "background");
    }

    /**
     * Creates a background executor on {@code scheduler}.
     *
     * @param scheduler where the steps go
     * @param name the executor's name, which tags its metrics
     * @throws NullPointerException if an argument is null
     */
    public Executor(Scheduler scheduler, String name) {
        super(scheduler, name);
    }

    /**
     * Spawns {@code command} as a detached task: it runs on even if nobody keeps its handle, and a
     * failure goes to {@link Scheduler#reportFailure(Task, Throwable)}.
     *
     * @param command the work
     * @throws NullPointerException if {@code command} is null
     * @throws RejectedExecutionException if the scheduler is closed
     */
    @Override
    public void execute(Runnable command) {
        spawn(Objects.requireNonNull(command, "command")).detach();
    }

    @Override
    void dispatch(Runnable step, TaskMetadata meta) {
        scheduler.schedule(step, meta);
    }

    @Override
    SessionId session() {
        return null;
    }

    @Override
    void checkAccess(String operation) {
        // Background executors are thread-safe.
    }

    @Override
    Executor background() {
        return this;
    }
}
