package dev.scheduler;

/**
 * A snapshot of how many steps a {@link Scheduler} holds, by queue. The numbers are approximate
 * under concurrency and meant for metrics, never for control flow.
 *
 * @param background steps waiting for a background thread
 * @param foreground steps waiting for a foreground (confined) thread
 * @param timers steps waiting for their deadline
 * @param deprioritized steps held back until nothing else can run (test schedulers only)
 */
public record QueueDepths(int background, int foreground, int timers, int deprioritized) {

    /** An empty snapshot. */
    public static final QueueDepths EMPTY = new QueueDepths(0, 0, 0, 0);

    /**
     * Validates the counts.
     *
     * @throws IllegalArgumentException if any count is negative
     */
    public QueueDepths {
        if (background < 0 || foreground < 0 || timers < 0 || deprioritized < 0) {
            throw new IllegalArgumentException("queue depths must not be negative: background=" + background
                    + ", foreground=" + foreground + ", timers=" + timers + ", deprioritized=" + deprioritized);
        }
    }

    /** {@return the number of steps in all queues together} */
    public int total() {
        return background + foreground + timers + deprioritized;
    }
}
