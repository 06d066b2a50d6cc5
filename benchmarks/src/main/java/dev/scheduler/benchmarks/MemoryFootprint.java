package dev.scheduler.benchmarks;

import dev.scheduler.Executor;
import dev.scheduler.Priority;
import dev.scheduler.TaskId;
import dev.scheduler.TaskMetadata;
import dev.scheduler.test.TestScheduler;
import dev.scheduler.test.TestSchedulerConfig;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * Scenario 5: bytes of heap retained per pending task or timer, measured as the heap difference,
 * after full collections, over {@code count} of them held at once, each case in a JVM of its own
 * with a stop-the-world collector. Not a JMH benchmark: it measures space, not time.
 *
 * <p>Prints a Markdown table: {@code | what | bytes per item | peer |}.
 */
public final class MemoryFootprint {

    private MemoryFootprint() {
    }

    /** One measured thing: a name, and how to make {@code count} of them pending at once. */
    record Case(String name, String target, IntFunction<Object> pending) {
    }

    /**
     * Measures every case, each in a JVM of its own, and prints the table; or, given a case number,
     * measures that case in this JVM and prints its row.
     *
     * @param args {@code [count]} for the table, or {@code [count, case]} for one row (count
     *     default 100000)
     * @throws Exception if a child JVM cannot be run
     */
    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        if (args.length > 1) {
            Case measured = cases().get(Integer.parseInt(args[1]));
            System.out.printf("| %s | %d | %s |%n", measured.name(), bytesEach(measured, count), measured.target());
            return;
        }
        System.out.println("| pending item | bytes each | target |");
        System.out.println("|---|---:|---|");
        for (int i = 0; i < cases().size(); i++) {
            System.out.print(inChildJvm(count, i));
        }
    }

    /**
     * Runs one case in a fresh JVM: objects of other cases (a virtual thread that never ran stays
     * registered with the JDK) and one-time class initialization cannot leak into its count.
     */
    private static String inChildJvm(int count, int index) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-XX:+UseSerialGC", "-Xmx3g", "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), MemoryFootprint.class.getName(),
                Integer.toString(count), Integer.toString(index))
                .redirectErrorStream(true)
                .start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (child.waitFor() != 0) {
            throw new IllegalStateException("Case " + index + " failed:" + System.lineSeparator() + output);
        }
        return output;
    }

    /** Returns every case, ours and the peers'. */
    static List<Case> cases() {
        return List.of(
                new Case("timer on our TestScheduler (`scheduleAfter`)", "≤ 96", count -> {
                    TestScheduler scheduler = quietScheduler();
                    for (int i = 0; i < count; i++) {
                        scheduler.scheduleAfter(Duration.ofSeconds(1 + i), MemoryFootprint::nothing);
                    }
                    return scheduler;
                }),
                new Case("timer task on our TestScheduler (`executor.timer`)", "—", count -> {
                    TestScheduler scheduler = quietScheduler();
                    Executor executor = scheduler.background();
                    List<Object> tasks = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) {
                        tasks.add(executor.timer(Duration.ofSeconds(1 + i)));
                    }
                    return List.of(scheduler, tasks);
                }),
                new Case("timer on Reactor's VirtualTimeScheduler", "peer", count -> {
                    VirtualTimeScheduler scheduler = VirtualTimeScheduler.create();
                    for (int i = 0; i < count; i++) {
                        scheduler.schedule(MemoryFootprint::nothing, 1 + i, TimeUnit.SECONDS);
                    }
                    return scheduler;
                }),
                new Case("timer on RxJava 3's TestScheduler", "peer", count -> {
                    io.reactivex.rxjava3.schedulers.TestScheduler scheduler = new io.reactivex.rxjava3.schedulers.TestScheduler();
                    for (int i = 0; i < count; i++) {
                        scheduler.scheduleDirect(MemoryFootprint::nothing, 1 + i, TimeUnit.SECONDS);
                    }
                    return scheduler;
                }),
                new Case("timer in a bare PriorityQueue", "floor", count -> {
                    PriorityQueue<long[]> heap = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
                    for (int i = 0; i < count; i++) {
                        heap.add(new long[] {i, i});
                    }
                    return heap;
                }),
                new Case("plain step on our TestScheduler (`schedule`)", "—", count -> {
                    TestScheduler scheduler = quietScheduler();
                    TaskMetadata meta = new TaskMetadata(TaskId.next(), null, Priority.MEDIUM, null, null);
                    for (int i = 0; i < count; i++) {
                        int index = i;
                        scheduler.schedule(() -> consume(index), meta);
                    }
                    return scheduler;
                }),
                new Case("spawned task, not yet started (TestScheduler)", "≤ 512", count -> {
                    TestScheduler scheduler = quietScheduler();
                    Executor executor = scheduler.background();
                    List<Object> tasks = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) {
                        tasks.add(executor.spawn(MemoryFootprint::nothing));
                    }
                    return List.of(scheduler, tasks);
                }),
                new Case("task parked in `join` (TestScheduler)", "—", count -> {
                    TestScheduler scheduler = quietScheduler();
                    Executor executor = scheduler.background();
                    CompletableFuture<Void> never = new CompletableFuture<>();
                    List<Object> tasks = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) {
                        tasks.add(executor.spawn(() -> executor.blockOn(never)));
                    }
                    scheduler.runUntilParked();
                    return List.of(scheduler, tasks, never);
                }),
                new Case("bare virtual thread, not yet started (ArrayDeque loop)", "floor", count -> {
                    ArrayDeque<Runnable> loop = new ArrayDeque<>();
                    List<Thread> threads = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) {
                        threads.add(VirtualThreads.start(loop::add, MemoryFootprint::nothing));
                    }
                    return List.of(loop, threads);
                }));
    }

    /**
     * Heap retained per item: the difference after full collections, divided by {@code count}. A
     * small warm-up round first loads and initializes every class the case touches, so that
     * one-time static state is not counted.
     */
    static long bytesEach(Case measured, int count) {
        Reference.reachabilityFence(measured.pending().apply(Math.min(count, 1_000)));
        long before = usedHeapAfterCollection();
        Object pending = measured.pending().apply(count);
        long after = usedHeapAfterCollection();
        Reference.reachabilityFence(pending);
        return Math.round((after - before) / (double) count);
    }

    private static long usedHeapAfterCollection() {
        long used = Long.MAX_VALUE;
        // Collect until the heap stops shrinking: one call may leave finalizable or soft garbage behind.
        for (int i = 0; i < 10; i++) {
            System.gc();
            long now = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            if (now >= used) {
                return now;
            }
            used = now;
        }
        return used;
    }

    private static TestScheduler quietScheduler() {
        return new TestScheduler(TestSchedulerConfig.builder().capturePendingTraces(false).build());
    }

    private static void nothing() {
        // a step that does nothing
    }

    private static void consume(int ignored) {
        // a step that does nothing with its argument
    }
}
