package dev.scheduler;

/**
 * Wakes one thread blocked in {@link Scheduler#park(java.time.Duration)}. Safe to call from any
 * thread, any number of times; a wake-up that arrives before the park is not lost.
 */
@FunctionalInterface
public interface Unparker {

    /** Wakes the thread this unparker belongs to, or makes its next park return at once. */
    void unpark();
}
