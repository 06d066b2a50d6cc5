package dev.scheduler.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.scheduler.Cancellable;
import dev.scheduler.Executor;
import dev.scheduler.ForegroundExecutor;
import dev.scheduler.Priority;
import dev.scheduler.SessionId;
import dev.scheduler.Task;
import dev.scheduler.TaskId;
import dev.scheduler.TaskMetadata;
import dev.scheduler.Unparker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every dispatcher promises, written once and run against each of them. Waits are bounded by
 * generous hang guards, never asserted on: a dispatcher that loses work fails here by timing out.
 */
abstract class DispatcherContract {

    /** A hang guard, not a timing assertion. */
    static final long GUARD_SECONDS = 120;

    final BlockingQueue<Throwable> uncaught = new LinkedBlockingQueue<>();
    Dispatcher dispatcher;

    /** Creates the dispatcher under test; the suite closes it. */
    abstract Dispatcher create(DispatcherOptions options);

    /** {@return how many background steps the dispatcher under test runs at once} */
    int backgroundThreads() {
        return 2;
    }

    /**
     * {@return whether steps queue up once {@link #backgroundThreads()} of them block} An
     * operating system's pool may start more threads instead.
     */
    boolean boundedPool() {
        return true;
    }

    DispatcherOptions options() {
        return DispatcherOptions.defaults().withBackgroundThreads(2).withThreadNamePrefix("contract")
                .withShutdownTimeout(Duration.ofSeconds(30))
                .withUncaughtExceptionHandler((thread, failure) -> uncaught.add(failure));
    }

    @BeforeEach
    void createDispatcher() {
        dispatcher = create(options());
    }

    @AfterEach
    void closeDispatcher() {
        dispatcher.close();
    }

    static TaskMetadata background(Priority priority) {
        return new TaskMetadata(TaskId.next(), null, priority, null, null);
    }

    static TaskMetadata foreground() {
        return new TaskMetadata(TaskId.next(), null, Priority.MEDIUM, SessionId.next(), null);
    }

    /** Runs {@code body} as a plain step on the foreground thread and returns what it returned. */
    <T> T onMainThread(Callable<T> body) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        dispatcher.scheduleForeground(() -> {
            try {
                result.complete(body.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, foreground());
        return result.get(GUARD_SECONDS, TimeUnit.SECONDS);
    }

    static void await(CountDownLatch latch) throws InterruptedException {
        assertThat(latch.await(GUARD_SECONDS, TimeUnit.SECONDS)).as("finished within the hang guard").isTrue();
    }

    // ---------------------------------------------------------------- no work is lost

    @Test
    void everyTaskSpawnedByFourProducersCompletesExactlyOnce() throws Exception {
        int producers = 4;
        int perProducer = 250_000;
        Executor executor = new Executor(dispatcher);
        AtomicIntegerArray runs = new AtomicIntegerArray(producers * perProducer);
        CountDownLatch finished = new CountDownLatch(producers * perProducer);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int first = p * perProducer;
            threads.add(Thread.ofPlatform().name("producer-" + p).start(() -> {
                for (int i = first; i < first + perProducer; i++) {
                    int index = i;
                    executor.spawn(() -> {
                        runs.incrementAndGet(index);
                        finished.countDown();
                    });
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        await(finished);

        for (int i = 0; i < runs.length(); i++) {
            assertThat(runs.get(i)).as("runs of task %d", i).isEqualTo(1);
        }
        assertThat(uncaught).isEmpty();
    }

    @Test
    void aBodyThatBlocksOnAnotherTaskOrATimerResumesAndFinishes() {
        Executor executor = new Executor(dispatcher);
        Task<Integer> slow = executor.spawn(() -> {
            executor.timer(Duration.ofMillis(5)).join();
            return 20;
        });
        Task<Integer> waiting = executor.spawn(() -> slow.join() + 1);

        assertThat(executor.blockOn(waiting)).isEqualTo(21);
    }

    // ---------------------------------------------------------------- foreground confinement

    @Test
    void foregroundStepsRunOnTheMainThreadInTheOrderTheyArrive() throws Exception {
        int steps = 10_000;
        ConcurrentLinkedQueue<Integer> order = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Thread> threads = new ConcurrentLinkedQueue<>();
        CountDownLatch done = new CountDownLatch(steps);
        for (int i = 0; i < steps; i++) {
            int index = i;
            dispatcher.scheduleForeground(() -> {
                order.add(index);
                threads.add(Thread.currentThread());
                done.countDown();
            }, foreground());
        }
        await(done);

        assertThat(List.copyOf(order)).isSorted().hasSize(steps);
        Thread main = dispatcher.mainThread().orElseThrow();
        assertThat(threads).allSatisfy(thread -> assertThat(thread).isSameAs(main));
    }

    @Test
    void aForegroundTaskThatJoinsBackgroundWorkResumesOnTheMainThread() throws Exception {
        Executor background = new Executor(dispatcher);
        Thread main = onMainThread(Thread::currentThread);
        List<String> seen = new CopyOnWriteArrayList<>();

        Task<String> task = onMainThread(() -> {
            ForegroundExecutor ui = new ForegroundExecutor(dispatcher);
            return ui.spawn(() -> {
                seen.add("before " + dispatcher.isMainThread() + " " + carrierOf(Thread.currentThread()));
                String loaded = background.spawn(() -> "loaded on main? " + dispatcher.isMainThread()).join();
                ui.timer(Duration.ofMillis(1)).join();
                seen.add("after " + dispatcher.isMainThread() + " " + carrierOf(Thread.currentThread()));
                return loaded;
            });
        });

        assertThat(background.blockOn(task)).isEqualTo("loaded on main? false");
        assertThat(seen).containsExactly("before true " + main.getName(), "after true " + main.getName());
    }

    /** The name of the platform thread a virtual thread is mounted on, as its toString shows it. */
    static String carrierOf(Thread thread) {
        if (!thread.isVirtual()) {
            return thread.getName();
        }
        String description = thread.toString();
        return description.substring(description.lastIndexOf('@') + 1);
    }

    @Test
    void isMainThreadIsFalseOffTheMainThreadAndInBackgroundTasks() {
        Executor background = new Executor(dispatcher);

        assertThat(dispatcher.isMainThread()).isFalse();
        assertThat(background.blockOn(background.spawn(dispatcher::isMainThread))).isFalse();
    }

    // ---------------------------------------------------------------- timers

    @Test
    void timersNeverFireBeforeTheirDeadline() throws Exception {
        int timers = 200;
        long[] scheduledAt = new long[timers];
        long[] firedAt = new long[timers];
        long[] delays = new long[timers];
        CountDownLatch fired = new CountDownLatch(timers);
        for (int i = 0; i < timers; i++) {
            int index = i;
            delays[i] = TimeUnit.MICROSECONDS.toNanos((i * 7919L) % 20_000);
            scheduledAt[i] = System.nanoTime();
            dispatcher.scheduleAfter(Duration.ofNanos(delays[i]), () -> {
                firedAt[index] = System.nanoTime();
                fired.countDown();
            });
        }
        await(fired);

        for (int i = 0; i < timers; i++) {
            assertThat(firedAt[i] - scheduledAt[i]).as("timer %d, due after %d ns", i, delays[i])
                    .isGreaterThanOrEqualTo(delays[i]);
        }
    }

    @Test
    void aTimerTaskCompletesNoSoonerThanItsDuration() {
        Executor executor = new Executor(dispatcher);
        long start = System.nanoTime();

        executor.blockOn(executor.timer(Duration.ofMillis(20)));

        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(20));
    }

    @Test
    void aCancelledTimerNeverFires() throws Exception {
        AtomicReference<String> cancelledRan = new AtomicReference<>("no");
        Cancellable cancelled = dispatcher.scheduleAfter(Duration.ofMillis(10), () -> cancelledRan.set("yes"));
        CountDownLatch later = new CountDownLatch(1);
        dispatcher.scheduleAfter(Duration.ofMillis(40), later::countDown);

        assertThat(cancelled.cancel()).isTrue();
        assertThat(cancelled.cancel()).as("a second cancel").isFalse();
        await(later);
        assertThat(cancelledRan).hasValue("no");
        assertThat(dispatcher.queueDepths().timers()).isZero();
    }

    @Test
    void scheduleAfterRefusesBadArguments() {
        assertThatThrownBy(() -> dispatcher.scheduleAfter(Duration.ofMillis(-1), () -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("delay must not be negative, was PT-0.001S");
        assertThatThrownBy(() -> dispatcher.scheduleAfter(null, () -> { })).hasMessage("delay");
        assertThatThrownBy(() -> dispatcher.scheduleAfter(Duration.ZERO, null)).hasMessage("step");
        assertThatThrownBy(() -> dispatcher.schedule(null, background(Priority.LOW))).hasMessage("step");
        assertThatThrownBy(() -> dispatcher.schedule(() -> { }, null)).hasMessage("meta");
    }

    // ---------------------------------------------------------------- failures

    @Test
    void aFailingTaskReachesItsJoinAndTheDispatcherCarriesOn() {
        Executor executor = new Executor(dispatcher);
        List<Task<Integer>> failing = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            failing.add(executor.spawn(() -> {
                throw new IllegalStateException("boom");
            }));
        }
        for (Task<Integer> task : failing) {
            assertThatThrownBy(task::join).isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(IllegalStateException.class).hasRootCauseMessage("boom");
        }

        assertThat(executor.blockOn(executor.spawn(() -> 42))).isEqualTo(42);
        assertThat(uncaught).isEmpty();
    }

    @Test
    void aPlainStepThatThrowsGoesToTheHandlerAndKillsNoThread() throws Exception {
        for (int i = 0; i < 10; i++) {
            dispatcher.schedule(() -> {
                throw new IllegalStateException("background step");
            }, background(Priority.MEDIUM));
            dispatcher.scheduleForeground(() -> {
                throw new IllegalStateException("foreground step");
            }, foreground());
            dispatcher.scheduleAfter(Duration.ZERO, () -> {
                throw new IllegalStateException("timer step");
            });
        }
        CountDownLatch after = new CountDownLatch(3);
        dispatcher.schedule(after::countDown, background(Priority.LOW));
        dispatcher.scheduleForeground(after::countDown, foreground());
        dispatcher.scheduleAfter(Duration.ofMillis(1), after::countDown);
        await(after);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            Throwable failure = uncaught.poll(GUARD_SECONDS, TimeUnit.SECONDS);
            assertThat(failure).as("failure %d reached the handler", i).isNotNull();
            failures.add(failure.getMessage());
        }

        Executor executor = new Executor(dispatcher);
        assertThat(executor.blockOn(executor.spawn(() -> "still running"))).isEqualTo("still running");
        assertThat(onMainThread(() -> "main loop alive")).isEqualTo("main loop alive");
        assertThat(failures).containsOnly("background step", "foreground step", "timer step");
        assertThat(uncaught).isEmpty();
    }

    // ---------------------------------------------------------------- parking threads

    @Test
    void anUnparkBeforeTheParkIsNotLost() {
        Unparker unparker = dispatcher.unparker();
        unparker.unpark();

        assertThat(dispatcher.park(Duration.ofMinutes(5))).isTrue();
        assertThat(dispatcher.park(Duration.ofMillis(1))).as("the permit was used up").isFalse();
    }

    @Test
    void anUnparkFromAnotherThreadWakesThePark() throws Exception {
        Unparker unparker = dispatcher.unparker();
        new Executor(dispatcher).spawn(unparker::unpark);

        assertThat(dispatcher.park(Duration.ofSeconds(GUARD_SECONDS))).isTrue();
    }

    // ---------------------------------------------------------------- lifecycle

    @Test
    void closeLetsAcceptedTasksFinishAndThenRefusesEverything() {
        Executor executor = new Executor(dispatcher);
        Task<String> accepted = executor.spawn(() -> {
            executor.timer(Duration.ofMillis(20)).join();
            return executor.spawn(() -> "child").join();
        });
        CompletableFuture<String> outcome = accepted.toCompletableFuture().exceptionally(Throwable::toString);

        dispatcher.shutdown();

        assertThat(dispatcher.isShutdown()).isTrue();
        assertThatThrownBy(() -> executor.spawn(() -> 1)).isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("is shut down, so it does not accept task #");
        dispatcher.close();
        assertThat(outcome).isCompletedWithValueMatching(value -> value.contains("RejectedExecutionException"),
                "the accepted task ran on, and its new child was refused");
        assertThat(dispatcher.isTerminated()).isTrue();
        assertThatThrownBy(() -> dispatcher.schedule(() -> { }, background(Priority.HIGH)))
                .isInstanceOf(RejectedExecutionException.class).hasMessageContaining("is closed");
        assertThatThrownBy(() -> dispatcher.scheduleAfter(Duration.ZERO, () -> { }))
                .isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void shutdownNowReportsEveryQueuedStepAndPendingTimerItDropped() throws Exception {
        assumeTrue(boundedPool(), "the operating system's pool runs queued steps on new threads");
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch busy = new CountDownLatch(backgroundThreads());
        for (long i = busy.getCount(); i > 0; i--) {
            dispatcher.schedule(() -> {
                busy.countDown();
                awaitQuietly(release);
            }, background(Priority.HIGH));
        }
        await(busy);
        List<TaskMetadata> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            TaskMetadata meta = background(Priority.LOW);
            queued.add(meta);
            dispatcher.schedule(() -> { }, meta);
        }
        dispatcher.scheduleAfter(Duration.ofHours(1), () -> { });

        ShutdownReport report = dispatcher.shutdownNow();
        release.countDown();

        assertThat(report.droppedSteps()).containsExactlyInAnyOrderElementsOf(queued);
        assertThat(report.droppedTimers()).isEqualTo(1);
        assertThat(report.toString()).startsWith("dropped 5 queued steps (task #").endsWith("and 1 pending timer");
        assertThat(dispatcher.awaitTermination(Duration.ofSeconds(GUARD_SECONDS))).isTrue();
    }

    static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(GUARD_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void closeIsIdempotent() {
        dispatcher.close();
        dispatcher.close();

        assertThat(dispatcher.isTerminated()).isTrue();
    }
}
