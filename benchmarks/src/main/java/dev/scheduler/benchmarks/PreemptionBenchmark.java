package dev.scheduler.benchmarks;

import dev.scheduler.Executor;
import dev.scheduler.Task;
import dev.scheduler.jdk.PreemptionPoints;
import dev.scheduler.test.Preemption;
import dev.scheduler.test.TestScheduler;
import dev.scheduler.test.TestSchedulerConfig;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What preemption points cost: {@value #INCREMENTS} increments of a volatile counter inside task
 * bodies on a {@link TestScheduler}, without points, with points and preemption off, with points
 * while another scheduler in the JVM preempts, and with preemption on; and a whole two-task test
 * (a fresh scheduler, two tasks of {@value #TEST_INCREMENTS} increments each, both joined) without
 * points and with them, under each setting.
 *
 * <p>The points are written by hand here, the two instructions the test agent puts before a volatile
 * read and a volatile write (push the site's number, call {@link PreemptionPoints#point(int)}), so
 * that the fork needs no agent on its command line. A stand-in tells the scheduler that the
 * application is instrumented, which is what the agent's presence means to it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.lang=ALL-UNNAMED", "-Xmx1g"})
public class PreemptionBenchmark {

    static final int INCREMENTS = 1000;
    static final int TEST_INCREMENTS = 100;

    private static final int READ_SITE;
    private static final int WRITE_SITE;

    static {
        if (!PreemptionPoints.instrumented()) {
            PreemptionPoints.instrumentedBy(() -> {
                throw new UnsupportedOperationException("the benchmark writes its points by hand; no thorough ones");
            });
        }
        READ_SITE = PreemptionPoints.register(PreemptionPoints.VOLATILE,
                "PreemptionBenchmark.Counter.increment, before a volatile read of Counter.value");
        WRITE_SITE = PreemptionPoints.register(PreemptionPoints.VOLATILE,
                "PreemptionBenchmark.Counter.increment, before a volatile write of Counter.value");
    }

    /** The shared state of the code under test. */
    static final class Counter {
        volatile int value;

        void increment() {
            value++;
        }

        /** {@code increment} as the agent rewrites it. */
        void incrementWithPoints() {
            PreemptionPoints.point(READ_SITE);
            int read = value;
            PreemptionPoints.point(WRITE_SITE);
            value = read + 1;
        }
    }

    /** A scheduler that does not preempt, alone in the JVM: points find no handler at all. */
    @State(Scope.Thread)
    public static class Quiet {
        TestScheduler off;

        /** Opens the scheduler. */
        @Setup(Level.Trial)
        public void setUp() {
            off = new TestScheduler(TestSchedulerConfig.builder().capturePendingTraces(false).build());
        }

        /** Closes it. */
        @TearDown(Level.Trial)
        public void tearDown() {
            off.close();
        }
    }

    /** Schedulers that preempt, PCT and the random walk, open beside one that does not. */
    @State(Scope.Thread)
    public static class Preempting {
        TestScheduler off;
        TestScheduler pct;
        TestScheduler randomWalk;

        /** Opens the schedulers; the preempting ones install the points' handler. */
        @Setup(Level.Trial)
        public void setUp() {
            off = new TestScheduler(TestSchedulerConfig.builder().capturePendingTraces(false).build());
            pct = new TestScheduler(TestSchedulerConfig.builder().capturePendingTraces(false)
                    .preemption(Preemption.pct()).build());
            randomWalk = new TestScheduler(TestSchedulerConfig.builder().capturePendingTraces(false)
                    .preemption(Preemption.random()).build());
        }

        /** Closes them, which takes the handler out of the points again. */
        @TearDown(Level.Trial)
        public void tearDown() {
            off.close();
            pct.close();
            randomWalk.close();
        }
    }

    private final Counter counter = new Counter();

    // ---------------------------------------------------------------- one point at a time

    /** The floor: a task's increments without points. */
    @Benchmark
    @OperationsPerInvocation(INCREMENTS)
    public int loopWithoutPoints(Quiet state) {
        return runAlone(state.off, () -> {
            for (int i = 0; i < INCREMENTS; i++) {
                counter.increment();
            }
        });
    }

    /** Points with preemption off everywhere: each is one read of a volatile field that finds no handler. */
    @Benchmark
    @OperationsPerInvocation(INCREMENTS)
    public int loopWithPointsPreemptionOff(Quiet state) {
        return runAlone(state.off, () -> {
            for (int i = 0; i < INCREMENTS; i++) {
                counter.incrementWithPoints();
            }
        });
    }

    /**
     * Points in a task of a scheduler that does not preempt, while others in the JVM do: the handler
     * looks for the preempting scheduler whose task this is, and finds none.
     */
    @Benchmark
    @OperationsPerInvocation(INCREMENTS)
    public int loopWithPointsOnASchedulerThatDoesNotPreempt(Preempting state) {
        return runAlone(state.off, () -> {
            for (int i = 0; i < INCREMENTS; i++) {
                counter.incrementWithPoints();
            }
        });
    }

    /** Points under PCT in a task alone: each asks the strategy, which finds nothing else to run. */
    @Benchmark
    @OperationsPerInvocation(INCREMENTS)
    public int loopWithPointsPctAlone(Preempting state) {
        return runAlone(state.pct, () -> {
            for (int i = 0; i < INCREMENTS; i++) {
                counter.incrementWithPoints();
            }
        });
    }

    /** Two tasks under the random walk: every point is a switch (a yield and a seeded draw). */
    @Benchmark
    @OperationsPerInvocation(INCREMENTS)
    public int loopWithPointsRandomWalkTwoTasks(Preempting state) {
        Executor executor = state.randomWalk.background();
        Runnable half = () -> {
            for (int i = 0; i < INCREMENTS / 2; i++) {
                counter.incrementWithPoints();
            }
        };
        Task<Void> a = executor.spawn(half);
        Task<Void> b = executor.spawn(half);
        a.join();
        b.join();
        return counter.value;
    }

    private int runAlone(TestScheduler scheduler, Runnable body) {
        scheduler.background().spawn(body).join();
        return counter.value;
    }

    // ---------------------------------------------------------------- a whole test

    /** A whole test as it is without the agent: a fresh scheduler, two tasks, both joined. */
    @Benchmark
    public int wholeTestWithoutPoints() throws Exception {
        return wholeTest(Preemption.off(), false);
    }

    /** The same test with points, preemption off. */
    @Benchmark
    public int wholeTestWithPointsPreemptionOff() throws Exception {
        return wholeTest(Preemption.off(), true);
    }

    /** The same test with points, under PCT. */
    @Benchmark
    public int wholeTestWithPointsPct() throws Exception {
        return wholeTest(Preemption.pct(), true);
    }

    /** The same test with points, under the random walk. */
    @Benchmark
    public int wholeTestWithPointsRandomWalk() throws Exception {
        return wholeTest(Preemption.random(), true);
    }

    private static int wholeTest(Preemption preemption, boolean points) throws Exception {
        Counter shared = new Counter();
        TestScheduler.run(TestSchedulerConfig.builder().capturePendingTraces(false).preemption(preemption).build(),
                scheduler -> {
                    Executor executor = scheduler.background();
                    Runnable body = points
                            ? () -> {
                                for (int i = 0; i < TEST_INCREMENTS; i++) {
                                    shared.incrementWithPoints();
                                }
                            }
                            : () -> {
                                for (int i = 0; i < TEST_INCREMENTS; i++) {
                                    shared.increment();
                                }
                            };
                    Task<Void> a = executor.spawn(body);
                    Task<Void> b = executor.spawn(body);
                    a.join();
                    b.join();
                });
        return shared.value;
    }
}
