package dev.scheduler;

import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * Watches tasks come and go. Executors tell three kinds of observer about each task they spawn:
 * the scheduler (when it is one, through {@link Scheduler#as(Class)}), the executor's own
 * observers, and the observer <em>in scope</em> where the task was spawned.
 *
 * <p>An observer in scope travels with tasks, not threads: a task spawned inside
 * {@link #callInScope(TaskObserver, Callable)} belongs to that observer, and so does every task it
 * spawns, on any executor, at any depth. Cloud sessions use this to find every task a request
 * started.
 *
 * <p>Callbacks run on the thread that spawns, runs or finishes the task, possibly concurrently for
 * different tasks; they must be quick and must not throw.
 */
public interface TaskObserver {

    /**
     * Called when {@code task} has been spawned, before any of its steps can run.
     *
     * @param task the new task
     */
    void taskSpawned(Task<?> task);

    /**
     * Called when {@code task}'s body starts running. The default does nothing.
     *
     * @param task the task
     */
    default void taskStarted(Task<?> task) {
    }

    /**
     * Called once when {@code task}'s body has returned or thrown, or when the task was cancelled
     * before its body started: it no longer runs anything. Its outcome is {@link Task#state()}.
     *
     * @param task the task
     */
    void taskFinished(Task<?> task);

    /**
     * Returns the observer in scope for the calling code: the one bound by the innermost
     * {@link #callInScope} around it, or inherited by the task it runs in; or {@code null}.
     */
    static TaskObserver inScope() {
        Task.Context context = Task.context();
        return context == null ? null : context.owner();
    }

    /**
     * Calls {@code body} with {@code observer} in scope, so that every task spawned inside it, and
     * every task those spawn, reports to {@code observer}.
     *
     * @param observer the observer; not null
     * @param body what to call
     * @param <T> the result type
     * @return what {@code body} returned
     * @throws Exception what {@code body} threw
     */
    static <T> T callInScope(TaskObserver observer, Callable<T> body) throws Exception {
        Objects.requireNonNull(observer, "observer");
        Objects.requireNonNull(body, "body");
        Task.Context context = Task.context();
        Task<?> task = context == null ? null : context.task();
        return ScopedValue.where(Task.CONTEXT, new Task.Context(task, observer)).call(body::call);
    }
}
