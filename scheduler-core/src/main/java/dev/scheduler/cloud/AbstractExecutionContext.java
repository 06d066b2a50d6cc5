package dev.scheduler.cloud;

import dev.scheduler.SessionId;
import dev.scheduler.Task;
import dev.scheduler.TaskObserver;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * What both execution contexts share: the sessions, which one is current, {@code waitUntil}, and
 * what ending a session does. The two differ only in the executor that runs {@code waitUntil}
 * bodies and timers, and so in which threads may call them: {@link SimulatedExecutionContext} runs
 * on one foreground thread, {@link WorkerExecutionContext} on a thread-safe background executor.
 * Code that only inspects sessions (metrics, an Actuator endpoint) can take either through this type.
 */
/*
 * Implementation Overview
 * =======================
 *
 * A session is current through the core's observer scope: withSession calls the body with the
 * session's tracker in scope, setCurrentSession puts it in the thread's scope, and a task spawned
 * in either carries the tracker into its body. So "current session" is simply "the tracker in
 * scope", and it travels with tasks at any depth without any bookkeeping here.
 *
 * waitUntil(body) spawns the body with the session's authorizing tracker in scope instead: the
 * task and everything it spawns are allowed from their very first step, with no window in which a
 * child could be spawned before its parent was marked.
 */
public abstract sealed class AbstractExecutionContext implements ExecutionContext, PlatformRuntime
        permits SimulatedExecutionContext, WorkerExecutionContext {

    private static final System.Logger LOG = System.getLogger(AbstractExecutionContext.class.getName());

    private final Map<SessionId, WorkerSession> sessions = new ConcurrentHashMap<>();
    private final CleanupPolicy policy;
    private final AtomicLong cleanupFailures = new AtomicLong();

    AbstractExecutionContext(CleanupPolicy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /** Spawns a task on the context's executor, in the current scope. */
    abstract <T> Task<T> spawn(Callable<T> body);

    /** Starts a timer on the context's executor. */
    abstract Task<Void> timer(Duration duration);

    // ---------------------------------------------------------------- sessions

    /**
     * Creates a session; tasks spawned while it is current belong to it.
     *
     * @return the new session's id
     */
    public SessionId createSession() {
        SessionId id = SessionId.next();
        sessions.put(id, new WorkerSession(id, this));
        return id;
    }

    /**
     * Returns the active session with {@code id}, if this context has one.
     *
     * @param id the session
     * @return the session, or empty if {@code id} is unknown to this context or has ended
     */
    public Optional<WorkerSession> findSession(SessionId id) {
        Objects.requireNonNull(id, "id");
        return Optional.ofNullable(sessions.get(id));
    }

    /**
     * Returns the active session with {@code id}.
     *
     * @param id the session
     * @return the session
     * @throws IllegalArgumentException if {@code id} is unknown to this context or has ended
     */
    public WorkerSession session(SessionId id) {
        Objects.requireNonNull(id, "id");
        WorkerSession session = sessions.get(id);
        if (session == null) {
            throw new IllegalArgumentException(id + " is unknown to this execution context or has already ended");
        }
        return session;
    }

    /**
     * Calls {@code body} with session {@code id} current: every task spawned inside, and every
     * task those spawn, belongs to it.
     *
     * @param id the session
     * @param body what to call
     * @param <T> the result type
     * @return what {@code body} returned
     * @throws IllegalArgumentException if {@code id} is unknown or has ended
     */
    public <T> T withSession(SessionId id, Supplier<T> body) {
        Objects.requireNonNull(body, "body");
        return TaskObserver.callInScope(session(id).tracker(), body::get);
    }

    /**
     * Runs {@code body} with session {@code id} current; see {@link #withSession(SessionId, Supplier)}.
     *
     * @param id the session
     * @param body what to run
     * @throws IllegalArgumentException if {@code id} is unknown or has ended
     */
    public void withSession(SessionId id, Runnable body) {
        Objects.requireNonNull(body, "body");
        withSession(id, () -> {
            body.run();
            return null;
        });
    }

    /**
     * Makes session {@code id} current on the calling thread, outside any task, until another is
     * set or {@link #clearCurrentSession()}: for hosts that switch sessions between callbacks.
     *
     * @param id the session
     * @throws IllegalArgumentException if {@code id} is unknown or has ended
     */
    public void setCurrentSession(SessionId id) {
        TaskObserver.setThreadScope(session(id).tracker());
    }

    /** Makes no session current on the calling thread (outside any task). */
    public void clearCurrentSession() {
        if (mine(TaskObserver.inScope()) != null) {
            TaskObserver.setThreadScope(null);
        }
    }

    /** {@return the session current for the calling code, if it is one of this context's} */
    public Optional<SessionId> currentSession() {
        WorkerSession session = mine(TaskObserver.inScope());
        return session == null ? Optional.empty() : Optional.of(session.id());
    }

    /**
     * Checks that only {@code waitUntil} work of session {@code id} is still running.
     *
     * @param id the session
     * @throws SessionCleanupException naming every unauthorized task still running
     * @throws IllegalArgumentException if {@code id} is unknown or has ended
     */
    public void validateSessionCleanup(SessionId id) {
        List<Task<?>> unauthorized = session(id).unauthorizedTasks();
        if (!unauthorized.isEmpty()) {
            cleanupFailures.incrementAndGet();
            throw new SessionCleanupException(id, unauthorized);
        }
    }

    /**
     * Ends session {@code id} and frees its bookkeeping. If tasks it started are still running
     * without {@code waitUntil}, the context's {@link CleanupPolicy} decides: report them, cancel
     * them, or fail. Tasks that keep running are no longer tracked.
     *
     * @param id the session
     * @return the unauthorized tasks found, oldest first; empty when the session ended clean
     * @throws SessionCleanupException under {@link CleanupPolicy#FAIL}, naming the tasks (the
     *     session has ended all the same)
     * @throws IllegalArgumentException if {@code id} is unknown or has ended
     */
    public List<Task<?>> endSession(SessionId id) {
        WorkerSession session = session(id);
        sessions.remove(id);
        if (TaskObserver.inScope() == session.tracker()) {
            TaskObserver.setThreadScope(null);
        }
        List<Task<?>> unauthorized = session.unauthorizedTasks();
        if (unauthorized.isEmpty()) {
            return List.of();
        }
        cleanupFailures.incrementAndGet();
        switch (policy) {
            case REPORT -> LOG.log(System.Logger.Level.WARNING, SessionCleanupException.describe(id, unauthorized));
            case CANCEL -> {
                unauthorized.forEach(Task::cancel);
                LOG.log(System.Logger.Level.WARNING, SessionCleanupException.describe(id, unauthorized)
                        + System.lineSeparator() + "They were cancelled.");
            }
            case FAIL -> throw new SessionCleanupException(id, unauthorized);
        }
        return unauthorized;
    }

    /** {@return the active sessions' states, oldest first, and the cleanup failures so far} */
    public SessionsSnapshot snapshot() {
        return new SessionsSnapshot(sessions.values().stream()
                .sorted(Comparator.comparing(WorkerSession::id))
                .map(WorkerSession::state)
                .toList(), cleanupFailures.get());
    }

    /** {@return what ending a session does about unauthorized tasks} */
    public CleanupPolicy cleanupPolicy() {
        return policy;
    }

    // ---------------------------------------------------------------- ExecutionContext

    @Override
    public void waitUntil(Task<?> task) {
        Objects.requireNonNull(task, "task");
        current("waitUntil").authorize(task);
        task.detach();
    }

    @Override
    public <T> Task<T> waitUntil(Callable<T> body) {
        Objects.requireNonNull(body, "body");
        WorkerSession session = current("waitUntil");
        Task<T> task = TaskObserver.callInScope(session.authorizingTracker(), () -> spawn(body));
        task.detach();
        return task;
    }

    @Override
    public Task<Void> waitUntil(Runnable body) {
        Objects.requireNonNull(body, "body");
        return waitUntil(() -> {
            body.run();
            return null;
        });
    }

    @Override
    public void passThrough() {
        current("passThrough").passThrough();
    }

    @Override
    public void delay(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        timer(duration).join();
    }

    private WorkerSession current(String operation) {
        WorkerSession session = mine(TaskObserver.inScope());
        if (session == null) {
            throw new IllegalStateException(operation + "() needs a current session: call it inside withSession(...), "
                    + "after setCurrentSession(...), or in a task spawned there");
        }
        return session;
    }

    /** The active session of this context that {@code observer} tracks, or null. */
    private WorkerSession mine(TaskObserver observer) {
        WorkerSession session = WorkerSession.of(observer);
        return session != null && session.context() == this && sessions.get(session.id()) == session ? session : null;
    }
}
