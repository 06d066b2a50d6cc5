package dev.scheduler;

import java.time.Duration;

/**
 * The test hooks a simulated scheduler offers, which the executors' own {@code deprioritize},
 * {@code tick}, {@code runUntilParked}, {@code advanceClock} and {@code simulateRandomDelay} reach
 * through {@link Scheduler#as(Class)}: the {@code TestScheduler} is one. On any other scheduler
 * those executor methods fail, saying so.
 */
public interface Simulation {

    /**
     * Makes background tasks with {@code label} spawned from now on run only when nothing else can.
     *
     * @param label the label
     */
    void deprioritize(TaskLabel label);

    /**
     * Runs one step.
     *
     * @return whether a step ran
     */
    boolean tick();

    /** Runs steps until none can run without time passing. */
    void runUntilParked();

    /**
     * Moves virtual time forward by {@code duration}, firing every timer that falls due in deadline
     * order.
     *
     * @param duration how far; zero or positive
     */
    void advanceClock(Duration duration);

    /** Lets a random number of other steps run first: inside a task body the body yields. */
    void simulateRandomDelay();

    /**
     * {@return whether the application's own clock reads inside this scheduler's tasks
     * ({@code System.currentTimeMillis()}, {@code System.nanoTime()}, {@code Instant.now()},
     * {@code Clock.systemUTC()}, rewritten by the test agent) read this scheduler's clock} False
     * unless the simulation says so.
     */
    default boolean virtualClockReads() {
        return false;
    }

    /**
     * {@return whether virtual threads that this scheduler's task bodies start become tasks of this
     * scheduler, with the test agent: their steps drawn like every other, their timed waits on its
     * clock} False unless the simulation says so.
     */
    default boolean adoptsThreads() {
        return false;
    }
}
