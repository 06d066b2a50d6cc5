package dev.scheduler.benchmarks;

import dev.scheduler.Executor;
import dev.scheduler.Priority;
import dev.scheduler.SessionId;
import dev.scheduler.TaskId;
import dev.scheduler.TaskLabel;
import dev.scheduler.TaskMetadata;
import dev.scheduler.dispatch.Dispatcher;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Scenario 2: the foreground hop. A background thread hands a small piece of work to the one
 * foreground thread and waits for its answer: one round trip per invocation, sampled
 * ({@link Mode#SampleTime}), so the report can quote the median ({@code p0.50}) of the round trips.
 *
 * <p>Ours: what background code does to get something done on a dispatcher's main loop and use the
 * result: it {@linkplain Dispatcher#scheduleForeground schedules a foreground step} that completes
 * a {@link CompletableFuture}, and {@linkplain Executor#blockOn(CompletableFuture) blocks on} it. A
 * {@code ForegroundExecutor} refuses spawns from other threads by design, so a step is the way in;
 * and from a background thread {@code blockOn} parks the thread through the dispatcher's own
 * {@code park}/{@code unparker}, so both directions use the library's primitives. The JMH thread is
 * the background thread, as it is for the peers, so the two differ only in the loop and the wake-up.
 *
 * <p>Peers, each in its simplest idiomatic form: a bare loop thread draining a lock-free queue and
 * parked with {@link LockSupport} when it is empty, the answer going back with an unpark; and a loop
 * thread taking from a {@link LinkedBlockingQueue}, the answer going back through another.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.lang=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
        "-Xmx1g"})
public class ForegroundHopBenchmark {

    /** The foreground work: small, and its answer depends on its input so that none of it folds away. */
    static int answer(int question) {
        return question * 31 + 7;
    }

    private static final TaskMetadata HOP = new TaskMetadata(TaskId.next(), TaskLabel.of("hop"), Priority.MEDIUM,
            SessionId.next(), null);

    private int question;

    /** One round trip on our dispatcher: a step on its main loop answers, the calling thread blocks until it has. */
    private int hop(DispatcherState state) {
        int asked = question++;
        CompletableFuture<Integer> reply = new CompletableFuture<>();
        state.dispatcher.scheduleForeground(() -> reply.complete(answer(asked)), HOP);
        return state.executor.blockOn(reply);
    }

    /** Peer: a loop thread that drains a lock-free queue and parks when it is empty. */
    @State(Scope.Thread)
    public static class BareParkedLoop {

        private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
        private volatile boolean running = true;
        private volatile int reply;
        private volatile boolean answered;
        private Thread loop;
        private int question;

        /** Starts the loop thread. */
        @Setup(Level.Trial)
        public void start() {
            loop = Thread.ofPlatform().name("bare-loop").daemon(true).start(() -> {
                while (running) {
                    Runnable step = inbox.poll();
                    if (step != null) {
                        step.run();
                    } else {
                        LockSupport.park(this);
                    }
                }
            });
        }

        /** Stops it. */
        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            running = false;
            LockSupport.unpark(loop);
            loop.join();
        }

        int hop() {
            int asked = question++;
            Thread caller = Thread.currentThread();
            answered = false;
            inbox.offer(() -> {
                reply = answer(asked);
                answered = true;
                LockSupport.unpark(caller);
            });
            LockSupport.unpark(loop);
            while (!answered) {
                LockSupport.park(this);
            }
            return reply;
        }
    }

    /** Peer: a loop thread taking steps from a {@link LinkedBlockingQueue}; answers go back through another. */
    @State(Scope.Thread)
    public static class BlockingQueueLoop {

        private static final Runnable STOP = () -> { };

        private final BlockingQueue<Runnable> inbox = new LinkedBlockingQueue<>();
        private final BlockingQueue<Integer> replies = new LinkedBlockingQueue<>();
        private Thread loop;
        private int question;

        /** Starts the loop thread. */
        @Setup(Level.Trial)
        public void start() {
            loop = Thread.ofPlatform().name("queue-loop").daemon(true).start(() -> {
                try {
                    for (Runnable step = inbox.take(); step != STOP; step = inbox.take()) {
                        step.run();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }

        /** Stops it. */
        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            inbox.put(STOP);
            loop.join();
        }

        int hop() throws InterruptedException {
            int asked = question++;
            inbox.put(() -> replies.add(answer(asked)));
            return replies.take();
        }
    }

    /**
     * Ours on the Linux dispatcher.
     *
     * @param state the dispatcher
     * @return the answer
     */
    @Benchmark
    public int ourMainLoopLinux(DispatcherState.Linux state) {
        return hop(state);
    }

    /**
     * Ours on the portable dispatcher.
     *
     * @param state the dispatcher
     * @return the answer
     */
    @Benchmark
    public int ourMainLoopPortable(DispatcherState.Portable state) {
        return hop(state);
    }

    /**
     * Peer: the bare {@link LockSupport}-parked loop, the floor of any hop between two threads.
     *
     * @param state the loop
     * @return the answer
     */
    @Benchmark
    public int bareParkedLoop(BareParkedLoop state) {
        return state.hop();
    }

    /**
     * Peer: the {@link LinkedBlockingQueue} loop.
     *
     * @param state the loop
     * @return the answer
     * @throws InterruptedException never in practice
     */
    @Benchmark
    public int blockingQueueLoop(BlockingQueueLoop state) throws InterruptedException {
        return state.hop();
    }
}
