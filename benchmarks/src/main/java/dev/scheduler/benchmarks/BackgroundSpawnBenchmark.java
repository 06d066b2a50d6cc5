package dev.scheduler.benchmarks;

import dev.scheduler.Executor;
import dev.scheduler.dispatch.DispatcherOptions;
import dev.scheduler.dispatch.LinuxDispatcher;
import dev.scheduler.dispatch.PortableDispatcher;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Scenario 1: the benchmark thread spawns {@value #TASKS} trivial background tasks and waits until
 * every one has run. The score is the time per task; throughput ratios are its inverse.
 *
 * <p>Ours: {@link Executor#spawn(Runnable)} on a {@link LinuxDispatcher} and on a
 * {@link PortableDispatcher}, both with {@link DispatcherOptions#defaults()} (one worker per
 * processor, at least two). Each body runs on a virtual thread carried by the dispatcher's workers
 * (their long-lived runners), with its handle, metadata and completion: everything a user's
 * {@code spawn} gets.
 *
 * <p>Peers, each given the same {@link Runnable}: {@link ForkJoinPool#commonPool()}, a two-thread
 * {@link ThreadPoolExecutor} over a {@link LinkedBlockingQueue}, and
 * {@link Executors#newVirtualThreadPerTaskExecutor()} (a virtual thread per task on the JDK's own
 * scheduler). Every run waits on a {@link CountDownLatch} counted down by the tasks themselves, so
 * all of them pay the same for being waited for.
 *
 * <p>Each pool or dispatcher is made once per trial, in a state of its own, so a benchmark starts
 * only the threads it measures: idle workers of another peer would steal one of the two cores.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.lang=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
        "-Xmx1g"})
public class BackgroundSpawnBenchmark {

    static final int TASKS = 10_000;

    /** A JDK executor service, made once per trial and shut down after it. */
    abstract static class OnService {

        ExecutorService service;

        abstract ExecutorService create();

        /** Creates the service. */
        @Setup(Level.Trial)
        public void start() {
            service = create();
        }

        /** Shuts the service down and waits for its threads. */
        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            service.shutdown();
            if (!service.awaitTermination(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException(service + " did not terminate");
            }
        }
    }

    /** Two platform threads over one {@link LinkedBlockingQueue}, started before the first run. */
    @State(Scope.Benchmark)
    public static class TwoThreadPool extends OnService {
        @Override
        ExecutorService create() {
            ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
            pool.prestartAllCoreThreads();
            return pool;
        }
    }

    /** A virtual thread per task, on the JDK's default virtual-thread scheduler. */
    @State(Scope.Benchmark)
    public static class VirtualThreadPerTask extends OnService {
        @Override
        ExecutorService create() {
            return Executors.newVirtualThreadPerTaskExecutor();
        }
    }

    /**
     * Ours on the Linux dispatcher: {@code spawn} each body, keep no handle (as fire-and-forget code
     * does), wait for the latch.
     *
     * @param state the dispatcher and executor
     * @param blackhole keeps the task handles alive as far as the JIT knows
     * @throws InterruptedException never in practice
     */
    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void ourExecutorLinux(DispatcherState.Linux state, Blackhole blackhole) throws InterruptedException {
        spawnAll(state.executor, blackhole);
    }

    /**
     * Ours on the portable dispatcher.
     *
     * @param state the dispatcher and executor
     * @param blackhole keeps the task handles alive as far as the JIT knows
     * @throws InterruptedException never in practice
     */
    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void ourExecutorPortable(DispatcherState.Portable state, Blackhole blackhole) throws InterruptedException {
        spawnAll(state.executor, blackhole);
    }

    /**
     * Diagnostic: ours on the Linux dispatcher with a single background thread.
     *
     * @param state the dispatcher and executor
     * @param blackhole keeps the task handles alive as far as the JIT knows
     * @throws InterruptedException never in practice
     */
    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void ourExecutorLinuxOneWorker(DispatcherState.LinuxOneWorker state, Blackhole blackhole) throws InterruptedException {
        spawnAll(state.executor, blackhole);
    }

    /**
     * Peer: {@link ForkJoinPool#commonPool()} (its parallelism is one less than the processors).
     *
     * @throws InterruptedException never in practice
     */
    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void forkJoinCommonPool() throws InterruptedException {
        submitAll(ForkJoinPool.commonPool());
    }

    /**
     * Peer: a two-thread {@link ThreadPoolExecutor}.
     *
     * @param state the pool
     * @throws InterruptedException never in practice
     */
    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void threadPoolExecutor2(TwoThreadPool state) throws InterruptedException {
        submitAll(state.service);
    }

    /**
     * Peer: {@link Executors#newVirtualThreadPerTaskExecutor()}.
     *
     * @param state the executor
     * @throws InterruptedException never in practice
     */
    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void virtualThreadPerTaskExecutor(VirtualThreadPerTask state) throws InterruptedException {
        submitAll(state.service);
    }

    private static void spawnAll(Executor executor, Blackhole blackhole) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(TASKS);
        Runnable body = done::countDown;
        for (int i = 0; i < TASKS; i++) {
            blackhole.consume(executor.spawn(body));
        }
        await(done);
    }

    private static void submitAll(java.util.concurrent.Executor executor) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(TASKS);
        Runnable body = done::countDown;
        for (int i = 0; i < TASKS; i++) {
            executor.execute(body);
        }
        await(done);
    }

    private static void await(CountDownLatch done) throws InterruptedException {
        // A hang guard, not a timing assertion: a lost task fails the run instead of stalling it.
        if (!done.await(1, TimeUnit.MINUTES)) {
            throw new IllegalStateException(done.getCount() + " of " + TASKS + " tasks never ran");
        }
    }
}
