package dev.scheduler;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The identity of one spawned task, unique within the running JVM.
 *
 * <p>Ids are handed out in spawn order from one JVM-wide sequence, so they are stable within a run
 * but not across runs: a {@code TestScheduler} replays a seed by order of spawns, never by id.
 *
 * @param value the id; positive
 */
public record TaskId(long value) implements Comparable<TaskId> {

    private static final AtomicLong SEQUENCE = new AtomicLong();

    /**
     * Validates the id.
     *
     * @throws IllegalArgumentException if {@code value} is not positive
     */
    public TaskId {
        if (value <= 0) {
            throw new IllegalArgumentException("value must be positive, was " + value);
        }
    }

    /** {@return a fresh id, greater than every id returned before it in this JVM} */
    public static TaskId next() {
        return new TaskId(SEQUENCE.incrementAndGet());
    }

    @Override
    public int compareTo(TaskId other) {
        return Long.compare(value, other.value);
    }

    @Override
    public String toString() {
        return "#" + value;
    }
}
