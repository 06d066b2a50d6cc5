package dev.scheduler.benchmarks;

import dev.scheduler.Executor;
import dev.scheduler.Task;
import dev.scheduler.dispatch.LinuxDispatcher;
import java.time.Duration;
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

/**
 * Scenario 3: a task whose body blocks. The score is the time per park/unpark switch: two bodies
 * play {@value #ROUNDS} rounds of {@link PingPong}, {@value #SWITCHES} switches per invocation.
 *
 * <p>Ours: two {@link Task}s on an {@link Executor} over the common single-threaded
 * {@link LoopScheduler}, so each switch goes through our carrier (the continuation comes back as a
 * step of its task). Peers: the same bodies as bare virtual threads on the same loop (the floor: a
 * custom carrier and nothing else), and as {@link Thread#ofVirtual()} threads on the JDK's default
 * scheduler.
 *
 * <p>Also measured, each against those peers: our tasks on the {@link LinuxDispatcher}, where the
 * two bodies can land on different workers; and one task that blocks the way task bodies usually
 * do, joining {@link Executor#timer(Duration) a zero-length timer} once per switch, which adds a
 * timer task and a future to the same switch.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.lang=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
        "-Xmx1g"})
public class ParkSwitchBenchmark {

    static final int ROUNDS = 1000;
    static final int SWITCHES = 2 * ROUNDS;

    private LoopScheduler loop;
    private Executor executor;

    /** A fresh loop and executor per trial, on the benchmark thread that drains it. */
    @Setup(Level.Trial)
    public void setUp() {
        loop = new LoopScheduler();
        executor = new Executor(loop);
    }

    /** Peer (the floor): bare virtual threads on the loop's carrier. */
    @Benchmark
    @OperationsPerInvocation(SWITCHES)
    public void bareCarrierPingPong() {
        PingPong pair = new PingPong(ROUNDS);
        VirtualThreads.start(loop.carrier(), pair::ping);
        VirtualThreads.start(loop.carrier(), pair::pong);
        loop.drain();
    }

    /** Ours: two tasks on the loop; joined after the drain, so a failing body fails the run. */
    @Benchmark
    @OperationsPerInvocation(SWITCHES)
    public void ourTasksPingPong() {
        PingPong pair = new PingPong(ROUNDS);
        Task<Void> ping = executor.spawn(pair::ping);
        Task<Void> pong = executor.spawn(pair::pong);
        loop.drain();
        ping.join();
        pong.join();
    }

    /**
     * Peer: the JDK's own virtual threads, on its default scheduler; the benchmark thread joins them.
     *
     * @throws InterruptedException never in practice
     */
    @Benchmark
    @OperationsPerInvocation(SWITCHES)
    public void jdkDefaultPingPong() throws InterruptedException {
        PingPong pair = new PingPong(ROUNDS);
        Thread ping = Thread.ofVirtual().start(pair::ping);
        Thread pong = Thread.ofVirtual().start(pair::pong);
        ping.join();
        pong.join();
    }

    /**
     * Ours on the Linux dispatcher's workers; the benchmark thread joins both tasks.
     *
     * @param linux the dispatcher
     */
    @Benchmark
    @OperationsPerInvocation(SWITCHES)
    public void ourTasksPingPongLinux(DispatcherState.Linux linux) {
        PingPong pair = new PingPong(ROUNDS);
        Task<Void> ping = linux.executor.spawn(pair::ping);
        Task<Void> pong = linux.executor.spawn(pair::pong);
        ping.join();
        pong.join();
    }

    /** Ours, blocking as bodies usually do: one task joins a fresh zero-length timer per switch. */
    @Benchmark
    @OperationsPerInvocation(SWITCHES)
    public void ourTaskJoinsZeroTimer() {
        Task<Void> task = executor.spawn(() -> {
            for (int i = 0; i < SWITCHES; i++) {
                executor.timer(Duration.ZERO).join();
            }
        });
        loop.drain();
        task.join();
    }
}
