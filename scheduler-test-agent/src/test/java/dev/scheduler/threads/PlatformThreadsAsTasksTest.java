package dev.scheduler.threads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.scheduler.Task;
import dev.scheduler.test.Preemption;
import dev.scheduler.test.TestScheduler;
import dev.scheduler.test.TestSchedulerConfig;
import dev.scheduler.test.junit.SchedulerTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Platform threads the code under test starts inside tasks, with the agent: each runs as a task of
 * the {@code TestScheduler}, and the {@code Thread} object behaves as the JDK's.
 */
class PlatformThreadsAsTasksTest {

    @SchedulerTest(iterations = 20)
    void aStartedThreadRunsAsATaskAndIsTheThreadItsCodeSees(TestScheduler scheduler) {
        Task<List<Object>> task = scheduler.background().spawn(() -> {
            AtomicReference<Thread> seen = new AtomicReference<>();
            AtomicBoolean wasTask = new AtomicBoolean();
            Thread worker = new Thread(() -> {
                seen.set(Thread.currentThread());
                wasTask.set(Task.current().isPresent());
                try {
                    Thread.sleep(Duration.ofHours(1)); // virtual time
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, "worker");
            worker.start();
            boolean aliveWhileRunning = worker.isAlive();
            worker.join();
            return List.of(seen.get() == worker, wasTask.get(), aliveWhileRunning, worker.isAlive(), worker.getState());
        });

        assertThat(task.join()).containsExactly(true, true, true, false, Thread.State.TERMINATED);
        assertThat(scheduler.now()).isEqualTo(TestScheduler.START.plus(Duration.ofHours(1)));
    }

    @SchedulerTest(iterations = 20)
    void aThreadStartsOnce(TestScheduler scheduler) {
        Task<Void> task = scheduler.background().spawn(() -> {
            Thread once = new Thread(() -> { });
            once.start();
            assertThatThrownBy(once::start).isInstanceOf(IllegalThreadStateException.class);
            once.join();
            return null;
        });
        task.join();
    }

    @SchedulerTest(iterations = 20)
    void interruptingTheThreadWakesItsSleep(TestScheduler scheduler) {
        Task<Boolean> task = scheduler.background().spawn(() -> {
            AtomicBoolean interrupted = new AtomicBoolean();
            Thread sleeper = new Thread(() -> {
                try {
                    Thread.sleep(Duration.ofDays(1));
                } catch (InterruptedException e) {
                    interrupted.set(true);
                }
            });
            sleeper.start();
            while (sleeper.getState() != Thread.State.TIMED_WAITING) {
                Thread.yield();
            }
            sleeper.interrupt();
            sleeper.join();
            return interrupted.get();
        });

        assertThat(task.join()).isTrue();
        assertThat(scheduler.now()).isEqualTo(TestScheduler.START);
    }

    @SchedulerTest(iterations = 20)
    void aSubclassThatOverridesRunRunsToo(TestScheduler scheduler) {
        class Counter extends Thread {
            int counted;

            @Override
            public void run() {
                for (int i = 0; i < 3; i++) {
                    counted++;
                }
            }
        }
        Task<Integer> task = scheduler.background().spawn(() -> {
            Counter counter = new Counter();
            counter.start();
            counter.join();
            return counter.counted;
        });

        assertThat(task.join()).isEqualTo(3);
    }

    @SchedulerTest(iterations = 20)
    void aFixedThreadPoolsWorkersAreTasksAndItShutsDown(TestScheduler scheduler) {
        Task<List<Integer>> task = scheduler.background().spawn(() -> {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 1; i <= 4; i++) {
                int n = i;
                results.add(pool.submit(() -> {
                    Thread.sleep(Duration.ofSeconds(n)); // virtual
                    return n * 10;
                }));
            }
            List<Integer> values = new ArrayList<>();
            for (Future<Integer> result : results) {
                values.add(result.get());
            }
            pool.shutdown();
            assertThat(pool.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
            return values;
        });

        assertThat(task.join()).containsExactly(10, 20, 30, 40);
        // two workers: 1 s and 2 s, then 3 s after the first and 4 s after the second
        assertThat(scheduler.now()).isEqualTo(TestScheduler.START.plus(Duration.ofSeconds(6)));
    }

    @Test
    void aProgramOfPlainThreadsReplaysItsInterleavingAndSeedsDiffer() throws Exception {
        List<List<String>> orders = new ArrayList<>();
        for (long seed = 0; seed < 30; seed++) {
            List<String> first = plainProgram(seed);
            assertThat(plainProgram(seed)).as("seed %d replays", seed).isEqualTo(first);
            orders.add(first);
        }
        assertThat(orders.stream().distinct().count()).isGreaterThan(1);
    }

    private List<String> plainProgram(long seed) throws Exception {
        return ThreadsAsTasksTest.interleaving(seed, Thread::new);
    }

    @Test
    void preemptionFindsALostUpdateBetweenPlainThreads() {
        Throwable failure = catchThrowable(() -> TestScheduler.many(200,
                TestSchedulerConfig.builder().preemption(Preemption.random()).build(), scheduler -> scheduler.background()
                        .spawn(() -> {
                            ThreadsAsTasksTest.Counter counter = new ThreadsAsTasksTest.Counter();
                            Thread a = new Thread(counter::increment);
                            Thread b = new Thread(counter::increment);
                            a.start();
                            b.start();
                            a.join();
                            b.join();
                            if (counter.value != 2) {
                                throw new AssertionError("lost update");
                            }
                            return null;
                        }).join()));

        assertThat(failure).hasMessageStartingWith("Failing seed: ").hasRootCauseMessage("lost update");
    }

    @Test
    void anExceptionEscapingAThreadGoesToItsHandlerAndFailsTheTest() {
        List<Throwable> handled = new ArrayList<>();
        Throwable failure = catchThrowable(() -> TestScheduler.once(scheduler -> scheduler.background().spawn(() -> {
            Thread doomed = new Thread(() -> {
                throw new IllegalStateException("boom");
            }, "doomed");
            doomed.setUncaughtExceptionHandler((thread, e) -> handled.add(e));
            doomed.start();
            doomed.join();
            return null;
        }).join()));

        assertThat(handled).singleElement().satisfies(e -> assertThat(e).hasMessage("boom"));
        assertThat(failure).hasMessageContaining("thread doomed");
    }

    @Test
    void withAdoptionOffAThreadIsTheJdksAsBefore() throws Exception {
        TestScheduler.run(TestSchedulerConfig.builder().adoptThreads(false).allowParking(true).build(), scheduler -> {
            Task<Boolean> task = scheduler.background().spawn(() -> {
                AtomicBoolean virtual = new AtomicBoolean(true);
                Thread thread = new Thread(() -> virtual.set(Thread.currentThread().isVirtual()));
                thread.start();
                thread.join();
                return virtual.get();
            });
            assertThat(task.join()).isFalse();
        });
    }
}
