package dev.scheduler;

/**
 * How urgently a task's steps should run relative to others waiting at the same time.
 *
 * <p>Schedulers draw the next step from a non-empty priority level with probability proportional
 * to the level's {@linkplain #weight() weight}, so higher levels run more often while lower ones
 * are never starved: with all three levels waiting, {@code HIGH} runs 60% of the steps,
 * {@code MEDIUM} 30% and {@code LOW} 10%.
 */
public enum Priority {

    /** Latency-sensitive work, such as what a user is waiting for; weight 60. */
    HIGH(60),

    /** The default; weight 30. */
    MEDIUM(30),

    /** Work that may wait, such as indexing or prefetching; weight 10. */
    LOW(10);

    private final int weight;

    Priority(int weight) {
        this.weight = weight;
    }

    /** {@return this level's share of the draw among waiting levels} */
    public int weight() {
        return weight;
    }
}
