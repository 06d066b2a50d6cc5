package dev.scheduler.cloud;

import java.util.List;
import java.util.function.ToIntFunction;

/**
 * A snapshot of every active session of one execution context, oldest first.
 *
 * @param sessions each active session's state
 * @param cleanupFailures how many session ends or validations found unauthorized tasks so far
 */
public record SessionsSnapshot(List<SessionState> sessions, long cleanupFailures) {

    /**
     * Copies the list.
     *
     * @throws NullPointerException if {@code sessions} is null or holds null
     */
    public SessionsSnapshot {
        sessions = List.copyOf(java.util.Objects.requireNonNull(sessions, "sessions"));
    }

    /** {@return how many sessions are active} */
    public int activeSessions() {
        return sessions.size();
    }

    /** {@return how many tasks of all sessions are running} */
    public int runningTasks() {
        return sum(SessionState::running);
    }

    /** {@return how many running tasks of all sessions may outlive their session} */
    public int waitUntilTasks() {
        return sum(SessionState::waitUntil);
    }

    /** {@return how many running tasks of all sessions would leak if their session ended now} */
    public int unauthorizedTasks() {
        return sum(SessionState::unauthorized);
    }

    private int sum(ToIntFunction<SessionState> count) {
        return sessions.stream().mapToInt(count).sum();
    }
}
