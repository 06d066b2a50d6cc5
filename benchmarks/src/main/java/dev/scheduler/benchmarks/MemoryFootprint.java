package dev.scheduler.benchmarks;

import dev.scheduler.Executor;
import dev.scheduler.Priority;
import dev.scheduler.TaskId;
import dev.scheduler.TaskMetadata;
import dev.scheduler.dispatch.Dispatcher;
import dev.scheduler.dispatch.DispatcherOptions;
import dev.scheduler.dispatch.LinuxDispatcher;
import dev.scheduler.test.TestScheduler;
import dev.scheduler.test.TestSchedulerConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * Scenario 5: bytes of heap retained per pending task or timer, measured as the heap difference,
 * after full collections, over {@code count} of them held at once, each case in a JVM of its own
 * with a stop-the-world collector. Not a JMH benchmark: it measures space, not time.
 *
 * <p>Prints a Markdown table: {@code | what | bytes per item | target |}; with {@code --tsv FILE} it
 * also writes the rows as tab-separated {@code key, name, bytes, target} for {@link ResultsReport}.
 */
public final class MemoryFootprint {

    private MemoryFootprint() {
    }

    /** What a child JVM prints before its row, so that JVM warnings on the same stream are not taken for it. */
    private static final String ROW = "ROW\t";

    /**
     * One measured thing: a stable key for the report, a name, the target or its role, and
     * how to make {@code count} of them pending at once. A pending object that is
     * {@link AutoCloseable} is closed once measured, so that a case may hold threads.
     */
    record Case(String key, String name, String target, IntFunction<Object> pending) {
    }

    /** One measured row. */
    record Row(String key, String name, long bytes, String target) {

        String tsv() {
            return key + "\t" + name + "\t" + bytes + "\t" + target;
        }

        static Row parseTsv(String line) {
            String[] fields = line.split("\t", -1);
            return new Row(fields[0], fields[1], Long.parseLong(fields[2]), fields[3]);
        }

        String markdown() {
            return "| " + name + " | " + bytes + " | " + target + " |";
        }
    }

    /**
     * Measures every case, each in a JVM of its own, and prints the table; or, given a case number,
     * measures that case in this JVM and prints its row.
     *
     * @param args {@code [count] [--tsv FILE]} for the table, or {@code [count, case]} for one row
     *     (count default 100000)
     * @throws Exception if a child JVM cannot be run or the file cannot be written
     */
    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        if (args.length > 1 && !args[1].equals("--tsv")) {
            Case measured = cases().get(Integer.parseInt(args[1]));
            System.out.println(ROW + new Row(measured.key(), measured.name(), bytesEach(measured, count),
                    measured.target()).tsv());
            return;
        }
        System.out.println("| pending item | bytes each | target |");
        System.out.println("|---|---:|---|");
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < cases().size(); i++) {
            Row row = inChildJvm(count, i);
            rows.add(row);
            System.out.println(row.markdown());
        }
        if (args.length > 2 && args[1].equals("--tsv")) {
            write(Path.of(args[2]), rows);
        }
    }

    /** Writes {@code rows} as tab-separated lines. */
    static void write(Path file, List<Row> rows) throws IOException {
        Files.write(file, rows.stream().map(Row::tsv).toList(), StandardCharsets.UTF_8);
    }

    /** Reads rows written by {@link #write(Path, List)}. */
    static List<Row> read(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8).stream().filter(line -> !line.isBlank())
                .map(Row::parseTsv).toList();
    }

    /**
     * Runs one case in a fresh JVM: objects of other cases (a virtual thread that never ran stays
     * registered with the JDK) and one-time class initialization cannot leak into its count.
     */
    private static Row inChildJvm(int count, int index) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-XX:+UseSerialGC", "-Xmx3g", "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                MemoryFootprint.class.getName(), Integer.toString(count), Integer.toString(index))
                .redirectErrorStream(true)
                .start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (child.waitFor() != 0) {
            throw new IllegalStateException("Case " + index + " failed:" + System.lineSeparator() + output);
        }
        return output.lines().filter(line -> line.startsWith(ROW)).findFirst()
                .map(line -> Row.parseTsv(line.substring(ROW.length())))
                .orElseThrow(() -> new IllegalStateException("Case " + index + " printed no row:"
                        + System.lineSeparator() + output));
    }

    /** Returns every case, ours and the peers'. */
    static List<Case> cases() {
        return List.of(
                new Case("timerTestScheduler", "timer on our TestScheduler (`scheduleAfter`)", "≤ 96", count -> {
                    TestScheduler scheduler = quietScheduler();
                    for (int i = 0; i < count; i++) {
                        scheduler.scheduleAfter(Duration.ofSeconds(1 + i), MemoryFootprint::nothing);
                    }
                    return scheduler;
                }),
                new Case("timerTaskTestScheduler", "timer task on our TestScheduler (`executor.timer`)", "—", count -> {
                    TestScheduler scheduler = quietScheduler();
                    Executor executor = scheduler.background();
                    List<Object> tasks = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) {
                        tasks.add(executor.timer(Duration.ofSeconds(1 + i)));
                    }
                    return List.of(scheduler, tasks);
                }),
                new Case("timerReactor", "timer on Reactor's VirtualTimeScheduler", "peer", count -> {
                    VirtualTimeScheduler scheduler = VirtualTimeScheduler.create();
                    for (int i = 0; i < count; i++) {
                        scheduler.schedule(MemoryFootprint::nothing, 1 + i, TimeUnit.SECONDS);
                    }
                    return scheduler;
                }),
                new Case("timerRxJava", "timer on RxJava 3's TestScheduler", "peer", count -> {
                    io.reactivex.rxjava3.schedulers.TestScheduler scheduler = new io.reactivex.rxjava3.schedulers.TestScheduler();
                    for (int i = 0; i < count; i++) {
                        scheduler.scheduleDirect(MemoryFootprint::nothing, 1 + i, TimeUnit.SECONDS);
                    }
                    return scheduler;
                }),
                new Case("timerBarePriorityQueue", "timer in a bare PriorityQueue", "floor", count -> {
                    PriorityQueue<long[]> heap = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
                    for (int i = 0; i < count; i++) {
                        heap.add(new long[] {i, i});
                    }
                    return heap;
                }),
                new Case("stepTestScheduler", "plain step on our TestScheduler (`schedule`)", "—", count -> {
                    TestScheduler scheduler = quietScheduler();
                    TaskMetadata meta = new TaskMetadata(TaskId.next(), null, Priority.MEDIUM, null, null);
                    for (int i = 0; i < count; i++) {
                        int index = i;
                        scheduler.schedule(() -> consume(index), meta);
                    }
                    return scheduler;
                }),
                new Case("taskTestScheduler", "spawned task, not yet started (TestScheduler)", "≤ 512", count -> {
                    TestScheduler scheduler = quietScheduler();
                    Executor executor = scheduler.background();
                    List<Object> tasks = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) {
                        tasks.add(executor.spawn(MemoryFootprint::nothing));
                    }
                    return List.of(scheduler, tasks);
                }),
                new Case("parkedTaskTestScheduler", "task parked in `join` (TestScheduler)", "—", count -> {
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
                new Case("bareVirtualThread", "bare virtual thread, not yet started (ArrayDeque loop)", "floor", count -> {
                    ArrayDeque<Runnable> loop = new ArrayDeque<>();
                    List<Thread> threads = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) {
                        threads.add(VirtualThreads.start(loop::add, MemoryFootprint::nothing));
                    }
                    return List.of(loop, threads);
                }),
                new Case("timerLinux", "timer on the Linux dispatcher (`scheduleAfter`)", "≤ 96", count -> {
                    Dispatcher dispatcher = new LinuxDispatcher(DispatcherOptions.defaults().withBackgroundThreads(1));
                    for (int i = 0; i < count; i++) {
                        dispatcher.scheduleAfter(Duration.ofHours(1).plusNanos(i), MemoryFootprint::nothing);
                    }
                    // Dropping the timers first keeps close() from waiting for them or logging them.
                    return (AutoCloseable) () -> {
                        dispatcher.shutdownNow();
                        dispatcher.close();
                    };
                }),
                new Case("taskLinux", "spawned task queued on the Linux dispatcher", "≤ 512", count -> {
                    Dispatcher dispatcher = new LinuxDispatcher(DispatcherOptions.defaults().withBackgroundThreads(1));
                    // A plain step holds the only worker thread itself (a task body would only park its
                    // virtual thread), so every task spawned after it stays queued while it is measured.
                    CountDownLatch gate = new CountDownLatch(1);
                    dispatcher.schedule(() -> awaitUninterruptibly(gate),
                            new TaskMetadata(TaskId.next(), null, Priority.HIGH, null, null));
                    Executor executor = new Executor(dispatcher);
                    List<Object> tasks = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) {
                        tasks.add(executor.spawn(MemoryFootprint::nothing));
                    }
                    return (AutoCloseable) () -> {
                        Reference.reachabilityFence(tasks);
                        gate.countDown();
                        dispatcher.close();
                    };
                }));
    }

    private static void awaitUninterruptibly(CountDownLatch gate) {
        boolean interrupted = false;
        while (true) {
            try {
                gate.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Heap retained per item: the difference after full collections, divided by {@code count}. A
     * small warm-up round first loads and initializes every class the case touches, so that
     * one-time static state is not counted.
     */
    static long bytesEach(Case measured, int count) {
        release(measured.pending().apply(Math.min(count, 1_000)));
        long before = usedHeapAfterCollection();
        Object pending = measured.pending().apply(count);
        long after = usedHeapAfterCollection();
        Reference.reachabilityFence(pending);
        release(pending);
        return Math.round((after - before) / (double) count);
    }

    /** Closes what a case holds (threads, descriptors), if anything. */
    private static void release(Object pending) {
        if (pending instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                throw new IllegalStateException("Could not release a measured case", e);
            }
        }
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
