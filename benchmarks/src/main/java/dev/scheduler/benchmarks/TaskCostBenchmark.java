package dev.scheduler.benchmarks;

import dev.scheduler.Executor;
import dev.scheduler.Priority;
import dev.scheduler.Task;
import dev.scheduler.TaskId;
import dev.scheduler.TaskMetadata;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What a task costs: spawning and finishing {@value #BATCH} trivial units of work through one
 * single-threaded loop, as a plain step, as a bare virtual thread carried by the loop, and as our
 * {@link Task} (a virtual thread of its own on such a loop, plus the handle, metadata and completion). And what a body that
 * parks once more costs, as a bare virtual thread and as a task that yields.
 *
 * <p>Peers: {@code plainStep} is the floor of any scheduler; {@code bareVirtualThread} is the floor
 * of a body that may block. {@code task} over {@code bareVirtualThread} is the library's own
 * overhead.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.lang=ALL-UNNAMED", "-Xmx1g"})
public class TaskCostBenchmark {

    static final int BATCH = 1000;
    private static final TaskMetadata META = new TaskMetadata(TaskId.next(), null, Priority.MEDIUM, null, null);

    private LoopScheduler loop;
    private Executor executor;
    private int counter;

    /** A fresh loop and executor per trial, on the benchmark thread. */
    @Setup
    public void setUp() {
        loop = new LoopScheduler();
        executor = new Executor(loop);
    }

    /** A {@link Runnable} through the loop: the floor. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void plainStep() {
        for (int i = 0; i < BATCH; i++) {
            loop.schedule(() -> counter++, META);
        }
        loop.drain();
    }

    /** A virtual thread carried by the loop, started and run to its end. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void bareVirtualThread() {
        for (int i = 0; i < BATCH; i++) {
            VirtualThreads.start(loop.carrier(), () -> counter++);
        }
        loop.drain();
    }

    /** Our task: spawned, run on a virtual thread carried by the loop, completed. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void task(Blackhole blackhole) {
        for (int i = 0; i < BATCH; i++) {
            blackhole.consume(executor.spawn(() -> counter++));
        }
        loop.drain();
    }

    /** A bare virtual thread that yields once: two steps and one park/unpark switch. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void bareVirtualThreadThatYields() {
        for (int i = 0; i < BATCH; i++) {
            VirtualThreads.start(loop.carrier(), () -> {
                Thread.yield();
                counter++;
            });
        }
        loop.drain();
    }

    /** Our task whose body yields once. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void taskThatYields(Blackhole blackhole) {
        for (int i = 0; i < BATCH; i++) {
            blackhole.consume(executor.spawn(() -> {
                Thread.yield();
                return counter++;
            }));
        }
        loop.drain();
    }
}
