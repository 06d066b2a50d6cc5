package dev.scheduler.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scheduler.Executor;
import dev.scheduler.ForegroundExecutor;
import dev.scheduler.Task;
import dev.scheduler.TaskLabel;
import dev.scheduler.test.TestScheduler;
import dev.scheduler.test.TestSchedulerConfig;
import dev.scheduler.test.junit.SchedulerTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Exchanger;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Phaser;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Plain blocking Java inside tasks under the {@code TestScheduler}, with the agent: every construct
 * works on every seed, timed ones on virtual time, and one seed always takes the same steps.
 */
class BlockingInsideTasksTest {

    private static final Instant START = TestScheduler.START;

    @Nested
    class Monitors {

        @SchedulerTest(iterations = 100)
        void aMonitorContendedAcrossJoinsLetsEveryTaskInTurn(TestScheduler scheduler) {
            Executor executor = scheduler.background();
            Object monitor = new Object();
            List<String> entries = Collections.synchronizedList(new ArrayList<>());

            List<Task<Void>> tasks = new ArrayList<>();
            for (String name : List.of("a", "b", "c")) {
                tasks.add(executor.spawn(() -> {
                    synchronized (monitor) {
                        entries.add(name + " in");
                        executor.spawn(() -> name).join(); // parks while holding the monitor
                        entries.add(name + " out");
                    }
                }));
            }
            tasks.forEach(Task::join);

            assertThat(entries).hasSize(6);
            for (int i = 0; i < 6; i += 2) { // never two inside at once
                assertThat(entries.get(i + 1)).isEqualTo(entries.get(i).replace(" in", " out"));
            }
        }

        @SchedulerTest(iterations = 100)
        void waitAndNotifyAllHandAValueFromProducerToConsumers(TestScheduler scheduler) {
            Executor executor = scheduler.background();
            Queue<Integer> shelf = new ArrayDeque<>();

            List<Task<Integer>> consumers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                consumers.add(executor.spawn(() -> {
                    synchronized (shelf) {
                        while (shelf.isEmpty()) {
                            shelf.wait();
                        }
                        return shelf.remove();
                    }
                }));
            }
            executor.spawn(() -> {
                for (int item = 1; item <= 3; item++) {
                    executor.timer(Duration.ofSeconds(1)).join();
                    synchronized (shelf) {
                        shelf.add(item);
                        shelf.notifyAll();
                    }
                }
            });

            List<Integer> taken = consumers.stream().map(Task::join).sorted().toList();

            assertThat(taken).containsExactly(1, 2, 3);
            assertThat(scheduler.now()).isEqualTo(START.plusSeconds(3));
        }

        @SchedulerTest(iterations = 100)
        void aTimedWaitTimesOutOnVirtualTimeAndANotifyEndsItEarly(TestScheduler scheduler) {
            Executor executor = scheduler.background();
            Object monitor = new Object();

            Task<Instant> timedOut = executor.spawn(() -> {
                synchronized (monitor) {
                    monitor.wait(Duration.ofMinutes(5).toMillis());
                }
                return scheduler.now();
            });
            assertThat(timedOut.join()).isEqualTo(START.plus(Duration.ofMinutes(5)));

            boolean[] notified = new boolean[1];
            Task<Instant> woken = executor.spawn(() -> {
                synchronized (monitor) {
                    while (!notified[0]) {
                        monitor.wait(Duration.ofHours(1).toMillis());
                    }
                }
                return scheduler.now();
            });
            executor.spawn(() -> {
                executor.timer(Duration.ofSeconds(7)).join();
                synchronized (monitor) {
                    notified[0] = true;
                    monitor.notify();
                }
            });
            assertThat(woken.join()).isEqualTo(START.plus(Duration.ofMinutes(5)).plusSeconds(7));
        }

        @SchedulerTest(iterations = 100)
        void aForegroundTaskBlockedOnAMonitorResumesOnItsSession(TestScheduler scheduler) {
            ForegroundExecutor ui = scheduler.foreground();
            Executor background = scheduler.background();
            Object model = new Object();

            Task<Void> holder = background.spawn(() -> {
                synchronized (model) {
                    background.timer(Duration.ofSeconds(1)).join();
                }
            });
            Task<Boolean> onUi = ui.spawn(() -> {
                background.timer(Duration.ofMillis(500)).join();
                synchronized (model) {
                    return scheduler.isMainThread();
                }
            });

            assertThat(onUi.join()).isTrue();
            holder.join();
        }
    }

    @Nested
    class Sleeping {

        @SchedulerTest(iterations = 100)
        void anHourOfThreadSleepPassesInVirtualTime(TestScheduler scheduler) {
            Task<Instant> sleeper = scheduler.background().spawn(() -> {
                Thread.sleep(Duration.ofHours(1));
                return scheduler.now();
            });

            assertThat(sleeper.join()).isEqualTo(START.plus(Duration.ofHours(1)));
        }

        @SchedulerTest(iterations = 100)
        void sleepsAndTimersFireInDeadlineOrder(TestScheduler scheduler) {
            Executor executor = scheduler.background();
            List<String> fired = Collections.synchronizedList(new ArrayList<>());

            Task<Void> late = executor.spawn(() -> {
                TimeUnit.SECONDS.sleep(3);
                fired.add("sleep 3s");
                return null;
            });
            Task<Void> early = executor.spawn(() -> {
                Thread.sleep(1_000);
                fired.add("sleep 1s");
                return null;
            });
            Task<Void> timer = executor.spawn(() -> {
                executor.timer(Duration.ofSeconds(2)).join();
                fired.add("timer 2s");
            });
            List.of(late, early, timer).forEach(Task::join);

            assertThat(fired).containsExactly("sleep 1s", "timer 2s", "sleep 3s");
        }

        @Test
        void advanceClockWakesASleeperExactlyAtItsDeadline() {
            try (TestScheduler scheduler = new TestScheduler()) {
                Task<Instant> sleeper = scheduler.background().spawn(() -> {
                    Thread.sleep(Duration.ofMinutes(10));
                    return scheduler.now();
                });

                scheduler.advanceClock(Duration.ofMinutes(9));
                assertThat(sleeper.isDone()).isFalse();
                scheduler.advanceClock(Duration.ofMinutes(2));

                assertThat(sleeper.isDone()).isTrue();
                assertThat(sleeper.join()).isEqualTo(START.plus(Duration.ofMinutes(10)));
                assertThat(scheduler.now()).isEqualTo(START.plus(Duration.ofMinutes(11)));
            }
        }

        @SchedulerTest(iterations = 100)
        void parkNanosAndParkUntilReturnWhenTheirTimeIsUp(TestScheduler scheduler) {
            Executor executor = scheduler.background();

            Task<Instant> nanos = executor.spawn(() -> {
                LockSupport.parkNanos(Duration.ofSeconds(30).toNanos());
                return scheduler.now();
            });
            Task<Instant> until = executor.spawn(() -> {
                long deadline = executor.now().plus(Duration.ofMinutes(2)).toEpochMilli(); // on the scheduler's clock
                while (executor.now().toEpochMilli() < deadline) {
                    LockSupport.parkUntil(deadline);
                }
                return scheduler.now();
            });

            assertThat(nanos.join()).isEqualTo(START.plusSeconds(30));
            assertThat(until.join()).isEqualTo(START.plus(Duration.ofMinutes(2)));
        }

        @SchedulerTest(iterations = 100)
        void cancellingASleeperInterruptsItsSleep(TestScheduler scheduler) {
            Task<Void> sleeper = scheduler.background().spawn(() -> {
                Thread.sleep(Duration.ofDays(1));
                return null;
            });
            scheduler.runUntilParked();

            sleeper.cancel(true);
            scheduler.runUntilParked();

            assertThat(sleeper.isCancelled()).isTrue();
            assertThat(scheduler.pendingTasks()).isEmpty();
            assertThat(scheduler.now()).isEqualTo(START);
        }
    }

    @Nested
    class ConcurrentTimedWaits {

        @SchedulerTest(iterations = 100)
        void pollTimesOutWithNullAndReturnsWhatIsOfferedInTime(TestScheduler scheduler) {
            Executor executor = scheduler.background();
            BlockingQueue<String> queue = new LinkedBlockingQueue<>();

            Task<String> empty = executor.spawn(() -> queue.poll(30, TimeUnit.SECONDS));
            assertThat(empty.join()).isNull();
            assertThat(scheduler.now()).isEqualTo(START.plusSeconds(30));

            Task<String> served = executor.spawn(() -> queue.poll(30, TimeUnit.SECONDS));
            executor.spawn(() -> {
                Thread.sleep(10_000);
                return queue.offer("order");
            });
            assertThat(served.join()).isEqualTo("order");
            assertThat(scheduler.now()).isEqualTo(START.plusSeconds(40));
        }

        @SchedulerTest(iterations = 100)
        void offerToAFullQueueTimesOut(TestScheduler scheduler) {
            BlockingQueue<String> full = new ArrayBlockingQueue<>(1);
            full.add("taken");

            Task<Boolean> offered = scheduler.background().spawn(() -> full.offer("more", 2, TimeUnit.MINUTES));

            assertThat(offered.join()).isFalse();
            assertThat(scheduler.now()).isEqualTo(START.plus(Duration.ofMinutes(2)));
        }

        @SchedulerTest(iterations = 100)
        void conditionAwaitTimesOutOrIsSignalled(TestScheduler scheduler) {
            Executor executor = scheduler.background();
            ReentrantLock lock = new ReentrantLock();
            Condition changed = lock.newCondition();

            Task<Boolean> unsignalled = executor.spawn(() -> {
                lock.lock();
                try {
                    return changed.await(5, TimeUnit.MINUTES);
                } finally {
                    lock.unlock();
                }
            });
            assertThat(unsignalled.join()).isFalse();
            assertThat(scheduler.now()).isEqualTo(START.plus(Duration.ofMinutes(5)));

            Task<Boolean> signalled = executor.spawn(() -> {
                lock.lock();
                try {
                    return changed.await(5, TimeUnit.MINUTES);
                } finally {
                    lock.unlock();
                }
            });
            executor.spawn(() -> {
                Thread.sleep(Duration.ofMinutes(1));
                lock.lock();
                try {
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
                return null;
            });
            assertThat(signalled.join()).isTrue();
            assertThat(scheduler.now()).isEqualTo(START.plus(Duration.ofMinutes(6)));
        }

        @SchedulerTest(iterations = 100)
        void latchSemaphoreAndTryLockWaitOnVirtualTime(TestScheduler scheduler) {
            Executor executor = scheduler.background();
            CountDownLatch latch = new CountDownLatch(1);
            Semaphore none = new Semaphore(0);
            ReentrantLock held = new ReentrantLock();

            Task<Boolean> latched = executor.spawn(() -> latch.await(1, TimeUnit.HOURS));
            Task<Boolean> acquired = executor.spawn(() -> none.tryAcquire(2, TimeUnit.HOURS));
            Task<Void> holder = executor.spawn(() -> {
                held.lock();
                try {
                    Thread.sleep(Duration.ofHours(4));
                } finally {
                    held.unlock();
                }
                return null;
            });
            Task<Boolean> locked = executor.spawn(() -> {
                Thread.sleep(1); // the holder has the lock by now, on every seed: it ran at time zero
                return held.tryLock(3, TimeUnit.HOURS);
            });

            assertThat(latched.join()).isFalse();
            assertThat(acquired.join()).isFalse();
            assertThat(locked.join()).isFalse();
            holder.join();
            assertThat(scheduler.now()).isEqualTo(START.plus(Duration.ofHours(4)));
        }

        @SchedulerTest(iterations = 100)
        void futureGetWithATimeoutThrowsTimeoutExceptionAtItsDeadline(TestScheduler scheduler) {
            Executor executor = scheduler.background();
            CompletableFuture<String> never = new CompletableFuture<>();
            FutureTask<String> unrun = new FutureTask<>(() -> "never run");

            Task<Instant> completable = executor.spawn(() -> {
                assertThatThrownBy(() -> never.get(10, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);
                return scheduler.now();
            });
            Task<Instant> futureTask = executor.spawn(() -> {
                assertThatThrownBy(() -> unrun.get(20, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);
                return scheduler.now();
            });

            assertThat(completable.join()).isEqualTo(START.plusSeconds(10));
            assertThat(futureTask.join()).isEqualTo(START.plusSeconds(20));
        }

        @SchedulerTest(iterations = 100)
        void orTimeoutInsideATaskTimesOutOnVirtualTime(TestScheduler scheduler) {
            Task<Instant> timedOut = scheduler.background().spawn(() -> {
                CompletableFuture<String> slow = new CompletableFuture<String>().orTimeout(3, TimeUnit.SECONDS);
                assertThatThrownBy(slow::get).isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(TimeoutException.class);
                return scheduler.now();
            });

            assertThat(timedOut.join()).isEqualTo(START.plusSeconds(3));
        }

        @SchedulerTest(iterations = 100)
        void completeOnTimeoutCompletesWithItsValueOnVirtualTime(TestScheduler scheduler) {
            Task<String> fallback = scheduler.background().spawn(() ->
                    new CompletableFuture<String>().completeOnTimeout("cached", 90, TimeUnit.SECONDS).join());

            assertThat(fallback.join()).isEqualTo("cached");
            assertThat(scheduler.now()).isEqualTo(START.plusSeconds(90));
        }

        @SchedulerTest(iterations = 100)
        void anExchangerAndAPhaserTimeOutWithoutTheirPartners(TestScheduler scheduler) {
            Executor executor = scheduler.background();
            Exchanger<String> exchanger = new Exchanger<>();
            Phaser phaser = new Phaser(2);

            Task<Instant> exchange = executor.spawn(() -> {
                assertThatThrownBy(() -> exchanger.exchange("mine", 15, TimeUnit.SECONDS))
                        .isInstanceOf(TimeoutException.class);
                return scheduler.now();
            });
            Task<Instant> advance = executor.spawn(() -> {
                int phase = phaser.arrive();
                assertThatThrownBy(() -> phaser.awaitAdvanceInterruptibly(phase, 25, TimeUnit.SECONDS))
                        .isInstanceOf(TimeoutException.class);
                return scheduler.now();
            });

            assertThat(exchange.join()).isEqualTo(START.plusSeconds(15));
            assertThat(advance.join()).isEqualTo(START.plusSeconds(25));
        }

        @SchedulerTest(iterations = 100)
        void timeUnitTimedWaitWaitsOnTheMonitorForItsTimeout(TestScheduler scheduler) {
            Object monitor = new Object();
            Task<Instant> waited = scheduler.background().spawn(() -> {
                synchronized (monitor) {
                    TimeUnit.MINUTES.timedWait(monitor, 3);
                }
                return scheduler.now();
            });

            assertThat(waited.join()).isEqualTo(START.plus(Duration.ofMinutes(3)));
        }

        @SchedulerTest(iterations = 100)
        void aSynchronousQueueHandOffTimesOutWithoutAPartner(TestScheduler scheduler) {
            SynchronousQueue<String> handOff = new SynchronousQueue<>();

            Task<String> taker = scheduler.background().spawn(() -> handOff.poll(45, TimeUnit.SECONDS));

            assertThat(taker.join()).isNull();
            assertThat(scheduler.now()).isEqualTo(START.plusSeconds(45));
        }
    }

    @Nested
    class Determinism {

        @Test
        void oneSeedTakesTheSameStepsThroughMonitorsSleepsAndTimers() throws Exception {
            for (long seed = 0; seed < 20; seed++) {
                TestScheduler.run(TestSchedulerConfig.builder().seed(seed).checkDeterminism(true).build(),
                        BlockingInsideTasksTest::mixedWorkload);
            }
        }

        @Test
        void differentSeedsInterleaveTheMixedWorkloadDifferently() throws Exception {
            List<List<String>> traces = new ArrayList<>();
            for (long seed = 0; seed < 10; seed++) {
                try (TestScheduler scheduler = new TestScheduler(
                        TestSchedulerConfig.builder().seed(seed).recordTrace(true).build())) {
                    mixedWorkload(scheduler);
                    scheduler.endTest();
                    traces.add(scheduler.trace());
                }
            }

            assertThat(traces.stream().distinct().count()).isGreaterThan(1);
        }
    }

    /** Monitors, wait/notify, sleeps, timed queue waits and timers, all on one scheduler. */
    static void mixedWorkload(TestScheduler scheduler) {
        Executor executor = scheduler.background();
        Object monitor = new Object();
        BlockingQueue<Integer> queue = new LinkedBlockingQueue<>();
        int[] counter = new int[1];
        List<Task<?>> tasks = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int id = i;
            tasks.add(executor.spawn(() -> {
                for (int round = 0; round < 3; round++) {
                    synchronized (monitor) {
                        counter[0]++;
                        if (id % 2 == 0) {
                            Thread.sleep(id + round + 1L); // holds the monitor across a sleep
                        }
                        monitor.notifyAll();
                    }
                    queue.offer(id);
                    executor.timer(Duration.ofMillis(id * 3L + 1)).join();
                }
                return null;
            }));
        }
        tasks.add(executor.spawn(() -> {
            int taken = 0;
            while (taken < 12) {
                if (queue.poll(5, TimeUnit.MILLISECONDS) != null) {
                    taken++;
                }
            }
            return taken;
        }));
        tasks.add(executor.spawn(() -> {
            synchronized (monitor) {
                while (counter[0] < 12) {
                    monitor.wait(2);
                }
            }
            return null;
        }));
        tasks.forEach(Task::join);
        assertThat(counter[0]).isEqualTo(12);
    }

    @Nested
    class Reports {

        @Test
        void aDeadlockReportShowsATaskBlockedOnAMonitorAndTheTaskThatHoldsIt() {
            try (TestScheduler scheduler = new TestScheduler()) {
                Executor executor = scheduler.background();
                Object ledger = new Object();
                CompletableFuture<Void> never = new CompletableFuture<>();
                Task<Void> holder = executor.spawnLabeled(TaskLabel.of("holder"), () -> {
                    synchronized (ledger) {
                        return never.get(); // parks with the monitor held, until cancelled
                    }
                });
                Task<Void> blocked = executor.spawnLabeled(TaskLabel.of("blocked"), () -> {
                    executor.timer(Duration.ofSeconds(1)).join(); // after the holder, on every seed
                    synchronized (ledger) {
                        return;
                    }
                });

                assertThatThrownBy(() -> executor.blockOn(blocked))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("Parking forbidden")
                        .hasMessageContaining("\"blocked\"")
                        .hasMessageContaining("blocked entering the monitor of <java.lang.Object@")
                        .hasMessageContaining("held by " + holder.metadata().describe())
                        .hasMessageContaining("BlockingInsideTasksTest")
                        .hasMessageNotContaining("running");
                holder.cancel();
            }
        }

        @Test
        void aTaskInObjectWaitIsReportedAsWaitingThere() {
            try (TestScheduler scheduler = new TestScheduler()) {
                Executor executor = scheduler.background();
                Object signal = new Object();
                Task<Void> waiter = executor.spawnLabeled(TaskLabel.of("waiter"), () -> {
                    synchronized (signal) {
                        signal.wait();
                    }
                    return null;
                });

                // The monitor is named where the JDK can tell; the wait and its site always are.
                assertThatThrownBy(() -> executor.blockOn(waiter))
                        .hasMessageContaining("waiting in Object.wait()")
                        .hasMessageContaining("lambda$aTaskInObjectWaitIsReportedAsWaitingThere$")
                        .hasMessageNotContaining("parked at")
                        .hasMessageNotContaining("running");
                waiter.cancel();
            }
        }
    }
}
