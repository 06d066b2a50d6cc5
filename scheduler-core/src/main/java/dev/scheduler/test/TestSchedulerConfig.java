package dev.scheduler.test;

import java.util.Objects;

/**
 * How a {@link TestScheduler} behaves. Build one with {@link #builder()}:
 * {@code TestSchedulerConfig.builder().seed(7).build()}.
 *
 * @param seed the seed of every random choice the scheduler makes
 * @param randomizeOrder whether the next step is drawn at random (default); if false, steps run in
 *     the order they were scheduled
 * @param allowParking whether the scheduler may wait for real threads when nothing can run; if
 *     false (default), that is a deadlock and fails with a report of every pending task
 * @param capturePendingTraces whether to record where each task is spawned, for reports (default
 *     true; it costs about a microsecond per spawn)
 * @param timeoutTicksMin the fewest steps a {@code blockWithTimeout} runs before giving up
 * @param timeoutTicksMax the most steps a {@code blockWithTimeout} runs before giving up
 * @param recordTrace whether to record every step run, for {@link TestScheduler#trace()}
 * @param checkDeterminism whether {@link TestScheduler#run(TestSchedulerConfig, TestScheduler.Body)}
 *     runs the body twice and fails if the two step traces differ
 * @param preemption whether, and how, tasks switch where nothing parks (default
 *     {@linkplain Preemption#off() off}); needs the test agent and {@code randomizeOrder}
 * @param virtualClockReads whether the application's own clock reads inside tasks
 *     ({@code System.currentTimeMillis()}, {@code System.nanoTime()}, {@code Instant.now()},
 *     {@code Clock.systemUTC()}, the {@code now()} of {@code java.time}'s types) read virtual time
 *     (default false); needs the test agent, which rewrites them
 * @param adoptThreads whether virtual threads that task bodies start ({@code Thread.ofVirtual()},
 *     {@code Executors.newVirtualThreadPerTaskExecutor()}) and the default asynchronous work of
 *     {@code CompletableFuture} inside tasks become tasks of the scheduler (default true); with the
 *     test agent only, and otherwise they run outside it
 */
public record TestSchedulerConfig(
        long seed,
        boolean randomizeOrder,
        boolean allowParking,
        boolean capturePendingTraces,
        int timeoutTicksMin,
        int timeoutTicksMax,
        boolean recordTrace,
        boolean checkDeterminism,
        Preemption preemption,
        boolean virtualClockReads,
        boolean adoptThreads) {

    /**
     * Validates the timeout tick range and preemption.
     *
     * @throws IllegalArgumentException if the range is negative or empty, or if preemption is on
     *     while steps run in order
     * @throws NullPointerException if {@code preemption} is null
     */
    public TestSchedulerConfig {
        requireTickRange(timeoutTicksMin, timeoutTicksMax);
        Objects.requireNonNull(preemption, "preemption");
        if (preemption.isOn() && !randomizeOrder) {
            throw new IllegalArgumentException("preemption (" + preemption + ") switches tasks by the seed's draw, "
                    + "so it needs randomizeOrder=true; randomizeOrder was false");
        }
    }

    /** {@return the defaults with seed 0} */
    public static TestSchedulerConfig defaults() {
        return builder().build();
    }

    /**
     * Returns the defaults with the given seed.
     *
     * @param seed the seed
     * @return the configuration
     */
    public static TestSchedulerConfig withSeed(long seed) {
        return builder().seed(seed).build();
    }

    /** {@return a builder holding the defaults} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return a builder holding this configuration} */
    public Builder toBuilder() {
        return new Builder()
                .seed(seed)
                .randomizeOrder(randomizeOrder)
                .allowParking(allowParking)
                .capturePendingTraces(capturePendingTraces)
                .timeoutTicks(timeoutTicksMin, timeoutTicksMax)
                .recordTrace(recordTrace)
                .checkDeterminism(checkDeterminism)
                .preemption(preemption)
                .virtualClockReads(virtualClockReads)
                .adoptThreads(adoptThreads);
    }

    static void requireTickRange(int min, int max) {
        if (min < 0 || max < min) {
            throw new IllegalArgumentException(
                    "timeout ticks must satisfy 0 <= min <= max, were min=" + min + ", max=" + max);
        }
    }

    /** Builds a {@link TestSchedulerConfig}; every setting starts at its default. */
    public static final class Builder {

        private long seed;
        private boolean randomizeOrder = true;
        private boolean allowParking;
        private boolean capturePendingTraces = true;
        private int timeoutTicksMin;
        private int timeoutTicksMax = 1000;
        private boolean recordTrace;
        private boolean checkDeterminism;
        private Preemption preemption = Preemption.off();
        private boolean virtualClockReads;
        private boolean adoptThreads = true;

        private Builder() {
        }

        /**
         * Sets the seed (default 0).
         *
         * @param seed the seed
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Sets whether steps are drawn at random (default true).
         *
         * @param randomizeOrder whether to randomize
         * @return this builder
         */
        public Builder randomizeOrder(boolean randomizeOrder) {
            this.randomizeOrder = randomizeOrder;
            return this;
        }

        /**
         * Sets whether the scheduler may wait for real threads when idle (default false).
         *
         * @param allowParking whether to allow parking
         * @return this builder
         */
        public Builder allowParking(boolean allowParking) {
            this.allowParking = allowParking;
            return this;
        }

        /**
         * Sets whether spawn sites are recorded for reports (default true).
         *
         * @param capturePendingTraces whether to record spawn sites
         * @return this builder
         */
        public Builder capturePendingTraces(boolean capturePendingTraces) {
            this.capturePendingTraces = capturePendingTraces;
            return this;
        }

        /**
         * Sets the range of steps a {@code blockWithTimeout} runs before giving up (default 0..1000).
         *
         * @param min the fewest; zero or more
         * @param max the most; at least {@code min}
         * @return this builder
         * @throws IllegalArgumentException if the range is negative or empty
         */
        public Builder timeoutTicks(int min, int max) {
            requireTickRange(min, max);
            this.timeoutTicksMin = min;
            this.timeoutTicksMax = max;
            return this;
        }

        /**
         * Sets whether every step is recorded for {@link TestScheduler#trace()} (default false).
         *
         * @param recordTrace whether to record
         * @return this builder
         */
        public Builder recordTrace(boolean recordTrace) {
            this.recordTrace = recordTrace;
            return this;
        }

        /**
         * Sets whether a run is repeated with the same seed and its step trace compared (default
         * false).
         *
         * @param checkDeterminism whether to check
         * @return this builder
         */
        public Builder checkDeterminism(boolean checkDeterminism) {
            this.checkDeterminism = checkDeterminism;
            return this;
        }

        /**
         * Sets whether, and how, tasks switch where nothing parks (default {@linkplain Preemption#off() off}).
         *
         * @param preemption the setting
         * @return this builder
         * @throws NullPointerException if {@code preemption} is null
         */
        public Builder preemption(Preemption preemption) {
            this.preemption = Objects.requireNonNull(preemption, "preemption");
            return this;
        }

        /**
         * Sets whether the application's own clock reads inside tasks read virtual time (default false).
         *
         * @param virtualClockReads whether they do
         * @return this builder
         */
        public Builder virtualClockReads(boolean virtualClockReads) {
            this.virtualClockReads = virtualClockReads;
            return this;
        }

        /**
         * Sets whether threads that task bodies start become tasks of the scheduler (default true).
         *
         * @param adoptThreads whether they do
         * @return this builder
         */
        public Builder adoptThreads(boolean adoptThreads) {
            this.adoptThreads = adoptThreads;
            return this;
        }

        /**
         * {@return the configuration}
         *
         * @throws IllegalArgumentException if preemption is on while steps run in order
         */
        public TestSchedulerConfig build() {
            return new TestSchedulerConfig(seed, randomizeOrder, allowParking, capturePendingTraces,
                    timeoutTicksMin, timeoutTicksMax, recordTrace, checkDeterminism, preemption,
                    virtualClockReads, adoptThreads);
        }
    }
}
