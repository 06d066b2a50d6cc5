package dev.scheduler.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.scheduler.Cancellable;
import dev.scheduler.Executor;
import dev.scheduler.ForegroundExecutor;
import dev.scheduler.Priority;
import dev.scheduler.SessionId;
import dev.scheduler.Task;
import dev.scheduler.TaskId;
import dev.scheduler.TaskLabel;
import dev.scheduler.TaskMetadata;
import dev.scheduler.Unparker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
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
    void underContentionStepsAreDrawnByPriorityWeightAndLowIsNeverStarved() throws Exception {
        assumeTrue(boundedPool(), "the operating system's pool runs queued steps on new threads");
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch busy = new CountDownLatch(backgroundThreads());
        for (int i = 0; i < backgroundThreads(); i++) {
            dispatcher.schedule(() -> {
                busy.countDown();
                awaitQuietly(release);
            }, background(Priority.HIGH));
        }
        await(busy);
        int perLevel = 3000;
        ConcurrentLinkedQueue<Priority> order = new ConcurrentLinkedQueue<>();
        CountDownLatch done = new CountDownLatch(3 * perLevel);
        for (int i = 0; i < perLevel; i++) {
            for (Priority priority : Priority.values()) {
                dispatcher.schedule(() -> {
                    order.add(priority);
                    done.countDown();
                }, background(priority));
            }
        }
        assertThat(dispatcher.queueDepths().background()).isEqualTo(3 * perLevel);

        release.countDown();
        await(done);

        // While every level still holds steps (the first 1,500 draws take at most about 900 of the
        // 3,000 HIGH ones), the draw follows the weights 60/30/10; the margins are wide.
        Map<Priority, Long> firstDraws = order.stream().limit(1500)
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertThat(firstDraws.getOrDefault(Priority.HIGH, 0L)).isBetween(675L, 1125L);
        assertThat(firstDraws.getOrDefault(Priority.MEDIUM, 0L)).isBetween(300L, 600L);
        assertThat(firstDraws.getOrDefault(Priority.LOW, 0L)).isBetween(60L, 300L);
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

    /**
     * Foreground and background bodies setting timers all at once, while the main loop fires them:
     * every user of the timers' lock at the same moment, carriers and the virtual threads they carry.
     * A lock that parks its waiters could leave a foreground body queued for it with the main loop
     * queued behind it, and nothing to run the body on.
     */
    @Test
    void foregroundAndBackgroundBodiesSettingTimersAllAtOnceNeverStallTheDispatcher() throws Exception {
        Executor background = new Executor(dispatcher);
        ForegroundExecutor ui = onMainThread(() -> new ForegroundExecutor(dispatcher));
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Runnable timers = () -> {
                for (int timer = 0; timer < 100; timer++) {
                    (dispatcher.isMainThread() ? ui : background).timer(Duration.ofNanos(timer % 3)).join();
                }
            };
            done.add(background.spawn(timers).toCompletableFuture());
            done.add(onMainThread(() -> ui.spawn(timers)).toCompletableFuture());
        }

        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(GUARD_SECONDS, TimeUnit.SECONDS);
        assertThat(uncaught).isEmpty();
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
    void aCancelledTimerIsWithdrawnAndNeverFires() throws Exception {
        AtomicReference<String> cancelledRan = new AtomicReference<>("no");
        // Far in the future, so that it is surely still pending when cancel() runs, however slow the machine.
        Cancellable cancelled = dispatcher.scheduleAfter(Duration.ofHours(1), () -> cancelledRan.set("yes"));
        CountDownLatch later = new CountDownLatch(1);
        dispatcher.scheduleAfter(Duration.ZERO, later::countDown);

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

    @Test
    void stepsThatThrowErrorsGoToTheHandlerAndKillNoThread() throws Exception {
        dispatcher.schedule(() -> {
            throw new OutOfMemoryError("background step");
        }, background(Priority.MEDIUM));
        dispatcher.scheduleForeground(() -> {
            throw new StackOverflowError("foreground step");
        }, foreground());
        dispatcher.scheduleAfter(Duration.ZERO, () -> {
            throw new AssertionError("timer step");
        });
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Throwable failure = uncaught.poll(GUARD_SECONDS, TimeUnit.SECONDS);
            assertThat(failure).as("failure %d reached the handler", i).isNotNull();
            failures.add(failure.getClass().getSimpleName() + ": " + failure.getMessage());
        }

        assertThat(failures).containsExactlyInAnyOrder("OutOfMemoryError: background step",
                "StackOverflowError: foreground step", "AssertionError: timer step");
        Executor executor = new Executor(dispatcher);
        assertThat(executor.blockOn(executor.spawn(() -> "still running"))).isEqualTo("still running");
        assertThat(onMainThread(() -> "main loop alive")).isEqualTo("main loop alive");
    }

    @Test
    void aTimerCancelledWhileItFiresEitherRunsOnceOrNotAtAll() throws Exception {
        int timers = 5_000;
        AtomicIntegerArray ran = new AtomicIntegerArray(timers);
        AtomicIntegerArray withdrawn = new AtomicIntegerArray(timers);
        BlockingQueue<Cancellable> toCancel = new LinkedBlockingQueue<>();
        Thread canceller = Thread.ofPlatform().name("canceller").start(() -> {
            for (int i = 0; i < timers; i++) {
                try {
                    Cancellable timer = toCancel.take();
                    int index = i;
                    if (timer.cancel()) {
                        withdrawn.set(index, 1);
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        AtomicInteger ranInAll = new AtomicInteger();
        for (int i = 0; i < timers; i++) {
            int index = i;
            toCancel.add(dispatcher.scheduleAfter(Duration.ZERO, () -> {
                ran.incrementAndGet(index);
                ranInAll.incrementAndGet();
            }));
        }
        canceller.join(TimeUnit.SECONDS.toMillis(GUARD_SECONDS));
        assertThat(canceller.isAlive()).as("the canceller finished within the hang guard").isFalse();
        // Every timer that was not withdrawn fires: wait for those (a hang guard), then check each.
        int withdrawnInAll = 0;
        for (int i = 0; i < timers; i++) {
            withdrawnInAll += withdrawn.get(i);
        }
        long guard = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
        while (ranInAll.get() < timers - withdrawnInAll && System.nanoTime() - guard < 0) {
            Thread.onSpinWait();
        }

        for (int i = 0; i < timers; i++) {
            assertThat(ran.get(i) + withdrawn.get(i)).as("timer %d ran %d times and was withdrawn %d times",
                    i, ran.get(i), withdrawn.get(i)).isEqualTo(1);
        }
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
        CompletableFuture<Void> shutDown = new CompletableFuture<>();
        Task<String> accepted = executor.spawn(() -> {
            executor.blockOn(shutDown); // parks until the dispatcher is surely shut down
            executor.timer(Duration.ofMillis(1)).join();
            return executor.spawn(() -> "child").join();
        });
        CompletableFuture<Throwable> outcome = accepted.toCompletableFuture()
                .handle((value, failure) -> failure);

        dispatcher.shutdown();
        shutDown.complete(null);

        assertThat(dispatcher.isShutdown()).isTrue();
        assertThatThrownBy(() -> executor.spawn(() -> 1)).isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("is shut down, so it does not accept task #");
        dispatcher.close();
        assertThat(outcome).as("the accepted task ran on, and its new child was refused").isCompleted();
        assertThat(outcome.join()).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(RejectedExecutionException.class)
                .hasMessageMatching("The \\w+ dispatcher is shut down, so it does not accept task #\\d+");
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

    @Test
    void shutdownNowCancelsUnfinishedTasksSoTheirWaitersWakeAndTheirBodiesUnwind() throws Exception {
        Executor executor = new Executor(dispatcher);
        CountDownLatch never = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(2);
        CountDownLatch unwound = new CountDownLatch(2);
        List<Task<Void>> tasks = new ArrayList<>();
        for (String label : List.of("latch-a", "latch-b")) {
            tasks.add(executor.spawnLabeled(TaskLabel.of(label), () -> {
                try {
                    started.countDown();
                    never.await();
                } finally {
                    unwound.countDown();
                }
                return null;
            }));
        }
        await(started);
        CompletableFuture<Throwable> waiter = waitWithoutTimeout(tasks.getFirst());

        ShutdownReport report = dispatcher.shutdownNow();

        assertThat(report.cancelledTasks()).extracting(TaskMetadata::label)
                .containsExactly(TaskLabel.of("latch-a"), TaskLabel.of("latch-b"));
        assertThat(report.toString()).contains("cancelled 2 unfinished tasks (task #")
                .contains("\"latch-a\"").contains("\"latch-b\"");
        assertThat(waiter.get(GUARD_SECONDS, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
        assertThat(tasks).allMatch(Task::isCancelled);
        await(unwound);
        assertThat(dispatcher.awaitTermination(Duration.ofSeconds(GUARD_SECONDS))).isTrue();
    }

    @Test
    void closeGivesUpOnTasksStillParkedAfterItsTimeoutAndNamesThem() throws Exception {
        Executor executor = new Executor(dispatcher);
        CountDownLatch never = new CountDownLatch(1);
        Task<Void> parked = executor.spawnLabeled(TaskLabel.of("parked"), () -> {
            never.await();
            return null;
        });
        Task<Void> timer = executor.timer(Duration.ofHours(1));
        CompletableFuture<Throwable> taskWaiter = waitWithoutTimeout(parked);
        CompletableFuture<Throwable> timerWaiter = waitWithoutTimeout(timer);

        ShutdownReport report = dispatcher.close(Duration.ofMillis(200));

        assertThat(report.cancelledTasks()).extracting(TaskMetadata::label).containsExactly(TaskLabel.of("parked"));
        assertThat(report.droppedTimers()).as("the hour-long timer").isEqualTo(1);
        assertThat(taskWaiter.get(GUARD_SECONDS, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
        assertThat(timerWaiter.get(GUARD_SECONDS, TimeUnit.SECONDS)).as("a timer task dropped at close is cancelled")
                .isInstanceOf(CancellationException.class);
        assertThat(dispatcher.isTerminated()).isTrue();
    }

    @Test
    void aContinuationArrivingAfterCloseIsDroppedNeverThrownOntoTheThreadThatWokeIt() throws Exception {
        Executor executor = new Executor(dispatcher);
        AtomicReference<Thread> body = new AtomicReference<>();
        CountDownLatch reparked = new CountDownLatch(1);
        AtomicInteger parks = new AtomicInteger();
        // A body that shrugs off the interrupt of its cancellation and parks again.
        Task<Void> stubborn = executor.spawnLabeled(TaskLabel.of("stubborn"), () -> {
            body.set(Thread.currentThread());
            while (true) {
                if (parks.incrementAndGet() == 2) {
                    reparked.countDown();
                }
                LockSupport.park();
                Thread.interrupted();
            }
        });
        while (body.get() == null || body.get().getState() != Thread.State.WAITING) {
            Thread.onSpinWait();
        }
        dispatcher.shutdownNow(); // cancels it and interrupts it: it resumes once and parks again
        await(reparked);
        while (body.get().getState() != Thread.State.WAITING) {
            Thread.onSpinWait();
        }
        List<LogRecord> logged = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger taskLog = Logger.getLogger(Task.class.getName());
        taskLog.addHandler(capture);
        taskLog.setLevel(Level.ALL);
        try {
            dispatcher.close(Duration.ZERO);

            LockSupport.unpark(body.get()); // its continuation reaches a closed dispatcher

            assertThat(stubborn.isCancelled()).isTrue();
            assertThat(logged).extracting(LogRecord::getMessage).anySatisfy(message -> assertThat(message)
                    .startsWith("Dropped a continuation of task " + stubborn.id() + " \"stubborn\", which is cancelled: ")
                    .contains("is closed"));
        } finally {
            taskLog.removeHandler(capture);
            taskLog.setLevel(null);
        }
    }

    /**
     * The JDK gives a virtual thread the scheduler of the virtual thread that started it. Its own
     * socket pollers are such threads, started by the first socket read on a virtual thread: had a
     * task's read started them as steps of that task, every socket read on a virtual thread in the
     * JVM would hang once its dispatcher closed.
     */
    @Test
    void aVirtualThreadABodyStartsIsNoStepOfTheTaskAndOutlivesTheDispatcher() throws Exception {
        Executor executor = new Executor(dispatcher);
        SynchronousQueue<String> handOver = new SynchronousQueue<>();
        CompletableFuture<String> took = new CompletableFuture<>();
        AtomicReference<Object> taskSeenByTheThread = new AtomicReference<>();
        Thread started = executor.spawn(() -> Thread.ofVirtual().start(() -> {
            taskSeenByTheThread.set(Task.current());
            try {
                took.complete(handOver.take());
            } catch (Throwable e) {
                took.completeExceptionally(e);
            }
        })).join();
        while (started.getState() != Thread.State.WAITING) {
            Thread.onSpinWait();
        }
        dispatcher.close();

        assertThat(handOver.offer("after the close", GUARD_SECONDS, TimeUnit.SECONDS)).as("taken within the hang guard")
                .isTrue();
        assertThat(took.get(GUARD_SECONDS, TimeUnit.SECONDS)).isEqualTo("after the close");
        assertThat(started.join(Duration.ofSeconds(GUARD_SECONDS))).as("ended within the hang guard").isTrue();
        assertThat(taskSeenByTheThread.get()).isEqualTo(java.util.Optional.empty());
    }

    // ---------------------------------------------------------------- what a body's thread carries

    /** An inheritable thread local the spawning threads set, as an MDC or a request context would be. */
    private static final InheritableThreadLocal<String> SPAWNER_CONTEXT = new InheritableThreadLocal<>();

    /** A thread local a body sets and must not find again in another body. */
    private static final ThreadLocal<String> BODY_STATE = new ThreadLocal<>();

    @Test
    void aBodyGetsItsSpawnersClassLoaderAndInheritableThreadLocalsAsTheyWereAtTheSpawn() throws Exception {
        Executor executor = new Executor(dispatcher);
        ClassLoader loader = new ClassLoader(getClass().getClassLoader()) { };
        CompletableFuture<Task<List<Object>>> spawned = new CompletableFuture<>();
        Thread spawner = Thread.ofPlatform().name("spawner-with-context").start(() -> {
            Thread.currentThread().setContextClassLoader(loader);
            SPAWNER_CONTEXT.set("request 42");
            Task<List<Object>> task = executor.spawn(
                    () -> List.of(Thread.currentThread().getContextClassLoader(), String.valueOf(SPAWNER_CONTEXT.get())));
            SPAWNER_CONTEXT.set("changed after the spawn");
            spawned.complete(task);
        });
        Task<List<Object>> plain = executor.spawn(
                () -> List.of(Thread.currentThread().getContextClassLoader(), String.valueOf(SPAWNER_CONTEXT.get())));

        assertThat(spawned.get(GUARD_SECONDS, TimeUnit.SECONDS).join()).containsExactly(loader, "request 42");
        assertThat(plain.join()).containsExactly(Thread.currentThread().getContextClassLoader(), "null");
        spawner.join();
    }

    @Test
    void nothingABodyLeavesOnItsThreadReachesALaterBody() {
        Executor executor = new Executor(dispatcher);
        List<String> leftovers = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            // One after another, so that a thread that runs bodies in turn runs these.
            leftovers.addAll(executor.spawn(() -> {
                List<String> found = new ArrayList<>();
                if (BODY_STATE.get() != null) {
                    found.add("thread local " + BODY_STATE.get());
                }
                if (SPAWNER_CONTEXT.get() != null) {
                    found.add("inheritable thread local " + SPAWNER_CONTEXT.get());
                }
                if (Thread.currentThread().isInterrupted()) {
                    found.add("interrupt status");
                }
                if (Thread.currentThread().getUncaughtExceptionHandler() instanceof LeftBehind) {
                    found.add("uncaught-exception handler");
                }
                String left = "left by " + Task.current().orElseThrow().id();
                BODY_STATE.set(left);
                SPAWNER_CONTEXT.set(left);
                Thread.currentThread().setUncaughtExceptionHandler(new LeftBehind());
                Thread.currentThread().interrupt();
                return found;
            }).join());
        }

        assertThat(leftovers).isEmpty();
    }

    /** An uncaught-exception handler a body sets on its thread and leaves there. */
    private static final class LeftBehind implements Thread.UncaughtExceptionHandler {
        @Override
        public void uncaughtException(Thread thread, Throwable failure) {
        }
    }

    @Test
    void aBodyIsNamedForItsTaskWhileItRuns() {
        Executor executor = new Executor(dispatcher);
        Task<String> labelled = executor.spawnLabeled(TaskLabel.of("indexer"), () -> Thread.currentThread().getName());
        Task<String> plain = executor.spawn(() -> Thread.currentThread().getName());

        assertThat(labelled.join()).isEqualTo("task-" + labelled.id().value() + " indexer");
        assertThat(plain.join()).isEqualTo("task-" + plain.id().value());
    }

    /**
     * Cancelling interrupts the body, so that one parked in a plain JDK wait wakes; a cancel that
     * races with the body's start or end interrupts that body or none, never one that runs later on
     * the same thread.
     */
    @Test
    void aCancelRacingABodysStartOrEndInterruptsThatBodyOrNoneAndNeverALaterOne() throws Exception {
        Executor executor = new Executor(dispatcher);
        AtomicInteger parkedForever = new AtomicInteger();
        List<Task<Boolean>> bystanders = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            Task<Void> sleeper = executor.spawn(() -> {
                parkedForever.incrementAndGet();
                try {
                    Thread.sleep(Duration.ofDays(1)); // a plain JDK wait: only an interrupt ends it
                } catch (InterruptedException expected) {
                    // the cancel's interrupt
                } finally {
                    parkedForever.decrementAndGet();
                }
            });
            bystanders.add(executor.spawn(() -> Thread.currentThread().isInterrupted()));
            sleeper.cancel();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
        while (parkedForever.get() != 0) {
            assertThat(System.nanoTime() - deadline).as("every cancelled sleeper woke within the hang guard, %d left",
                    parkedForever.get()).isNegative();
            Thread.onSpinWait();
        }

        assertThat(bystanders).extracting(Task::join).as("bodies that found an interrupt meant for another").containsOnly(false);
    }

    /** Bodies that park keep their threads, and the dispatcher's threads run the one that wakes them. */
    @Test
    void bodiesParkedByTheHundredLeaveTheDispatcherFreeForTheOneThatWakesThem() {
        Executor executor = new Executor(dispatcher);
        CompletableFuture<String> gate = new CompletableFuture<>();
        List<Task<String>> waiting = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            waiting.add(executor.spawn(() -> executor.blockOn(gate)));
        }
        executor.spawn(() -> gate.complete("open")).join();

        assertThat(waiting).extracting(Task::join).containsOnly("open").hasSize(300);
    }

    @Test
    void aTaskThatJoinsItselfFailsAtOnce() {
        Executor executor = new Executor(dispatcher);
        CompletableFuture<Task<Object>> self = new CompletableFuture<>();
        Task<Object> task = executor.spawnLabeled(TaskLabel.of("ouroboros"), () -> self.join().join());
        self.complete(task);

        assertThatThrownBy(() -> executor.blockOn(task)).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(IllegalStateException.class)
                .hasMessage("Join cycle: task " + task.id() + " \"ouroboros\" waits for itself, so it can never finish");
    }

    @Test
    void twoTasksThatJoinEachOtherFailAtOnceNamingTheCycle() {
        Executor executor = new Executor(dispatcher);
        CompletableFuture<Task<Object>> alphaHandle = new CompletableFuture<>();
        CompletableFuture<Task<Object>> betaHandle = new CompletableFuture<>();
        Task<Object> alpha = executor.spawnLabeled(TaskLabel.of("alpha"), () -> executor.blockOn(betaHandle).join());
        Task<Object> beta = executor.spawnLabeled(TaskLabel.of("beta"), () -> executor.blockOn(alphaHandle).join());
        alphaHandle.complete(alpha);
        betaHandle.complete(beta);

        Throwable alphaFailure = catchThrowable(() -> executor.blockOn(alpha));
        Throwable betaFailure = catchThrowable(() -> executor.blockOn(beta));

        // Whichever closed the cycle fails with it; the other fails because it waited for that one.
        String alphaFirst = "Join cycle: task " + alpha.id() + " \"alpha\" waits for task " + beta.id()
                + " \"beta\" waits for task " + alpha.id() + " \"alpha\", so none of them can ever finish";
        String betaFirst = "Join cycle: task " + beta.id() + " \"beta\" waits for task " + alpha.id()
                + " \"alpha\" waits for task " + beta.id() + " \"beta\", so none of them can ever finish";
        assertThat(List.of(alphaFailure, betaFailure)).allSatisfy(failure -> assertThat(failure)
                .isInstanceOf(CompletionException.class).rootCause().isInstanceOf(IllegalStateException.class)
                .message().isIn(alphaFirst, betaFirst));
    }

    @Test
    void joiningAForegroundTaskOnTheMainThreadOutsideATaskFailsInsteadOfHanging() throws Exception {
        Throwable refused = onMainThread(() -> {
            ForegroundExecutor ui = new ForegroundExecutor(dispatcher);
            Task<Integer> own = ui.spawnLabeled(TaskLabel.of("render"), () -> 1);
            return catchThrowable(own::join);
        });

        assertThat(refused).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("\"render\"")
                .hasMessageContaining("could never end: it is a foreground task, and this thread, which runs the "
                        + "foreground steps, would be the one blocked");
    }

    // ---------------------------------------------------------------- plain blocking Java inside tasks

    @Test
    void aMonitorContendedAcrossJoinsAdmitsOneTaskAtATime() throws Exception {
        Executor executor = new Executor(dispatcher);
        Object monitor = new Object();
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger mostInside = new AtomicInteger();
        List<Task<Void>> tasks = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            tasks.add(executor.spawn(() -> {
                for (int round = 0; round < 20; round++) {
                    synchronized (monitor) {
                        mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                        executor.spawn(() -> { }).join(); // unmounts with the monitor held
                        inside.decrementAndGet();
                    }
                }
            }));
        }
        for (Task<Void> task : tasks) {
            task.get(GUARD_SECONDS, TimeUnit.SECONDS);
        }

        assertThat(mostInside.get()).isEqualTo(1);
        assertThat(uncaught).isEmpty();
    }

    @Test
    void waitAndNotifyAllHandValuesFromAProducerToItsConsumers() {
        Executor executor = new Executor(dispatcher);
        List<Integer> shelf = new ArrayList<>();
        List<Task<Integer>> consumers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            consumers.add(executor.spawn(() -> {
                synchronized (shelf) {
                    while (shelf.isEmpty()) {
                        shelf.wait();
                    }
                    return shelf.removeFirst();
                }
            }));
        }
        executor.spawn(() -> {
            for (int item = 1; item <= 4; item++) {
                Thread.sleep(1);
                synchronized (shelf) {
                    shelf.add(item);
                    shelf.notifyAll();
                }
            }
            return null;
        });

        List<Integer> taken = new ArrayList<>();
        for (Task<Integer> consumer : consumers) {
            taken.add(executor.blockWithTimeout(Duration.ofSeconds(GUARD_SECONDS), consumer).orElseThrow());
        }
        assertThat(taken).containsExactlyInAnyOrder(1, 2, 3, 4);
    }

    @Test
    void timedWaitsInsideTasksReturnTheirTimedOutValuesAfterAtLeastTheirTimeout() {
        Executor executor = new Executor(dispatcher);
        Task<List<Object>> waits = executor.spawn(() -> {
            long start = System.nanoTime();
            Thread.sleep(30);
            long slept = System.nanoTime() - start;
            Object monitor = new Object();
            synchronized (monitor) {
                monitor.wait(5);
            }
            java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
            lock.lock();
            boolean signalled;
            try {
                signalled = lock.newCondition().await(5, TimeUnit.MILLISECONDS);
            } finally {
                lock.unlock();
            }
            Throwable timedOut = catchThrowable(() -> new CompletableFuture<>().get(5, TimeUnit.MILLISECONDS));
            Throwable orTimeout = catchThrowable(() -> new CompletableFuture<>().orTimeout(5, TimeUnit.MILLISECONDS).join());
            return List.of(slept >= TimeUnit.MILLISECONDS.toNanos(30),
                    String.valueOf(new LinkedBlockingQueue<String>().poll(5, TimeUnit.MILLISECONDS)),
                    new CountDownLatch(1).await(5, TimeUnit.MILLISECONDS), signalled,
                    timedOut.getClass().getSimpleName(), orTimeout.getCause().getClass().getSimpleName());
        });

        assertThat(executor.blockWithTimeout(Duration.ofSeconds(GUARD_SECONDS), waits).orElseThrow())
                .containsExactly(true, "null", false, false, "TimeoutException", "TimeoutException");
    }

    @Test
    void aForegroundTaskThatSleepsResumesOnTheMainThread() throws Exception {
        Task<Boolean> onMain = onMainThread(() -> new ForegroundExecutor(dispatcher).spawn(() -> {
            Thread.sleep(5);
            return dispatcher.isMainThread();
        }));

        assertThat(new Executor(dispatcher).blockWithTimeout(Duration.ofSeconds(GUARD_SECONDS), onMain).orElseThrow())
                .isTrue();
    }

    @Test
    void aMonitorHandedToATaskAfterCloseIsDroppedNeverThrownOntoTheJdksUnblocker() throws Exception {
        Executor executor = new Executor(dispatcher);
        Object monitor = new Object();
        Task<Void> blocked;
        synchronized (monitor) {
            AtomicReference<Thread> body = new AtomicReference<>();
            blocked = executor.spawnLabeled(TaskLabel.of("blocked"), () -> {
                body.set(Thread.currentThread());
                synchronized (monitor) {
                    return;
                }
            });
            while (body.get() == null || body.get().getState() != Thread.State.BLOCKED) {
                Thread.onSpinWait();
            }

            ShutdownReport report = dispatcher.close(Duration.ZERO);

            assertThat(report.cancelledTasks()).extracting(TaskMetadata::label).contains(TaskLabel.of("blocked"));
            assertThat(blocked.isCancelled()).isTrue();
        } // the release hands the monitor to the blocked body: the JDK's unblocker submits it to the closed dispatcher

        // The unblocker is one thread for the whole JVM: had the refusal been thrown onto it, it would
        // be dead, and no monitor would ever be handed to a waiting virtual thread again.
        Object other = new Object();
        Thread waiter;
        synchronized (other) {
            waiter = Thread.ofVirtual().start(() -> {
                synchronized (other) {
                    other.notifyAll();
                }
            });
            while (waiter.getState() != Thread.State.BLOCKED) {
                Thread.onSpinWait();
            }
        }
        assertThat(waiter.join(Duration.ofSeconds(GUARD_SECONDS))).as("handed over within the hang guard").isTrue();
        assertThat(uncaught).isEmpty();
    }

    /** Waits for {@code future} on a new platform thread, with no timeout; completes with what get() threw, or null. */
    static CompletableFuture<Throwable> waitWithoutTimeout(Future<?> future) {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread.ofPlatform().name("waiter").daemon(true).start(() -> {
            try {
                future.get();
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.complete(e);
            }
        });
        return outcome;
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
