package dev.scheduler.cloud;

import dev.scheduler.SessionId;

/**
 * A snapshot of one session's tasks, for metrics and the Actuator endpoint.
 *
 * @param id the session
 * @param running tasks spawned in the session whose bodies have not finished
 * @param waitUntil of those, the ones allowed to outlive the session
 * @param unauthorized of those, the ones that would leak if the session ended now
 * @param failedWaitUntil {@code waitUntil} tasks that failed (each also reported to the scheduler)
 * @param passesThrough whether the handler asked to fall through to the origin on failure
 */
public record SessionState(
        SessionId id, int running, int waitUntil, int unauthorized, int failedWaitUntil, boolean passesThrough) {

    /**
     * Validates the id.
     *
     * @throws NullPointerException if {@code id} is null
     */
    public SessionState {
        java.util.Objects.requireNonNull(id, "id");
    }
}
