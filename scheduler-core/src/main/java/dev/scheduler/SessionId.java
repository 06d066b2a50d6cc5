package dev.scheduler;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The identity of a session: a {@link ForegroundExecutor} (whose steps keep their order) or a cloud
 * worker session (whose tasks must end with it).
 *
 * <p>Both kinds draw from one JVM-wide sequence, so a session id never names two things at once.
 *
 * @param value the id; positive
 */
public record SessionId(long value) implements Comparable<SessionId> {

    private static final AtomicLong SEQUENCE = new AtomicLong();

    /**
     * Validates the id.
     *
     * @throws IllegalArgumentException if {@code value} is not positive
     */
    public SessionId {
        if (value <= 0) {
            throw new IllegalArgumentException("value must be positive, was " + value);
        }
    }

    /** {@return a fresh id, greater than every id returned before it in this JVM} */
    public static SessionId next() {
        return new SessionId(SEQUENCE.incrementAndGet());
    }

    @Override
    public int compareTo(SessionId other) {
        return Long.compare(value, other.value);
    }

    @Override
    public String toString() {
        return "session-" + value;
    }
}
