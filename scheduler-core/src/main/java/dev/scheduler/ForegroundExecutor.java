package dev.scheduler;

import java.util.Objects;

/**
 * Runs tasks on one confined thread: a UI thread, or a worker's event loop. It has the surface of
 * {@link Executor}, but only its thread may use it.
 *
 * <p>Each instance is a <em>session</em> with its own {@link SessionId}: the steps of one session
 * run in the order they were scheduled, and under a {@code TestScheduler} a session that is inside
 * {@code blockOn} does not run its own foreground steps, as on a real UI thread.
 *
 * <p>Confinement: the executor records its thread when it is created (or is given one). A call from
 * any other thread throws {@link IllegalStateException} naming both threads, unless it comes from a
 * foreground task running on that thread. Background code reaches the foreground through data, not
 * through this handle: a foreground task that waits on a queue or a task resumes on the confined
 * thread when the background completes it.
 */
public final class ForegroundExecutor extends AbstractExecutor {

    private final SessionId session;
    private final Thread thread;
    private volatile Executor background;

    /**
     * Creates a foreground executor confined to the calling thread.
     *
     * @param scheduler where the steps go; it must support {@link Scheduler#scheduleForeground}
     * @throws NullPointerException if {@code scheduler} is null
     */
    public ForegroundExecutor(Scheduler scheduler) {
        this(scheduler, Thread.currentThread());
    }

    /**
     * Creates a foreground executor confined to {@code thread}, such as a dispatcher's main loop
     * thread created elsewhere.
     *
     * @param scheduler where the steps go; it must support {@link Scheduler#scheduleForeground}
     * @param thread the confined thread
     * @throws NullPointerException if an argument is null
     */
    public ForegroundExecutor(Scheduler scheduler, Thread thread) {
        super(scheduler, "foreground");
        this.thread = Objects.requireNonNull(thread, "thread");
        this.session = SessionId.next();
    }

    /** {@return this executor's session} */
    public SessionId sessionId() {
        return session;
    }

    /** {@return the thread this executor is confined to} */
    public Thread thread() {
        return thread;
    }

    @Override
    void dispatch(Runnable step, TaskMetadata meta) {
        scheduler.scheduleForeground(step, meta);
    }

    @Override
    SessionId session() {
        return session;
    }

    @Override
    void checkAccess(String operation) {
        Task<?> current = TaskScope.currentTask();
        if (current == null ? Thread.currentThread() == thread : runsOnThisThread(current)) {
            return;
        }
        String caller = current == null ? "thread \"" + Thread.currentThread().getName() + "\""
                : (current.metadata().isForeground() ? "foreground " : "background ") + current.metadata().describe();
        throw new IllegalStateException("ForegroundExecutor of " + session + " is confined to thread \""
                + thread.getName() + "\", but " + operation + "() was called from " + caller);
    }

    private boolean runsOnThisThread(Task<?> current) {
        return current.executor() instanceof ForegroundExecutor foreground && foreground.thread == thread;
    }

    @Override
    Executor background() {
        Executor executor = background;
        if (executor == null) {
            executor = new Executor(scheduler);
            background = executor;
        }
        return executor;
    }
}
