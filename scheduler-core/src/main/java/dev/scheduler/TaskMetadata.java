package dev.scheduler;

import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link Scheduler} knows about the task a step belongs to. Every step of one task carries
 * the same metadata.
 *
 * @param id the task's id
 * @param label the task's label, or {@code null} when it has none
 * @param priority the task's priority
 * @param session the foreground session whose queue the step belongs to, or {@code null} for a
 *     background step
 * @param spawnSite where the task was spawned, or {@code null} when the scheduler does not
 *     {@linkplain Scheduler#capturesSpawnSites() capture spawn sites}
 */
public record TaskMetadata(
        TaskId id, TaskLabel label, Priority priority, SessionId session, StackTraceElement spawnSite) {

    /**
     * Validates the required components.
     *
     * @throws NullPointerException if {@code id} or {@code priority} is null
     */
    public TaskMetadata {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(priority, "priority");
    }

    /** {@return the task's label, if it has one} */
    public Optional<TaskLabel> labelIfAny() {
        return Optional.ofNullable(label);
    }

    /** {@return whether the step runs on a foreground session's confined thread} */
    public boolean isForeground() {
        return session != null;
    }

    /** {@return the task described for reports: {@code task #12 "indexer"}} */
    public String describe() {
        return label == null ? "task " + id : "task " + id + " \"" + label + "\"";
    }
}
