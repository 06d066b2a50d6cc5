package dev.scheduler.cloud;

import dev.scheduler.SessionId;
import dev.scheduler.Task;
import dev.scheduler.TaskId;
import dev.scheduler.TaskObserver;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Future;

/**
 * One request's worth of work: every task spawned while the session is current, and which of them
 * were handed to {@code waitUntil}. A task belongs to the session it was spawned in, and so do the
 * tasks it spawns, on any executor, at any depth.
 *
 * <p>Finished tasks are forgotten at once, so a session holds only what is still running. Closing
 * the session ends it in its execution context, applying the context's {@link CleanupPolicy}.
 */
public final class WorkerSession implements AutoCloseable {

    private final SessionId id;
    private final AbstractExecutionContext context;
    private final Map<TaskId, Task<?>> running = new LinkedHashMap<>();
    private final Set<TaskId> authorized = new HashSet<>();
    private final TaskObserver tracker = new Tracker(false);
    private final TaskObserver authorizingTracker = new Tracker(true);
    private int failedWaitUntil;
    private volatile boolean passesThrough;

    WorkerSession(SessionId id, AbstractExecutionContext context) {
        this.id = id;
        this.context = context;
    }

    /** {@return the session's id} */
    public SessionId id() {
        return id;
    }

    /** {@return whether the handler asked to fall through to the origin if it fails} */
    public boolean passesThrough() {
        return passesThrough;
    }

    /** {@return the tasks spawned in this session whose bodies have not finished, oldest first} */
    public synchronized List<Task<?>> runningTasks() {
        return List.copyOf(running.values());
    }

    /** {@return the running tasks that may outlive the session, oldest first} */
    public synchronized List<Task<?>> waitUntilTasks() {
        return running.values().stream().filter(task -> authorized.contains(task.id())).toList();
    }

    /** {@return the running tasks that would leak if the session ended now, oldest first} */
    public synchronized List<Task<?>> unauthorizedTasks() {
        return running.values().stream().filter(task -> !authorized.contains(task.id())).toList();
    }

    /** {@return a snapshot of this session's counts} */
    public synchronized SessionState state() {
        int allowed = 0;
        for (TaskId task : running.keySet()) {
            if (authorized.contains(task)) {
                allowed++;
            }
        }
        return new SessionState(id, running.size(), allowed, running.size() - allowed, failedWaitUntil, passesThrough);
    }

    /** Ends this session in its execution context; see {@link AbstractExecutionContext#endSession}. */
    @Override
    public void close() {
        context.endSession(id);
    }

    TaskObserver tracker() {
        return tracker;
    }

    /** The view under which spawned tasks, and their descendants, are allowed to outlive the session. */
    TaskObserver authorizingTracker() {
        return authorizingTracker;
    }

    AbstractExecutionContext context() {
        return context;
    }

    void passThrough() {
        passesThrough = true;
    }

    synchronized void authorize(Task<?> task) {
        Objects.requireNonNull(task, "task");
        if (running.containsKey(task.id())) {
            authorized.add(task.id());
        } else if (task.isRunning()) {
            throw new IllegalArgumentException(task.metadata().describe() + " was not spawned in " + id
                    + ", so waitUntil cannot let it outlive that session");
        }
    }

    @Override
    public String toString() {
        return "WorkerSession[" + id + "]";
    }

    /** Feeds the session's bookkeeping; one instance marks what it sees as allowed to outlive. */
    private final class Tracker implements TaskObserver {

        private final boolean authorizes;

        Tracker(boolean authorizes) {
            this.authorizes = authorizes;
        }

        WorkerSession session() {
            return WorkerSession.this;
        }

        @Override
        public void taskSpawned(Task<?> task) {
            // Runs on the spawning thread, inside the parent's body if there is one.
            Task<?> parent = Task.current().orElse(null);
            synchronized (WorkerSession.this) {
                running.put(task.id(), task);
                if (authorizes || parent != null && authorized.contains(parent.id())) {
                    authorized.add(task.id());
                }
            }
        }

        @Override
        public void taskFinished(Task<?> task, Future.State outcome) {
            synchronized (WorkerSession.this) {
                running.remove(task.id());
                if (authorized.remove(task.id()) && outcome == Future.State.FAILED) {
                    failedWaitUntil++;
                }
            }
        }
    }

    /** {@return the session a scope observer belongs to, or null if it is not a session's} */
    static WorkerSession of(TaskObserver observer) {
        return observer instanceof Tracker tracker ? tracker.session() : null;
    }
}
