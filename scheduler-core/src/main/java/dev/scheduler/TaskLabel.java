package dev.scheduler;

import java.util.Objects;

/**
 * A name given to tasks so that tests and operators can tell them apart: it shows in deadlock and
 * leak reports, in metrics, and is what {@link Executor#deprioritize(TaskLabel)} matches.
 *
 * <p>{@code Executor.spawnLabeled(TaskLabel.of("indexer"), body)}
 *
 * @param name the label's text; not blank
 */
public record TaskLabel(String name) {

    /**
     * Validates the name.
     *
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public TaskLabel {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
    }

    /**
     * Returns the label with the given name.
     *
     * @param name the label's text; not blank
     * @return the label
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static TaskLabel of(String name) {
        return new TaskLabel(name);
    }

    @Override
    public String toString() {
        return name;
    }
}
