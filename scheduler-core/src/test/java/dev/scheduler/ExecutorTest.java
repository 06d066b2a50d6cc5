package dev.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scheduler.test.TestScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ExecutorTest {

    // ---------------------------------------------------------------- blocking on any future

    @Test
    void blockOnAcceptsTasksCompletableFuturesCompletionStagesAndPlainFutures() {
        try (TestScheduler scheduler = new TestScheduler()) {
            Executor executor = scheduler.background();
            CompletableFuture<String> future = new CompletableFuture<>();
            executor.spawn(() -> future.complete("cf"));
            FutureTask<String> plain = new FutureTask<>(() -> "plain");
            executor.spawn(plain);

            assertThat(executor.blockOn(executor.spawn(() -> "task"))).isEqualTo("task");
            assertThat(executor.blockOn(future)).isEqualTo("cf");
            assertThat(executor.blockOn(executor.spawn(() -> "stage").thenApply(s -> s + "!").minimalCompletionStage()))
                    .isEqualTo("stage!");
            assertThat(executor.blockOn((java.util.concurrent.Future<String>) plain)).isEqualTo("plain");
        }
    }

    @Test
    void blockOnReportsFailuresAsCompletionExceptionsAndCancellationAsItself() {
        try (TestScheduler scheduler = new TestScheduler()) {
            Executor executor = scheduler.background();
            IllegalStateException boom = new IllegalStateException("boom");

            assertThatThrownBy(() -> executor.blockOn(CompletableFuture.failedFuture(boom)))
                    .isInstanceOf(CompletionException.class).hasCause(boom);
            CompletableFuture<Object> cancelled = new CompletableFuture<>();
            cancelled.cancel(false);
            assertThatThrownBy(() -> executor.blockOn(cancelled)).isInstanceOf(CancellationException.class);
        }
    }

    @Test
    void blockWithTimeoutReturnsTheValueWhenDoneInTime() {
        try (TestScheduler scheduler = new TestScheduler()) {
            Executor executor = scheduler.background();
            CompletableFuture<Integer> answer = new CompletableFuture<>();
            executor.spawn(() -> {
                executor.timer(Duration.ofSeconds(1)).join();
                answer.complete(42);
            });

            assertThat(executor.blockWithTimeout(Duration.ofSeconds(2), answer)).contains(42);
        }
    }

    @Test
    void insideATaskBlockWithTimeoutTimesOutInVirtualTime() {
        try (TestScheduler scheduler = new TestScheduler()) {
            Executor executor = scheduler.background();
            Task<Boolean> timedOut = executor.spawn(() -> executor
                    .blockWithTimeout(Duration.ofSeconds(30), executor.timer(Duration.ofHours(1))).isEmpty());

            assertThat(timedOut.join()).isTrue();
            assertThat(scheduler.now()).isEqualTo(TestScheduler.START.plusSeconds(30));
        }
    }

    @Test
    void onAnOrdinarySchedulerBlockOnWaitsOnThePlatformThread() throws Exception {
        try (ThreadPoolScheduler scheduler = new ThreadPoolScheduler()) {
            Executor executor = new Executor(scheduler);
            CountDownLatch release = new CountDownLatch(1);
            Task<String> task = executor.spawn(() -> {
                release.await();
                return "released";
            });
            executor.spawn(release::countDown);

            assertThat(executor.blockOn(task)).isEqualTo("released");
            assertThat(executor.blockWithTimeout(Duration.ofMillis(1), new CompletableFuture<>())).isEmpty();
        }
    }

    @Test
    void onAnOrdinarySchedulerTasksJoinEachOtherOnVirtualThreads() {
        try (ThreadPoolScheduler scheduler = new ThreadPoolScheduler()) {
            Executor executor = new Executor(scheduler);
            List<Task<Integer>> chain = new ArrayList<>();
            chain.add(executor.spawn(() -> 0));
            for (int i = 1; i <= 100; i++) {
                Task<Integer> previous = chain.getLast();
                chain.add(executor.spawn(() -> previous.join() + 1));
            }

            assertThat(chain.getLast().join()).isEqualTo(100);
        }
    }

    // ---------------------------------------------------------------- execute and failures

    @Test
    void executeRunsADetachedTaskWhoseFailureReachesTheScheduler() throws Exception {
        List<String> reported = new ArrayList<>();
        CountDownLatch failed = new CountDownLatch(1);
        try (ThreadPoolScheduler pool = new ThreadPoolScheduler()) {
            Scheduler reporting = new ForwardingScheduler(pool) {
                @Override
                public void reportFailure(Task<?> task, Throwable failure) {
                    reported.add(task.isDetached() + " " + failure.getMessage());
                    failed.countDown();
                }
            };
            Executor executor = new Executor(reporting);

            executor.execute(() -> {
                throw new IllegalStateException("from execute");
            });

            assertThat(failed.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(reported).containsExactly("true from execute");
        }
    }

    // ---------------------------------------------------------------- misuse

    @Test
    void testHooksOnAnOrdinarySchedulerSayWhichSchedulerIsInUse() {
        try (ThreadPoolScheduler scheduler = new ThreadPoolScheduler()) {
            Executor executor = new Executor(scheduler);

            assertThatThrownBy(executor::tick)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("tick() is a test hook and needs a TestScheduler, but this executor runs on "
                            + ThreadPoolScheduler.class.getName());
            assertThatThrownBy(() -> executor.advanceClock(Duration.ofSeconds(1)))
                    .hasMessageStartingWith("advanceClock() is a test hook");
            assertThatThrownBy(executor::runUntilParked).hasMessageStartingWith("runUntilParked() is a test hook");
            assertThatThrownBy(() -> executor.deprioritize(TaskLabel.of("x"))).hasMessageStartingWith("deprioritize()");
            assertThatThrownBy(executor::simulateRandomDelay).hasMessageStartingWith("simulateRandomDelay()");
        }
    }

    @Test
    void nullArgumentsAreRejectedNamingTheParameter() {
        try (TestScheduler scheduler = new TestScheduler()) {
            Executor executor = scheduler.background();

            assertThatThrownBy(() -> executor.spawn((Runnable) null)).isInstanceOf(NullPointerException.class).hasMessage("body");
            assertThatThrownBy(() -> executor.spawnLabeled(null, () -> 1)).hasMessage("label");
            assertThatThrownBy(() -> executor.spawnWithPriority(null, () -> 1)).hasMessage("priority");
            assertThatThrownBy(() -> executor.timer(null)).hasMessage("duration");
            assertThatThrownBy(() -> executor.blockOn((Task<Object>) null)).hasMessage("task");
            assertThatThrownBy(() -> executor.blockWithTimeout(null, Task.ready(1))).hasMessage("timeout");
            assertThatThrownBy(() -> executor.execute(null)).hasMessage("command");
            assertThatThrownBy(() -> new Executor(null)).hasMessage("scheduler");
            assertThatThrownBy(() -> TaskLabel.of(" ")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("name must not be blank");
        }
    }

    @Test
    void negativeDurationsAreRejectedNamingTheParameter() {
        try (TestScheduler scheduler = new TestScheduler()) {
            Executor executor = scheduler.background();

            assertThatThrownBy(() -> executor.timer(Duration.ofSeconds(-1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("duration must not be negative, was PT-1S");
            assertThatThrownBy(() -> executor.blockWithTimeout(Duration.ofMillis(-5), Task.ready(1)))
                    .hasMessage("timeout must not be negative, was PT-0.005S");
            assertThatThrownBy(() -> executor.advanceClock(Duration.ofMinutes(-1)))
                    .hasMessage("duration must not be negative, was PT-1M");
            assertThatThrownBy(() -> scheduler.scheduleAfter(Duration.ofNanos(-1), () -> { }))
                    .hasMessage("delay must not be negative, was PT-0.000000001S");
        }
    }

    @Test
    void aZeroDelayTimerFiresWithoutTimePassing() {
        try (TestScheduler scheduler = new TestScheduler()) {
            Executor executor = scheduler.background();

            executor.timer(Duration.ZERO).join();

            assertThat(scheduler.now()).isEqualTo(TestScheduler.START);
        }
    }
}
