package dev.scheduler.threads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.scheduler.Executor;
import dev.scheduler.Task;
import dev.scheduler.test.Preemption;
import dev.scheduler.test.TestScheduler;
import dev.scheduler.test.TestSchedulerConfig;
import dev.scheduler.test.junit.SchedulerTest;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Threads the code under test starts inside tasks, with the agent: virtual threads and the default
 * asynchronous work of {@code CompletableFuture} become tasks of the {@code TestScheduler}.
 */
class ThreadsAsTasksTest {

    @Nested
    class VirtualThreads {

        @SchedulerTest(iterations = 20)
        void aVirtualThreadStartedInATaskIsATaskOfTheScheduler(TestScheduler scheduler) {
            Executor executor = scheduler.background();
            AtomicReference<Thread> inside = new AtomicReference<>();
            Task<Thread> starter = executor.spawn(() -> {
                Thread thread = Thread.ofVirtual().name("worker").start(() -> {
                    inside.set(Thread.currentThread());
                    LockSupport.park();
                });
                while (thread.getState() != Thread.State.WAITING) {
                    Thread.yield(); // lets the thread's steps run: they are drawn like every other
                }
                return thread;
            });
            Thread thread = starter.join();

            assertThat(inside.get()).isSameAs(thread);
            assertThat(scheduler.pendingTasks()).singleElement()
                    .satisfies(task -> assertThat(task.metadata().describe()).contains("\"virtual thread worker\""));
            LockSupport.unpark(thread);
            scheduler.runUntilParked();
            assertThat(thread.isAlive()).isFalse();
            assertThat(scheduler.pendingTasks()).isEmpty();
        }

        @SchedulerTest(iterations = 20)
        void itsSleepIsVirtualTimeAndJoinWaitsForIt(TestScheduler scheduler) {
            Executor executor = scheduler.background();
            Task<Void> task = executor.spawn(() -> {
                Thread sleeper = Thread.ofVirtual().start(() -> {
                    try {
                        Thread.sleep(Duration.ofHours(1));
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                sleeper.join();
                assertThat(sleeper.isAlive()).isFalse();
                return null;
            });
            task.join();

            assertThat(scheduler.now()).isEqualTo(TestScheduler.START.plus(Duration.ofHours(1)));
        }

        @SchedulerTest(iterations = 20)
        void aVirtualThreadPerTaskExecutorsThreadsAreTasksAndItsCloseWaitsForThem(TestScheduler scheduler) {
            Task<List<Integer>> task = scheduler.background().spawn(() -> {
                List<Future<Integer>> results = new ArrayList<>();
                try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                    for (int i = 0; i < 3; i++) {
                        int n = i;
                        results.add(threads.submit(() -> {
                            Thread.sleep(Duration.ofSeconds(n)); // virtual
                            return n * n;
                        }));
                    }
                }
                List<Integer> squares = new ArrayList<>();
                for (Future<Integer> result : results) {
                    squares.add(result.resultNow());
                }
                return squares;
            });

            assertThat(task.join()).containsExactly(0, 1, 4);
            assertThat(scheduler.now()).isEqualTo(TestScheduler.START.plus(Duration.ofSeconds(2)));
        }

        @Test
        void theirInterleavingIsDrawnFromTheSeedAndReplays() throws Exception {
            List<List<String>> orders = new ArrayList<>();
            for (long seed = 0; seed < 30; seed++) {
                List<String> first = run(seed);
                assertThat(run(seed)).as("seed %d replays", seed).isEqualTo(first);
                orders.add(first);
            }
            assertThat(orders.stream().distinct().count()).as("different seeds, different orders").isGreaterThan(1);
        }

        private List<String> run(long seed) throws Exception {
            return interleaving(seed, body -> Thread.ofVirtual().unstarted(body));
        }

        @Test
        void preemptionFindsARaceBetweenThem() throws Exception {
            Throwable failure = catchThrowable(() -> TestScheduler.many(200,
                    TestSchedulerConfig.builder().preemption(Preemption.random()).build(), scheduler -> {
                        Counter counter = new Counter();
                        scheduler.background().spawn(() -> {
                            Thread a = Thread.ofVirtual().start(counter::increment);
                            Thread b = Thread.ofVirtual().start(counter::increment);
                            a.join();
                            b.join();
                            if (counter.value != 2) {
                                throw new AssertionError("lost update");
                            }
                            return null;
                        }).join();
                    }));

            assertThat(failure).hasMessageStartingWith("Failing seed: ");
            assertThat(failure).hasRootCauseMessage("lost update");
        }

        @Test
        void anExceptionEscapingOneFailsTheTestNamingTheThread() {
            Throwable failure = catchThrowable(() -> TestScheduler.once(scheduler -> scheduler.background().spawn(() -> {
                Thread thread = Thread.ofVirtual().name("doomed").unstarted(() -> {
                    throw new IllegalStateException("boom");
                });
                thread.setUncaughtExceptionHandler((t, e) -> { }); // the JDK's handler runs as always
                thread.start();
                thread.join();
                return null;
            }).join()));

            assertThat(failure).hasMessageContaining("virtual thread doomed");
        }

        @Test
        void aDeadlockBetweenThemIsReportedWithBothThreads() {
            Throwable failure = catchThrowable(() -> TestScheduler.once(scheduler -> scheduler.background().spawn(() -> {
                CountDownLatch never = new CountDownLatch(1);
                Thread waiter = Thread.ofVirtual().name("waiter").start(() -> {
                    try {
                        never.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                waiter.join();
                return null;
            }).join()));

            assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessageContaining("Parking forbidden")
                    .hasMessageContaining("\"virtual thread waiter\"");
        }

        @Test
        void oneThatOutlivesItsSchedulerRunsOnOnTheJdksScheduler() throws Exception {
            AtomicReference<Thread> parked = new AtomicReference<>();
            CountDownLatch resumed = new CountDownLatch(1);
            try (TestScheduler scheduler = new TestScheduler()) {
                scheduler.background().spawn(() -> {
                    parked.set(Thread.ofVirtual().start(() -> {
                        LockSupport.park();
                        resumed.countDown();
                    }));
                }).join();
                scheduler.runUntilParked();
            }
            LockSupport.unpark(parked.get());
            assertThat(resumed.await(60, TimeUnit.SECONDS)).isTrue();
        }

        @Test
        void withAdoptionOffTheyRunOutsideTheScheduler() throws Exception {
            TestScheduler.run(TestSchedulerConfig.builder().adoptThreads(false).allowParking(true).build(), scheduler -> {
                Task<Boolean> task = scheduler.background().spawn(() -> {
                    AtomicReference<Boolean> sawTask = new AtomicReference<>();
                    Thread thread = Thread.ofVirtual().start(() -> sawTask.set(Task.current().isPresent()));
                    thread.join();
                    return sawTask.get();
                });
                assertThat(task.join()).isFalse();
            });
        }

        @Test
        void socketReadsOnVirtualThreadsStillWorkAfterAnAdoptingSchedulerCloses() throws Exception {
            TestScheduler.run(TestSchedulerConfig.builder().allowParking(true).build(), scheduler ->
                    assertThat(scheduler.background().spawn(() -> echo("inside")).join()).isEqualTo("inside"));
            // A plain virtual thread, after the scheduler closed: the JDK's pollers were never its.
            AtomicReference<String> read = new AtomicReference<>();
            Thread outside = Thread.ofVirtual().start(() -> {
                try {
                    read.set(echo("outside"));
                } catch (Exception e) {
                    read.set(e.toString());
                }
            });
            assertThat(outside.join(Duration.ofSeconds(60))).isTrue();
            assertThat(read.get()).isEqualTo("outside");
        }
    }

    @Nested
    class CompletableFutures {

        @SchedulerTest(iterations = 20)
        void supplyAsyncInsideATaskRunsAsATaskOfTheScheduler(TestScheduler scheduler) {
            Task<String> task = scheduler.background().spawn(() -> CompletableFuture
                    .supplyAsync(() -> Task.current().isPresent() ? "a task" : "the common pool")
                    .thenApplyAsync(where -> where + (Task.current().isPresent() ? ", then a task" : ", then the pool"))
                    .join());

            assertThat(task.join()).isEqualTo("a task, then a task");
        }

        @SchedulerTest(iterations = 20)
        void anExecutorTheCodeChoseIsKept(TestScheduler scheduler) {
            ExecutorService own = Executors.newSingleThreadExecutor();
            try {
                scheduler.allowParking();
                Task<String> task = scheduler.background().spawn(() -> CompletableFuture
                        .supplyAsync(() -> Thread.currentThread().isVirtual() ? "virtual" : "its own thread", own).join());
                assertThat(task.join()).isEqualTo("its own thread");
            } finally {
                own.shutdownNow();
            }
        }
    }

    /**
     * {@return the order in which three threads, made by {@code threads} inside a task and started
     * there, each add three entries and yield between them, under seed {@code seed}}
     */
    static List<String> interleaving(long seed, java.util.function.Function<Runnable, Thread> threads) throws Exception {
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        TestScheduler.withSeed(seed, scheduler -> scheduler.background().spawn(() -> {
            List<Thread> started = new ArrayList<>();
            for (String name : List.of("a", "b", "c")) {
                Thread thread = threads.apply(() -> {
                    for (int i = 0; i < 3; i++) {
                        order.add(name + i);
                        Thread.yield();
                    }
                });
                started.add(thread);
                thread.start();
            }
            for (Thread thread : started) {
                thread.join();
            }
            return null;
        }).join());
        return order;
    }

    /** A counter whose increment races: a read and a write of a volatile field. */
    static final class Counter {
        volatile int value;

        void increment() {
            value++;
        }
    }

    /** Sends {@code text} to an echo server over a real socket on a virtual thread, and reads it back. */
    static String echo(String text) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread serving = Thread.ofPlatform().start(() -> {
                try (Socket peer = server.accept(); InputStream in = peer.getInputStream(); OutputStream out = peer.getOutputStream()) {
                    out.write(in.readNBytes(text.length()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            AtomicReference<String> answer = new AtomicReference<>();
            Thread client = Thread.ofVirtual().start(() -> {
                try (Socket socket = new Socket(server.getInetAddress(), server.getLocalPort())) {
                    socket.getOutputStream().write(text.getBytes());
                    answer.set(new String(socket.getInputStream().readNBytes(text.length())));
                } catch (Exception e) {
                    answer.set(e.toString());
                }
            });
            client.join();
            serving.join();
            return answer.get();
        }
    }
}
