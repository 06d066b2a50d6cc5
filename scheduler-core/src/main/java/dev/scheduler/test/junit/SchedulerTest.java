package dev.scheduler.test.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test method once per seed, each time with a fresh {@link dev.scheduler.test.TestScheduler}
 * passed as a parameter, and ends each run with {@link dev.scheduler.test.TestScheduler#endTest()}.
 *
 * <pre>{@code
 * @SchedulerTest(iterations = 100)
 * void cacheNeverServesStaleEntries(TestScheduler scheduler) {
 *     Executor executor = scheduler.background();
 *     ...
 * }
 * }</pre>
 *
 * <p>Each invocation is named {@code seed=N}. A failing invocation prints {@code Failing seed: N}
 * and the command that replays it, and fails with an {@link AssertionError} whose message starts
 * with both and whose cause is what the test threw. {@code SEED} and
 * {@code ITERATIONS} (or {@code -Dscheduler.seed}, {@code -Dscheduler.iterations}) override the
 * annotation; see {@link dev.scheduler.test.Seeds}.
 *
 * <p>With {@link #checkDeterminism()}, every seed runs twice ({@code seed=N} and
 * {@code seed=N (replay)}), each with the full test lifecycle, and the replay fails unless it took
 * exactly the steps of the first run.
 *
 * <p>With {@link #preemption()}, tasks also switch where nothing parks, as the seed decides:
 * {@code @SchedulerTest(iterations = 1000, preemption = Preemption.Strategy.PCT)} finds a lost
 * update in two tasks' {@code count++}. It needs the test agent on the JVM's command line.
 *
 * <p>The scheduler belongs to the thread that runs the test method, so these tests may run in
 * parallel with each other; a test that itself starts threads must
 * {@link dev.scheduler.test.TestScheduler#allowParking() allow parking}.
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@TestTemplate
@ExtendWith(SchedulerTestExtension.class)
public @interface SchedulerTest {

    /** {@return how many consecutive seeds to run; at least 1} */
    int iterations() default 1;

    /** {@return the first seed} */
    long seed() default 0;

    /** {@return whether to run every seed twice and fail if the two step traces differ} */
    boolean checkDeterminism() default false;

    /** {@return whether the scheduler may wait for real threads when nothing can run} */
    boolean allowParking() default false;

    /**
     * {@return how tasks switch where nothing parks, at the preemption points the test agent puts
     * into the application's classes; see {@link dev.scheduler.test.Preemption}} Off by default.
     */
    dev.scheduler.test.Preemption.Strategy preemption() default dev.scheduler.test.Preemption.Strategy.OFF;

    /** {@return the depth PCT aims at, when {@link #preemption()} is PCT} */
    int preemptionDepth() default dev.scheduler.test.Preemption.DEFAULT_DEPTH;

    /** {@return whether plain field and array accesses are preemption points too} */
    boolean thoroughPreemption() default false;

    /**
     * {@return whether the application's own clock reads inside tasks ({@code System.currentTimeMillis()},
     * {@code System.nanoTime()}, {@code Instant.now()}, {@code Clock.systemUTC()}, {@code LocalDateTime.now()}
     * and the like) read the scheduler's virtual clock} Needs the test agent.
     */
    boolean virtualClockReads() default false;

    /**
     * {@return whether virtual threads the test's tasks start, and the default asynchronous work of
     * {@code CompletableFuture} inside them, become tasks of the scheduler} On by default; needs the
     * test agent.
     */
    boolean adoptThreads() default true;
}
