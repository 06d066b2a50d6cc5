package dev.scheduler.benchmarks;

import dev.scheduler.Executor;
import dev.scheduler.test.TestScheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How cost grows: the time per task as more threads spawn at once, and the {@code TestScheduler}'s
 * time per step as more tasks wait to run.
 *
 * <p>Producers: {@value BackgroundSpawnBenchmark#TASKS} trivial tasks split between 1, 2, 4 or 8
 * platform threads that spawn at once, then waited for, as in scenario 1; ours on each dispatcher
 * and the same peers, so that each row's growth can be read against theirs.
 *
 * <p>Pending: a {@code TestScheduler} holding 10³, 10⁵ or 10⁶ spawned tasks that have not run; each
 * operation spawns one more and runs one step, drawn at random among all of them, so the backlog
 * stays the same size. A draw that walked the backlog would grow with it; this should not. The
 * peer is the same backlog of bare virtual threads in a bag: what the heap and the caches cost at
 * that size by themselves.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.lang=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
        "-Xmx3g"})
public class CostGrowthBenchmark {

    static final int TASKS = BackgroundSpawnBenchmark.TASKS;

    /** The platform threads that spawn, started once per trial, each spawning its share per run. */
    @State(Scope.Benchmark)
    public static class Producers {

        @Param({"1", "2", "4", "8"})
        int producers;

        ExecutorService threads;

        /** Starts the producer threads. */
        @Setup(Level.Trial)
        public void start() throws Exception {
            threads = Executors.newFixedThreadPool(producers);
            List<Future<?>> started = new ArrayList<>();
            for (int i = 0; i < producers; i++) {
                started.add(threads.submit(() -> { }));
            }
            for (Future<?> thread : started) {
                thread.get();
            }
        }

        /** Stops them. */
        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            threads.shutdown();
            if (!threads.awaitTermination(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the producers did not stop");
            }
        }

        /** Has every producer hand its share of the tasks to {@code submit}, and waits until all have run. */
        void spawnAll(java.util.concurrent.Executor submit) throws Exception {
            CountDownLatch done = new CountDownLatch(TASKS);
            Runnable body = done::countDown;
            List<Future<?>> shares = new ArrayList<>(producers);
            for (int p = 0; p < producers; p++) {
                int share = TASKS / producers + (p < TASKS % producers ? 1 : 0);
                shares.add(threads.submit(() -> {
                    for (int i = 0; i < share; i++) {
                        submit.execute(body);
                    }
                }));
            }
            for (Future<?> share : shares) {
                share.get();
            }
            // A hang guard, not a timing assertion: a lost task fails the run instead of stalling it.
            if (!done.await(1, TimeUnit.MINUTES)) {
                throw new IllegalStateException(done.getCount() + " of " + TASKS + " tasks never ran");
            }
        }
    }

    /** A virtual thread per task on the JDK's scheduler, made once per trial. */
    @State(Scope.Benchmark)
    public static class VirtualThreadPerTask {

        ExecutorService service;

        /** Creates it. */
        @Setup(Level.Trial)
        public void start() {
            service = Executors.newVirtualThreadPerTaskExecutor();
        }

        /** Shuts it down. */
        @TearDown(Level.Trial)
        public void stop() {
            service.close();
        }
    }

    /**
     * Ours on the Linux dispatcher: {@link Executor#spawn(Runnable)} from every producer at once.
     *
     * @param producers the spawning threads
     * @param state the dispatcher and executor
     * @throws Exception never in practice
     */
    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void producersOurExecutorLinux(Producers producers, DispatcherState.Linux state) throws Exception {
        Executor executor = state.executor;
        producers.spawnAll(body -> executor.spawn(body));
    }

    /**
     * Ours on the portable dispatcher.
     *
     * @param producers the spawning threads
     * @param state the dispatcher and executor
     * @throws Exception never in practice
     */
    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void producersOurExecutorPortable(Producers producers, DispatcherState.Portable state) throws Exception {
        Executor executor = state.executor;
        producers.spawnAll(body -> executor.spawn(body));
    }

    /**
     * Peer: {@link Executors#newVirtualThreadPerTaskExecutor()}.
     *
     * @param producers the spawning threads
     * @param state the executor
     * @throws Exception never in practice
     */
    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void producersVirtualThreadPerTaskExecutor(Producers producers, VirtualThreadPerTask state) throws Exception {
        producers.spawnAll(state.service);
    }

    /**
     * Peer: {@link ForkJoinPool#commonPool()}.
     *
     * @param producers the spawning threads
     * @throws Exception never in practice
     */
    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void producersForkJoinCommonPool(Producers producers) throws Exception {
        producers.spawnAll(ForkJoinPool.commonPool());
    }

    /** A {@code TestScheduler} in its default configuration with a backlog of tasks that have not run. */
    @State(Scope.Thread)
    public static class Backlog {

        @Param({"1000", "100000", "1000000"})
        int pending;

        TestScheduler scheduler;
        Executor executor;
        int ran;
        final Runnable body = () -> ran++;

        /** Spawns the backlog. */
        @Setup(Level.Trial)
        public void start() {
            scheduler = new TestScheduler();
            executor = scheduler.background();
            for (int i = 0; i < pending; i++) {
                executor.spawn(body);
            }
        }

        /** Runs the backlog out and closes the scheduler. */
        @TearDown(Level.Trial)
        public void stop() {
            scheduler.runUntilParked();
            scheduler.close();
        }
    }

    /** The floor under {@link Backlog}: the same number of bare virtual threads waiting in a swap-remove bag. */
    @State(Scope.Thread)
    public static class BareBacklog {

        @Param({"1000", "100000", "1000000"})
        int pending;

        final ArrayList<Runnable> bag = new ArrayList<>();
        final SplittableRandom random = new SplittableRandom(7);
        int ran;
        final Runnable body = () -> ran++;

        /** Starts the backlog's threads, whose first steps wait in the bag. */
        @Setup(Level.Trial)
        public void start() {
            for (int i = 0; i < pending; i++) {
                VirtualThreads.start(bag::add, body);
            }
        }

        /** Runs the backlog out. */
        @TearDown(Level.Trial)
        public void stop() {
            while (!bag.isEmpty()) {
                bag.removeLast().run();
            }
        }

        /** Runs one step drawn at random, as the TestScheduler's random order draws one. */
        void step() {
            VirtualThreads.runOneAtRandom(bag, random);
        }
    }

    /**
     * Ours: one spawn and one step, drawn among {@code pending} + 1 waiting tasks.
     *
     * @param backlog the scheduler and its backlog
     * @return whether a step ran
     */
    @Benchmark
    public boolean pendingTestSchedulerStep(Backlog backlog) {
        backlog.executor.spawn(backlog.body);
        return backlog.scheduler.tick();
    }

    /**
     * Peer: one bare virtual thread started and one step drawn among {@code pending} + 1 waiting,
     * with no scheduler around them: what the heap and the caches cost at that backlog by themselves.
     *
     * @param backlog the bag and its backlog
     * @return how many have run
     */
    @Benchmark
    public int pendingBareLoopStep(BareBacklog backlog) {
        VirtualThreads.start(backlog.bag::add, backlog.body);
        backlog.step();
        return backlog.ran;
    }
}
