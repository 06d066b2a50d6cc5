package dev.scheduler.cloud;

import dev.scheduler.SessionId;
import dev.scheduler.Task;
import dev.scheduler.TaskReport;
import java.util.List;

/**
 * Thrown when a session ends, or is validated, while tasks it started are still running without a
 * {@code waitUntil}. The message names each task: id, label, spawn site and where it is parked.
 */
public final class SessionCleanupException extends IllegalStateException {

    private final transient SessionId session;
    private final transient List<Task<?>> unauthorized;

    SessionCleanupException(SessionId session, List<Task<?>> unauthorized) {
        super(describe(session, unauthorized));
        this.session = session;
        this.unauthorized = List.copyOf(unauthorized);
    }

    /** {@return the session that leaked} */
    public SessionId session() {
        return session;
    }

    /** {@return the tasks still running without authorization, oldest first} */
    public List<Task<?>> unauthorizedTasks() {
        return unauthorized;
    }

    static String describe(SessionId session, List<Task<?>> unauthorized) {
        return new TaskReport("Session cleanup failed: " + unauthorized.size()
                + (unauthorized.size() == 1 ? " unauthorized task" : " unauthorized tasks") + " still running in "
                + session + " (only work handed to waitUntil may outlive a session):", unauthorized).toString();
    }
}
