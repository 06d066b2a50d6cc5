package dev.scheduler;

/**
 * A step as a scheduler queues it: the {@link Runnable} and the task it belongs to, kept together
 * so that a step that is dropped (a dispatcher closing) can be reported by task.
 *
 * @param runnable the step
 * @param meta the task it belongs to
 */
public record Step(Runnable runnable, TaskMetadata meta) {

    /**
     * Validates the components.
     *
     * @throws NullPointerException if {@code runnable} or {@code meta} is null
     */
    public Step {
        java.util.Objects.requireNonNull(runnable, "runnable");
        java.util.Objects.requireNonNull(meta, "meta");
    }
}
