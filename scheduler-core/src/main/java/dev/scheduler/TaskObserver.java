package dev.scheduler;

import java.util.Objects;
import java.util.concurrent.Future;

/**
 * Watches tasks come and go. Executors tell three kinds of observer about each task they spawn, in
 * this order: the scheduler's ({@link Scheduler#taskObserver()}), the executor's own
 * ({@link AbstractExecutor#addObserver(TaskObserver)}), and the observer <em>in scope</em> where the
 * task was spawned.
 *
 * <p>An observer in scope travels with tasks, not threads: a task spawned inside
 * {@link #callInScope(TaskObserver, ScopedValue.CallableOp)} belongs to that observer, and so does
 * every task it spawns, on any executor, at any depth. Cloud sessions use this to find every task a
 * request started.
 *
 * <p>Callbacks run on the thread that spawns, runs or finishes the task, possibly concurrently for
 * different tasks; they must be quick. One that throws anyway is reported through
 * {@link Scheduler#reportObserverFailure} and changes nothing for the task or the other observers.
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
     * before its body started: it no longer runs anything. The call comes before the task's result
     * is published, so that whoever joins the task never finds an observer that still counts it as
     * running; read the outcome from {@code outcome}, not from {@link Task#state()}.
     *
     * @param task the task
     * @param outcome how it ended: {@code SUCCESS}, {@code FAILED} or {@code CANCELLED}
     */
    void taskFinished(Task<?> task, Future.State outcome);

    /**
     * {@return the observer in scope for the calling code: inside a task body, the one bound by the
     * innermost {@link #callInScope} around the code or else the one the task inherited; outside any
     * task, the innermost {@code callInScope} or else the thread's {@link #setThreadScope}; or
     * {@code null}}
     */
    static TaskObserver inScope() {
        return TaskScope.inScope();
    }

    /**
     * Calls {@code body} with {@code observer} in scope, so that every task spawned inside it, and
     * every task those spawn, reports to {@code observer}.
     *
     * @param observer the observer; not null
     * @param body what to call
     * @param <T> the result type
     * @param <X> what {@code body} may throw
     * @return what {@code body} returned
     * @throws X what {@code body} threw
     */
    static <T, X extends Throwable> T callInScope(TaskObserver observer, ScopedValue.CallableOp<? extends T, X> body)
            throws X {
        Objects.requireNonNull(observer, "observer");
        Objects.requireNonNull(body, "body");
        return TaskScope.callInScope(observer, body);
    }

    /**
     * Puts {@code observer} in scope for code the calling thread runs outside any task and outside
     * {@link #callInScope}, until replaced: for single-threaded hosts that switch between sessions
     * from one callback to the next, where a scoped call does not fit. Task bodies never see it;
     * they carry the observer of their spawn.
     *
     * @param observer the observer, or {@code null} to remove it
     * @return the observer it replaces, or {@code null}
     */
    static TaskObserver setThreadScope(TaskObserver observer) {
        return TaskScope.setThreadScope(observer);
    }
}
