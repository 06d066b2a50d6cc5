package dev.scheduler.test;

import java.util.Locale;
import java.util.Objects;

/**
 * Whether, and how, a {@link TestScheduler} switches tasks where nothing parks: at the preemption
 * points the test agent puts into the application's classes (before {@code synchronized}, before
 * calls into {@code java.util.concurrent} and the collections, before volatile field accesses and,
 * {@linkplain #thorough() thoroughly}, before every plain field and array access). Without
 * preemption a task runs until it parks, so a race where nothing parks, such as two tasks'
 * {@code count++}, is never interleaved.
 *
 * <pre>{@code
 * TestSchedulerConfig.builder().preemption(Preemption.pct(3)).build()
 * @SchedulerTest(iterations = 1000, preemption = Preemption.Strategy.PCT)
 * }</pre>
 *
 * <p>Every choice is drawn from the seed, so a failing seed replays with the same switches, and
 * {@link TestScheduler#switches()} lists them. Preemption needs the test agent on the JVM's
 * command line, and a scheduler that draws steps at random.
 *
 * @param strategy how switches are chosen
 * @param depth for {@link Strategy#PCT}, the depth d of the bugs it aims at: d − 1 priority changes
 *     per run; 1 for the other strategies
 * @param thorough whether plain field and array accesses are points too
 */
public record Preemption(Strategy strategy, int depth, boolean thorough) {

    /** The depth {@link #pct()} aims at: most concurrency bugs need no more than three ordered events. */
    public static final int DEFAULT_DEPTH = 3;

    /** How a {@link TestScheduler} chooses where to switch tasks. */
    public enum Strategy {

        /** Tasks switch only where they park (the default). */
        OFF,

        /**
         * A random walk: at every point the task steps aside and the seed draws the next step among
         * every runnable one, itself included.
         */
        RANDOM,

        /**
         * Probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi and Nagarakatte, ASPLOS
         * 2010): every task gets a random priority and the highest runnable one runs; at d − 1 random
         * steps the running task drops below all others. A bug that needs d events in a given
         * order among n tasks and k steps is found with probability at least 1/(n·k^(d−1)) per seed.
         * As k is not known before a run, and a seed must replay on its own, each seed also draws the
         * horizon the change points fall in, from powers of two.
         */
        PCT
    }

    /**
     * Validates the settings.
     *
     * @throws NullPointerException if {@code strategy} is null
     * @throws IllegalArgumentException if {@code depth} is below 1, or above 1 for a strategy other
     *     than {@link Strategy#PCT}, or if thorough points are asked for with preemption off
     */
    public Preemption {
        Objects.requireNonNull(strategy, "strategy");
        if (depth < 1) {
            throw new IllegalArgumentException("preemption depth must be at least 1, was " + depth);
        }
        if (strategy != Strategy.PCT && depth != 1) {
            throw new IllegalArgumentException("preemption depth is PCT's; for " + strategy + " it must be 1, was " + depth);
        }
        if (strategy == Strategy.OFF && thorough) {
            throw new IllegalArgumentException("thorough preemption points need a strategy other than OFF");
        }
    }

    /**
     * A switch a run took: the task that stepped aside at a preemption point, and the one that ran
     * instead.
     *
     * @param from the task that stepped aside
     * @param at the point: class, method, file and line, and what follows it there
     * @param to the task whose step ran next
     */
    public record Switch(String from, String at, String to) {

        /**
         * Validates the parts.
         *
         * @throws NullPointerException if a part is null
         */
        public Switch {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(to, "to");
        }

        /** {@return {@code from <task> at <point> to <task>}} */
        @Override
        public String toString() {
            return "from " + from + " at " + at + " to " + to;
        }
    }

    /** {@return no preemption: tasks switch only where they park} */
    public static Preemption off() {
        return new Preemption(Strategy.OFF, 1, false);
    }

    /** {@return the random walk} */
    public static Preemption random() {
        return new Preemption(Strategy.RANDOM, 1, false);
    }

    /** {@return PCT with depth {@value #DEFAULT_DEPTH}} */
    public static Preemption pct() {
        return pct(DEFAULT_DEPTH);
    }

    /**
     * Returns PCT aiming at bugs of depth {@code depth}.
     *
     * @param depth at least 1; 1 means no priority change, so each seed runs one fixed priority order
     * @return the setting
     * @throws IllegalArgumentException if {@code depth} is below 1
     */
    public static Preemption pct(int depth) {
        return new Preemption(Strategy.PCT, depth, false);
    }

    /**
     * Returns the setting for {@code strategy}, with PCT at depth {@code depth}.
     *
     * @param strategy the strategy
     * @param depth PCT's depth; ignored for the other strategies
     * @param thorough whether plain field and array accesses are points too
     * @return the setting
     * @throws IllegalArgumentException as the constructor does
     */
    public static Preemption of(Strategy strategy, int depth, boolean thorough) {
        Objects.requireNonNull(strategy, "strategy");
        return new Preemption(strategy, strategy == Strategy.PCT ? depth : 1, thorough);
    }

    /** {@return this setting with thorough points: before every plain field and array access too} */
    public Preemption thoroughly() {
        return new Preemption(strategy, depth, true);
    }

    /** {@return whether tasks may switch where nothing parks} */
    public boolean isOn() {
        return strategy != Strategy.OFF;
    }

    /** {@return how reports name it: {@code PCT (depth 3, thorough)}, say} */
    @Override
    public String toString() {
        if (!isOn()) {
            return "preemption off";
        }
        String name = strategy.name().toLowerCase(Locale.ROOT);
        return (strategy == Strategy.PCT ? "PCT (depth " + depth + (thorough ? ", thorough)" : ")")
                : name + " walk" + (thorough ? " (thorough)" : ""));
    }
}
