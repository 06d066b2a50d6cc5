package dev.scheduler.benchmarks;

import dev.scheduler.Executor;
import dev.scheduler.test.TestScheduler;
import dev.scheduler.test.TestSchedulerConfig;
import java.time.Duration;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
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
import org.openjdk.jmh.annotations.Warmup;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * Scenario 4: a test scheduler runs {@value #COUNT} timers set at random virtual times, or
 * {@value #COUNT} tasks, to completion.
 *
 * <p>Timers: our {@code TestScheduler} against Reactor's {@code VirtualTimeScheduler}, RxJava 3's
 * {@code TestScheduler}, and a bare {@link PriorityQueue} loop, the practical limit. Each sets the
 * same timers (one seed) and advances its clock past the last.
 *
 * <p>Tasks: our {@code TestScheduler} spawning tasks (virtual threads) in its default random order
 * (with and without spawn-site capture) and in FIFO order, against bare loops running the same
 * virtual threads in FIFO order ({@link java.util.ArrayDeque}) and in random order.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.lang=ALL-UNNAMED", "-Xmx2g"})
public class VirtualTimeBenchmark {

    static final int COUNT = 100_000;
    private static final long HORIZON_NANOS = TimeUnit.HOURS.toNanos(1);

    private long[] delays;
    private int fired;

    /** The same random delays, up to an hour, for every scheduler. */
    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        delays = new long[COUNT];
        for (int i = 0; i < COUNT; i++) {
            delays[i] = random.nextLong(1, HORIZON_NANOS);
        }
    }

    // ---------------------------------------------------------------- timers

    /** Ours: {@code scheduleAfter} on the SPI, then one {@code advanceClock} past the last deadline. */
    @Benchmark
    @OperationsPerInvocation(COUNT)
    public int timersTestScheduler() {
        fired = 0;
        try (TestScheduler scheduler = new TestScheduler(quiet())) {
            Runnable fire = () -> fired++;
            for (long delay : delays) {
                scheduler.scheduleAfter(Duration.ofNanos(delay), fire);
            }
            scheduler.advanceClock(Duration.ofNanos(HORIZON_NANOS));
        }
        return check(fired);
    }

    /** Reactor's {@code VirtualTimeScheduler}. */
    @Benchmark
    @OperationsPerInvocation(COUNT)
    public int timersReactorVirtualTimeScheduler() {
        fired = 0;
        VirtualTimeScheduler scheduler = VirtualTimeScheduler.create();
        try {
            Runnable fire = () -> fired++;
            for (long delay : delays) {
                scheduler.schedule(fire, delay, TimeUnit.NANOSECONDS);
            }
            scheduler.advanceTimeBy(Duration.ofNanos(HORIZON_NANOS));
        } finally {
            scheduler.dispose();
        }
        return check(fired);
    }

    /** RxJava 3's {@code TestScheduler}. */
    @Benchmark
    @OperationsPerInvocation(COUNT)
    public int timersRxJavaTestScheduler() {
        fired = 0;
        io.reactivex.rxjava3.schedulers.TestScheduler scheduler = new io.reactivex.rxjava3.schedulers.TestScheduler();
        Runnable fire = () -> fired++;
        for (long delay : delays) {
            scheduler.scheduleDirect(fire, delay, TimeUnit.NANOSECONDS);
        }
        scheduler.advanceTimeBy(HORIZON_NANOS, TimeUnit.NANOSECONDS);
        return check(fired);
    }

    /** A bare deadline heap: the practical limit. */
    @Benchmark
    @OperationsPerInvocation(COUNT)
    public int timersBarePriorityQueue() {
        fired = 0;
        PriorityQueue<BareTimer> heap = new PriorityQueue<>();
        Runnable fire = () -> fired++;
        long sequence = 0;
        for (long delay : delays) {
            heap.add(new BareTimer(delay, sequence++, fire));
        }
        for (BareTimer timer = heap.poll(); timer != null; timer = heap.poll()) {
            timer.step.run();
        }
        return check(fired);
    }

    private record BareTimer(long deadline, long sequence, Runnable step) implements Comparable<BareTimer> {
        @Override
        public int compareTo(BareTimer other) {
            int byDeadline = Long.compare(deadline, other.deadline);
            return byDeadline != 0 ? byDeadline : Long.compare(sequence, other.sequence);
        }
    }

    // ---------------------------------------------------------------- tasks

    /** Ours: tasks spawned on a {@code TestScheduler} (spawn sites off), run until parked. */
    @Benchmark
    @OperationsPerInvocation(COUNT)
    public int tasksTestScheduler() {
        return runTasks(quiet());
    }

    /** Ours with spawn sites recorded, the default for tests: one stack walk per lambda class. */
    @Benchmark
    @OperationsPerInvocation(COUNT)
    public int tasksTestSchedulerWithSpawnSites() {
        return runTasks(TestSchedulerConfig.builder().capturePendingTraces(true).build());
    }

    /**
     * Ours with spawn sites recorded for a body that is not a lambda, which is walked at every spawn:
     * the cost the lambda cache saves.
     */
    @Benchmark
    @OperationsPerInvocation(COUNT)
    public int tasksTestSchedulerWithSpawnSitesNamedBody() {
        fired = 0;
        Runnable body = new Counter();
        try (TestScheduler scheduler = new TestScheduler(TestSchedulerConfig.builder().capturePendingTraces(true).build())) {
            Executor executor = scheduler.background();
            for (int i = 0; i < COUNT; i++) {
                executor.spawn(body);
            }
            scheduler.runUntilParked();
        }
        return check(fired);
    }

    /** A body of a class of its own. */
    private final class Counter implements Runnable {

        @Override
        public void run() {
            fired++;
        }
    }

    /** Ours in FIFO mode ({@code randomizeOrder(false)}): the same order as the bare loop. */
    @Benchmark
    @OperationsPerInvocation(COUNT)
    public int tasksTestSchedulerInOrder() {
        return runTasks(TestSchedulerConfig.builder().capturePendingTraces(false).randomizeOrder(false).build());
    }

    /**
     * The same virtual threads on a bare loop that picks the next one at random, as our default
     * mode does: the practical limit of any randomized scheduler, bound by cache misses on
     * continuations visited out of allocation order.
     */
    @Benchmark
    @OperationsPerInvocation(COUNT)
    public int tasksBareLoopRandomOrder() {
        fired = 0;
        java.util.ArrayList<Runnable> bag = new java.util.ArrayList<>(COUNT);
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < COUNT; i++) {
            VirtualThreads.start(bag::add, () -> fired++);
        }
        while (!bag.isEmpty()) {
            VirtualThreads.runOneAtRandom(bag, random);
        }
        return check(fired);
    }

    /** The same virtual threads on a bare {@link java.util.ArrayDeque} loop: the practical limit. */
    @Benchmark
    @OperationsPerInvocation(COUNT)
    public int tasksBareLoopVirtualThreads() {
        fired = 0;
        LoopScheduler loop = new LoopScheduler();
        for (int i = 0; i < COUNT; i++) {
            VirtualThreads.start(loop.carrier(), () -> fired++);
        }
        loop.drain();
        return check(fired);
    }

    private int runTasks(TestSchedulerConfig config) {
        fired = 0;
        try (TestScheduler scheduler = new TestScheduler(config)) {
            Executor executor = scheduler.background();
            for (int i = 0; i < COUNT; i++) {
                executor.spawn(() -> fired++);
            }
            scheduler.runUntilParked();
        }
        return check(fired);
    }

    private static TestSchedulerConfig quiet() {
        return TestSchedulerConfig.builder().capturePendingTraces(false).build();
    }

    private static int check(int count) {
        if (count != COUNT) {
            throw new IllegalStateException("ran " + count + " of " + COUNT);
        }
        return count;
    }
}
