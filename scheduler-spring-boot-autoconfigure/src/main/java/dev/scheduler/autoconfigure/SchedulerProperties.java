package dev.scheduler.autoconfigure;

import dev.scheduler.cloud.CleanupPolicy;
import dev.scheduler.dispatch.DispatcherOptions;
import dev.scheduler.dispatch.Dispatchers;
import dev.scheduler.test.TestSchedulerConfig;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the scheduler auto-configuration, bound from {@code scheduler.*}. Bad values fail
 * the application's start with a message naming the property.
 *
 * @param dispatcher Which dispatcher runs tasks in production: auto picks the one for the
 *     operating system.
 * @param backgroundThreads How many threads run background steps in production. Unset means one
 *     per available processor.
 * @param test The TestScheduler used under the test profile.
 * @param sessions Cloud worker sessions.
 * @param shutdown What the dispatcher does when the application context closes.
 * @param health The stalled-main-loop health indicator.
 * @param spring How Spring's own scheduling uses the scheduler.
 * @param requireCarrier Whether the application fails to start when task bodies cannot run on
 *     virtual threads carried by the scheduler, because the JVM was started without --add-opens
 *     java.base/java.lang=ALL-UNNAMED. If false it starts, bodies run as plain steps, and a body
 *     that parks (join, sleep, a lock, a queue) fails.
 * @param contextPropagation Whether tasks run with the thread-local context of the code that
 *     spawned them (MDC, the current observation and trace, the security context), when Micrometer's
 *     context-propagation library is on the class path, as Actuator and tracing bring it.
 */
@ConfigurationProperties("scheduler")
public record SchedulerProperties(
        @DefaultValue("auto") Dispatcher dispatcher,
        Integer backgroundThreads,
        @DefaultValue Test test,
        @DefaultValue Sessions sessions,
        @DefaultValue Shutdown shutdown,
        @DefaultValue Health health,
        @DefaultValue Spring spring,
        @DefaultValue("true") boolean requireCarrier,
        @DefaultValue("true") boolean contextPropagation) {

    /**
     * Validates the settings.
     *
     * @throws IllegalArgumentException naming the property whose value is out of range
     */
    public SchedulerProperties {
        if (backgroundThreads != null && backgroundThreads < 1) {
            throw new IllegalArgumentException(
                    "scheduler.background-threads must be at least 1, was " + backgroundThreads);
        }
    }

    /**
     * Returns the options of the production dispatcher these settings describe: background threads,
     * a dedicated main loop thread, and the shutdown timeout.
     *
     * @return the options
     */
    public DispatcherOptions toDispatcherOptions() {
        DispatcherOptions options = DispatcherOptions.defaults().withShutdownTimeout(shutdown.awaitTermination());
        return backgroundThreads == null ? options : options.withBackgroundThreads(backgroundThreads);
    }

    /** Which dispatcher runs tasks in production. */
    public enum Dispatcher {

        /**
         * The dispatcher for the operating system the application runs on, or the portable one if
         * that cannot start (the log says why).
         */
        AUTO(null),

        /** The Linux dispatcher; the application fails to start where it cannot run. */
        LINUX(Dispatchers.Kind.LINUX),

        /** The macOS dispatcher; the application fails to start where it cannot run. */
        MAC(Dispatchers.Kind.MAC),

        /** The Windows dispatcher; the application fails to start where it cannot run. */
        WINDOWS(Dispatchers.Kind.WINDOWS),

        /** The portable dispatcher, built on JDK threads only; it runs on every operating system. */
        PORTABLE(Dispatchers.Kind.PORTABLE);

        private final Dispatchers.Kind kind;

        Dispatcher(Dispatchers.Kind kind) {
            this.kind = kind;
        }

        /** {@return the dispatcher this setting asks for, or null for {@link #AUTO}} */
        public Dispatchers.Kind kind() {
            return kind;
        }
    }

    /**
     * The TestScheduler that replaces the dispatcher in tests.
     *
     * @param enabled Whether to use a TestScheduler whatever the active profiles.
     * @param profile The profile under which a TestScheduler replaces the dispatcher.
     * @param seed The seed of every random choice the TestScheduler makes. The SEED environment
     *     variable (or the scheduler.seed system property) overrides it, to replay a failing seed.
     * @param randomizeOrder Whether the next step is drawn at random. If false, steps run in the
     *     order they were scheduled.
     * @param allowParking Whether the TestScheduler may wait for real threads when nothing can run.
     *     If false, that is a deadlock and fails with a report of every pending task.
     * @param timeoutTicks How many steps a blockWithTimeout runs before it gives up.
     * @param preemption Whether, and how, tasks switch where nothing parks, at the preemption points
     *     the test agent puts into the application's classes.
     * @param virtualClockReads Whether the application's own clock reads inside tasks
     *     (System.currentTimeMillis(), System.nanoTime(), Instant.now(), Clock.systemUTC(), the now()
     *     of java.time's types) read the TestScheduler's virtual clock. It needs the test agent.
     * @param adoptThreads Whether virtual threads that task bodies start, and the default
     *     asynchronous work of CompletableFuture inside tasks, become tasks of the TestScheduler. It
     *     needs the test agent; without it they run outside the TestScheduler.
     */
    public record Test(
            @DefaultValue("false") boolean enabled,
            @DefaultValue("test") String profile,
            @DefaultValue("0") long seed,
            @DefaultValue("true") boolean randomizeOrder,
            @DefaultValue("false") boolean allowParking,
            @DefaultValue TimeoutTicks timeoutTicks,
            @DefaultValue Preemption preemption,
            @DefaultValue("false") boolean virtualClockReads,
            @DefaultValue("true") boolean adoptThreads) {

        /**
         * Validates the settings.
         *
         * @throws IllegalArgumentException naming the property whose value is out of range
         */
        public Test {
            if (profile == null || profile.isBlank()) {
                throw new IllegalArgumentException("scheduler.test.profile must name a profile, was '" + profile + "'");
            }
        }

        /**
         * Returns the TestScheduler configuration these settings describe.
         *
         * @param resolvedSeed the seed to use, which the environment may have overridden
         * @return the configuration
         */
        public TestSchedulerConfig toConfig(long resolvedSeed) {
            return toConfigBuilder(resolvedSeed).build();
        }

        /**
         * Returns a builder of the TestScheduler configuration these settings describe, for
         * {@link TestSchedulerConfigCustomizer}s to go on with.
         *
         * @param resolvedSeed the seed to use, which the environment may have overridden
         * @return the builder
         */
        public TestSchedulerConfig.Builder toConfigBuilder(long resolvedSeed) {
            return TestSchedulerConfig.builder()
                    .seed(resolvedSeed)
                    .randomizeOrder(randomizeOrder)
                    .allowParking(allowParking)
                    .timeoutTicks(timeoutTicks.min(), timeoutTicks.max())
                    .preemption(preemption.toSetting())
                    .virtualClockReads(virtualClockReads)
                    .adoptThreads(adoptThreads);
        }
    }

    /**
     * Preemption in the TestScheduler: switches between tasks where nothing parks, so that races
     * such as two tasks' count++ are interleaved too. It needs the test agent on the test JVM.
     *
     * @param strategy How switches are chosen: off, random (a random walk) or pct (probabilistic
     *     concurrency testing).
     * @param depth The depth of the bugs PCT aims at: it changes priorities depth - 1 times a run.
     * @param thorough Whether plain field and array accesses are preemption points too.
     */
    public record Preemption(
            @DefaultValue("off") dev.scheduler.test.Preemption.Strategy strategy,
            @DefaultValue("3") int depth,
            @DefaultValue("false") boolean thorough) {

        /**
         * Validates the settings.
         *
         * @throws IllegalArgumentException naming the property whose value is out of range
         */
        public Preemption {
            if (depth < 1) {
                throw new IllegalArgumentException("scheduler.test.preemption.depth must be at least 1, was " + depth);
            }
            if (thorough && strategy == dev.scheduler.test.Preemption.Strategy.OFF) {
                throw new IllegalArgumentException("scheduler.test.preemption.thorough=true needs "
                        + "scheduler.test.preemption.strategy to be random or pct, was off");
            }
        }

        /** {@return the TestScheduler setting these properties describe} */
        public dev.scheduler.test.Preemption toSetting() {
            return dev.scheduler.test.Preemption.of(strategy, depth, thorough);
        }
    }

    /**
     * The range from which a TestScheduler draws the number of steps a blockWithTimeout runs.
     *
     * @param min The fewest steps a blockWithTimeout runs before it gives up.
     * @param max The most steps a blockWithTimeout runs before it gives up.
     */
    public record TimeoutTicks(@DefaultValue("0") int min, @DefaultValue("1000") int max) {

        /**
         * Validates the range.
         *
         * @throws IllegalArgumentException naming the properties if the range is negative or empty
         */
        public TimeoutTicks {
            if (min < 0 || max < min) {
                throw new IllegalArgumentException("scheduler.test.timeout-ticks must satisfy 0 <= min <= max, were min="
                        + min + ", max=" + max);
            }
        }
    }

    /**
     * Cloud worker sessions.
     *
     * @param cleanupPolicy What ending a session does about tasks still running without waitUntil:
     *     report them, cancel them, or fail.
     */
    public record Sessions(@DefaultValue("fail") CleanupPolicy cleanupPolicy) {
    }

    /**
     * Shutting the dispatcher down.
     *
     * @param awaitTermination How long the dispatcher lets accepted tasks finish after the
     *     application context starts closing; new tasks are refused meanwhile. What is still queued
     *     then is dropped and logged.
     */
    public record Shutdown(@DefaultValue("10s") Duration awaitTermination) {

        /**
         * Validates the settings.
         *
         * @throws IllegalArgumentException naming the property if the duration is negative
         */
        public Shutdown {
            requireNotNegative(awaitTermination, "scheduler.shutdown.await-termination");
        }
    }

    /**
     * The health indicator that reports a stalled main loop.
     *
     * @param stallThreshold How long a foreground step may wait before the main loop counts as
     *     stalled and health turns DOWN.
     * @param pingInterval How long after one ping step is answered the next is sent to the main
     *     loop, to measure how long foreground steps wait.
     */
    public record Health(@DefaultValue("5s") Duration stallThreshold, @DefaultValue("1s") Duration pingInterval) {

        /**
         * Validates the settings.
         *
         * @throws IllegalArgumentException naming the property whose duration is not positive
         */
        public Health {
            requirePositive(stallThreshold, "scheduler.health.stall-threshold");
            requirePositive(pingInterval, "scheduler.health.ping-interval");
        }
    }

    /**
     * Spring's own scheduling.
     *
     * @param bridge Whether @Scheduled and @Async run on the scheduler's executors, through a
     *     TaskScheduler and an AsyncTaskExecutor that replace Spring Boot's defaults.
     */
    public record Spring(@DefaultValue("false") boolean bridge) {
    }

    private static void requireNotNegative(Duration duration, String property) {
        if (duration == null || duration.isNegative()) {
            throw new IllegalArgumentException(property + " must be zero or positive, was " + duration);
        }
    }

    private static void requirePositive(Duration duration, String property) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(property + " must be positive, was " + duration);
        }
    }
}
