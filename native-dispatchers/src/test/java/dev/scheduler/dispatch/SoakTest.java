package dev.scheduler.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.scheduler.Executor;
import dev.scheduler.Priority;
import dev.scheduler.Task;
import dev.scheduler.TaskLabel;
import dev.scheduler.TaskObserver;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A soak: eight producer threads spawn {@code soak.spawns} tasks (one million in the build, ten
 * million with {@code -Psoak}) of every kind at once: random priorities and labels, failures,
 * cancellations, timers and nested joins. Afterwards every task is accounted for, every failure
 * reached its own task, no worker died, and the heap is back at its baseline after a full GC. The
 * figures (ns per task, peak heap) go to {@code target/soak-<dispatcher>.txt}.
 */
class SoakTest {

    private static final long SPAWNS = Long.getLong("soak.spawns", 1_000_000);
    private static final int PRODUCERS = 8;
    private static final int IN_FLIGHT = 50_000;
    /** A hang guard, not a timing assertion: ten million tasks take about a minute here. */
    private static final long GUARD_MINUTES = 30;
    /** What a full GC may leave above the baseline: class metadata, JIT and logging buffers, not tasks. */
    private static final long HEAP_SLACK_BYTES = 32L << 20;

    enum Kind {
        LINUX(LinuxDispatcher::new), PORTABLE(PortableDispatcher::new);

        private final Function<DispatcherOptions, Dispatcher> create;

        Kind(Function<DispatcherOptions, Dispatcher> create) {
            this.create = create;
        }

        Dispatcher create(DispatcherOptions options) {
            assumeTrue(this != LINUX || OS.LINUX.isCurrentOs(), "the Linux dispatcher runs only on Linux");
            return create.apply(options);
        }
    }

    /** Counts every task the executor spawns, and how each ended. */
    static final class Ledger implements TaskObserver {

        final LongAdder spawned = new LongAdder();
        final LongAdder succeeded = new LongAdder();
        final LongAdder failed = new LongAdder();
        final LongAdder cancelled = new LongAdder();
        final Semaphore inFlight = new Semaphore(IN_FLIGHT);

        @Override
        public void taskSpawned(Task<?> task) {
            spawned.increment();
        }

        @Override
        public void taskFinished(Task<?> task, Future.State outcome) {
            switch (outcome) {
                case SUCCESS -> succeeded.increment();
                case FAILED -> failed.increment();
                case CANCELLED -> cancelled.increment();
                default -> throw new IllegalStateException("finished as " + outcome);
            }
        }

        long finished() {
            return succeeded.sum() + failed.sum() + cancelled.sum();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void everyTaskIsAccountedForAndTheHeapReturnsToItsBaseline(Kind kind) throws Exception {
        long baseline = heapAfterFullGc();
        Queue<Throwable> uncaught = new ConcurrentLinkedQueue<>();
        Dispatcher dispatcher = kind.create(DispatcherOptions.defaults().withThreadNamePrefix("soak")
                .withUncaughtExceptionHandler((thread, failure) -> uncaught.add(failure)));
        Ledger ledger = new Ledger();
        LongAdder failuresThrown = new LongAdder();
        LongAdder failuresReachedTheirTask = new LongAdder();
        LongAdder unexpected = new LongAdder();
        Executor executor = new Executor(dispatcher);
        executor.addObserver(ledger);
        resetPeakHeap();
        long start = System.nanoTime();
        try {
            List<Thread> producers = new ArrayList<>();
            for (int p = 0; p < PRODUCERS; p++) {
                long seed = p;
                long count = SPAWNS / PRODUCERS + (p < SPAWNS % PRODUCERS ? 1 : 0);
                producers.add(Thread.ofPlatform().name("producer-" + p).start(() -> produce(executor, ledger,
                        new SplittableRandom(seed), count, failuresThrown, failuresReachedTheirTask, unexpected)));
            }
            for (Thread producer : producers) {
                producer.join(TimeUnit.MINUTES.toMillis(GUARD_MINUTES));
                assertThat(producer.isAlive()).as("%s finished within the hang guard", producer.getName()).isFalse();
            }
            assertThat(ledger.inFlight.tryAcquire(IN_FLIGHT, GUARD_MINUTES, TimeUnit.MINUTES))
                    .as("every task finished within the hang guard").isTrue();
            long elapsed = System.nanoTime() - start;
            long peak = peakHeap();

            long spawned = ledger.spawned.sum();
            assertThat(ledger.finished()).as("completed + cancelled + failed").isEqualTo(spawned);
            assertThat(spawned).as("every top-level spawn, and the nested ones").isGreaterThanOrEqualTo(SPAWNS);
            assertThat(failuresReachedTheirTask.sum()).as("failures that reached their own task")
                    .isEqualTo(failuresThrown.sum());
            assertThat(ledger.failed.sum()).as("failed tasks").isEqualTo(failuresThrown.sum());
            assertThat(unexpected.sum()).as("tasks that failed without being meant to").isZero();
            assertThat(uncaught).as("failures that escaped to a worker").isEmpty();
            assertThat(workers("soak")).as("no worker died").allMatch(Thread::isAlive)
                    .hasSize(((AbstractDispatcher) dispatcher).options().backgroundThreads() + 1);

            dispatcher.close();
            long after = heapAfterFullGc();
            String figures = String.format(Locale.ROOT, "%s dispatcher, %d top-level spawns from %d producers "
                            + "(%d tasks with the nested ones): %.0f ns per task; %d succeeded, %d failed, %d cancelled; "
                            + "heap baseline %.1f MiB, peak %.1f MiB (sum of the pools' peaks), after a full GC %.1f MiB%n",
                    kind.name().toLowerCase(Locale.ROOT), SPAWNS, PRODUCERS, spawned, (double) elapsed / spawned,
                    ledger.succeeded.sum(), ledger.failed.sum(), ledger.cancelled.sum(), mib(baseline),
                    mib(peak), mib(after));
            System.out.print(figures);
            record(kind, figures);
            assertThat(after).as("heap after a full GC, against the baseline of %d bytes", baseline)
                    .isLessThanOrEqualTo(baseline + HEAP_SLACK_BYTES);
        } finally {
            dispatcher.close();
        }
    }

    private static void produce(Executor executor, Ledger ledger, SplittableRandom random, long count,
            LongAdder failuresThrown, LongAdder failuresReachedTheirTask, LongAdder unexpected) {
        TaskLabel[] labels = {TaskLabel.of("soak-a"), TaskLabel.of("soak-b"), null};
        for (long i = 0; i < count; i++) {
            ledger.inFlight.acquireUninterruptibly();
            Priority priority = Priority.values()[random.nextInt(3)];
            TaskLabel label = labels[random.nextInt(labels.length)];
            int kind = random.nextInt(10);
            long timerMicros = random.nextInt(2_000);
            Task<?> task;
            if (kind < 5) {
                task = executor.spawn(label, priority, () -> 1);
            } else if (kind == 5) {
                IllegalStateException failure = new IllegalStateException("soak failure");
                failuresThrown.increment();
                task = executor.spawn(label, priority, () -> {
                    throw failure;
                });
                task.whenComplete((value, thrown) -> {
                    if (thrown == failure) {
                        failuresReachedTheirTask.increment();
                    }
                });
            } else if (kind == 6) {
                task = executor.spawn(label, priority, () -> executor.spawn(() -> 2).join() + 1);
            } else if (kind == 7) {
                task = executor.spawn(label, priority, () -> {
                    executor.timer(Duration.ofNanos(TimeUnit.MICROSECONDS.toNanos(timerMicros))).join();
                    return 3;
                });
            } else if (kind == 8) {
                task = executor.spawn(label, priority, () -> 4);
                task.cancel();
            } else {
                // A body parked on a timer when it is cancelled wakes and unwinds.
                task = executor.spawn(label, priority, () -> {
                    executor.timer(Duration.ofMinutes(10)).join();
                    return 5;
                });
                task.cancel();
            }
            task.whenComplete((value, thrown) -> {
                if (thrown != null && !(thrown instanceof CancellationException) && kind != 5) {
                    unexpected.increment();
                }
            });
            // Released once the task has finished for its observers too, so none is left running at the end.
            task.whenComplete((value, thrown) -> ledger.inFlight.release());
        }
    }

    private static List<Thread> workers(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(thread -> thread.getName().startsWith(prefix + "-"))
                .toList();
    }

    private static long heapAfterFullGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        // Collect until a collection frees nothing more: weakly reachable objects go in rounds.
        for (int round = 0; round < 5; round++) {
            System.gc();
            long now = memory.getHeapMemoryUsage().getUsed();
            if (now >= used) {
                return now;
            }
            used = now;
        }
        return used;
    }

    private static void resetPeakHeap() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    /** {@return the heap's peak since the reset: the sum of each pool's peak, an upper bound} */
    private static long peakHeap() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak;
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    private static void record(Kind kind, String figures) throws IOException {
        Path target = Path.of("target");
        if (Files.isDirectory(target)) {
            Files.writeString(target.resolve("soak-" + kind.name().toLowerCase(Locale.ROOT) + ".txt"), figures);
        }
    }
}
