package dev.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scheduler.cloud.CleanupPolicy;
import dev.scheduler.cloud.WorkerExecutionContext;
import dev.scheduler.test.TestScheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * What happens when something breaks: each fault ends in a defined state, in which nothing is lost
 * and nothing is thrown onto a thread that is not the faulty code's own.
 */
class FaultInjectionTest {

    /** A hang guard, not a timing assertion. */
    private static final long GUARD_SECONDS = 60;

    @Nested
    class ErrorsFromABody {

        @Test
        void anOutOfMemoryErrorFailsOnlyItsTask() {
            try (TestScheduler scheduler = new TestScheduler()) {
                Executor executor = scheduler.background();
                OutOfMemoryError error = new OutOfMemoryError("simulated");
                Task<Object> failing = executor.spawn(() -> {
                    throw error;
                });

                assertThatThrownBy(failing::join).isInstanceOf(CompletionException.class).hasCause(error);
                assertThat(executor.spawn(() -> "still running").join()).isEqualTo("still running");
            }
        }

        @Test
        void aStackOverflowErrorFailsOnlyItsTask() {
            try (TestScheduler scheduler = new TestScheduler()) {
                Executor executor = scheduler.background();
                Task<Integer> failing = executor.spawn(() -> recurse(0));

                assertThatThrownBy(failing::join).isInstanceOf(CompletionException.class)
                        .hasCauseInstanceOf(StackOverflowError.class);
                assertThat(executor.spawn(() -> "still running").join()).isEqualTo("still running");
            }
        }

        private static int recurse(int depth) {
            return recurse(depth + 1) + 1;
        }

        @Test
        void aPlainStepThatThrowsAnErrorFailsTheCallThatRanItAndTheSchedulerCarriesOn() {
            try (TestScheduler scheduler = new TestScheduler()) {
                scheduler.schedule(() -> {
                    throw new AssertionError("a broken step");
                }, new TaskMetadata(TaskId.next(), null, Priority.MEDIUM, null, null));

                assertThatThrownBy(scheduler::runUntilParked).isInstanceOf(AssertionError.class).hasMessage("a broken step");
                assertThat(scheduler.background().spawn(() -> "still running").join()).isEqualTo("still running");
            }
        }
    }

    @Nested
    class InterruptsMidBody {

        @Test
        void underTheTestSchedulerTheBodySeesTheInterruptAtItsNextBlockingPoint() throws Exception {
            TestScheduler.many(20, scheduler -> {
                Executor executor = scheduler.background();
                CountDownLatch never = new CountDownLatch(1);
                Task<Object> waiting = executor.spawn(() -> {
                    never.await();
                    return "released";
                });
                scheduler.runUntilParked();

                waiting.thread().orElseThrow().interrupt();

                assertThatThrownBy(waiting::join).isInstanceOf(CompletionException.class)
                        .hasCauseInstanceOf(InterruptedException.class);
            });
        }

        @Test
        void onRealThreadsTheBodySeesTheInterruptAndTheSchedulerCarriesOn() throws Exception {
            try (ThreadPoolScheduler threads = new ThreadPoolScheduler()) {
                Executor executor = new Executor(threads);
                CountDownLatch started = new CountDownLatch(1);
                CountDownLatch never = new CountDownLatch(1);
                Task<Object> waiting = executor.spawn(() -> {
                    started.countDown();
                    never.await();
                    return "released";
                });
                assertThat(started.await(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();

                waiting.thread().orElseThrow().interrupt();

                assertThatThrownBy(() -> waiting.get(GUARD_SECONDS, TimeUnit.SECONDS))
                        .hasCauseInstanceOf(InterruptedException.class);
                assertThat(executor.spawn(() -> "still running").get(GUARD_SECONDS, TimeUnit.SECONDS))
                        .isEqualTo("still running");
            }
        }
    }

    @Nested
    class ASchedulerThatThrows {

        @Test
        void fromTheFirstStepFailsTheSpawnAndSettlesTheTaskForItsObservers() {
            Recorder recorder = new Recorder();
            Executor executor = new Executor(new FailingScheduler(new IllegalStateException("disk full")));
            executor.addObserver(recorder);

            assertThatThrownBy(() -> executor.spawnLabeled(TaskLabel.of("refused"), () -> 1))
                    .isInstanceOf(IllegalStateException.class).hasMessage("disk full");
            assertThat(recorder.events).containsExactly("spawned refused", "finished refused CANCELLED");
        }

        @Test
        void fromALaterStepEndsTheTaskAsCancelledAndNeverThrowsOntoTheWakingThread() throws Exception {
            try (ThreadPoolScheduler threads = new ThreadPoolScheduler()) {
                SwitchableScheduler switchable = new SwitchableScheduler(threads);
                Executor executor = new Executor(switchable);
                CompletableFuture<Void> gate = new CompletableFuture<>();
                CountDownLatch parked = new CountDownLatch(1);
                Task<Object> waiting = executor.spawn(() -> {
                    parked.countDown();
                    return executor.blockOn(gate);
                });
                assertThat(parked.await(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
                while (waiting.thread().orElseThrow().getState() != Thread.State.WAITING) {
                    Thread.onSpinWait();
                }
                switchable.failing = new IllegalStateException("scheduler broke");

                gate.complete(null); // wakes the body: its continuation reaches the failing scheduler

                assertThat(waiting.isCancelled()).isTrue();
                assertThatThrownBy(() -> waiting.get(GUARD_SECONDS, TimeUnit.SECONDS))
                        .isInstanceOf(java.util.concurrent.CancellationException.class);
            }
        }
    }

    @Nested
    class AFailingTaskObserver {

        @Test
        void isReportedAndTheTaskAndTheOtherObserversCarryOn() {
            TestScheduler scheduler = new TestScheduler();
            Executor executor = scheduler.background();
            Recorder after = new Recorder();
            executor.addObserver(new Breaking());
            executor.addObserver(after);

            Task<Integer> task = executor.spawnLabeled(TaskLabel.of("watched"), () -> 7);

            assertThat(task.join()).isEqualTo(7);
            assertThat(after.events).containsExactly("spawned watched", "started watched", "finished watched SUCCESS");
            assertThatThrownBy(scheduler::endTest).isInstanceOf(AssertionError.class)
                    .hasMessageStartingWith("3 task observers failed (seed 0). The first: TaskObserver breaking failed "
                            + "while it was told about task " + task.id() + " \"watched\"");
        }

        @Test
        void onOtherSchedulersGoesToReportObserverFailure() throws Exception {
            try (ThreadPoolScheduler threads = new ThreadPoolScheduler()) {
                List<String> reported = new CopyOnWriteArrayList<>();
                Scheduler reporting = new ForwardingScheduler(threads) {
                    @Override
                    public void reportObserverFailure(TaskObserver observer, Task<?> task, Throwable failure) {
                        reported.add(observer + " " + task.label().orElseThrow() + " " + failure.getMessage());
                    }
                };
                Executor executor = new Executor(reporting);
                executor.addObserver(new Breaking());

                Task<Integer> task = executor.spawnLabeled(TaskLabel.of("watched"), () -> 7);

                assertThat(task.get(GUARD_SECONDS, TimeUnit.SECONDS)).isEqualTo(7);
                assertThat(reported).containsExactly("breaking watched spawned", "breaking watched started",
                        "breaking watched finished");
            }
        }
    }

    @Nested
    class ASessionEndedWhileItsWaitUntilTaskFails {

        @Test
        void stillReportsTheFailureOfTheDetachedTask() {
            TestScheduler scheduler = new TestScheduler();
            WorkerExecutionContext platform = new WorkerExecutionContext(scheduler.background(), CleanupPolicy.FAIL);
            CompletableFuture<Void> gate = new CompletableFuture<>();
            SessionId session = platform.createSession();
            Task<Object> flush = platform.withSession(session, () -> platform.waitUntil(() -> {
                platform.executor().blockOn(gate);
                throw new IllegalStateException("flush failed");
            }));
            scheduler.runUntilParked();

            assertThat(platform.endSession(session)).as("waitUntil work may outlive the session").isEmpty();
            gate.complete(null);

            assertThatThrownBy(scheduler::endTest).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("1 task failed and nobody joined or handled the failure")
                    .hasMessageContaining(flush.metadata().describe() + " (detached) failed with "
                            + "java.lang.IllegalStateException: flush failed");
        }
    }

    /** Throws from every callback. */
    private static final class Breaking implements TaskObserver {

        @Override
        public void taskSpawned(Task<?> task) {
            throw new IllegalStateException("spawned");
        }

        @Override
        public void taskStarted(Task<?> task) {
            throw new IllegalStateException("started");
        }

        @Override
        public void taskFinished(Task<?> task, Future.State outcome) {
            throw new IllegalStateException("finished");
        }

        @Override
        public String toString() {
            return "breaking";
        }
    }

    /** Records every callback as "event label outcome". */
    private static final class Recorder implements TaskObserver {

        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void taskSpawned(Task<?> task) {
            events.add("spawned " + task.label().orElseThrow());
        }

        @Override
        public void taskStarted(Task<?> task) {
            events.add("started " + task.label().orElseThrow());
        }

        @Override
        public void taskFinished(Task<?> task, Future.State outcome) {
            events.add("finished " + task.label().orElseThrow() + " " + outcome);
        }
    }

    /** Refuses every step with the exception it was given. */
    private static final class FailingScheduler extends ForwardingScheduler {

        private final RuntimeException failure;

        FailingScheduler(RuntimeException failure) {
            super(new TestScheduler());
            this.failure = failure;
        }

        @Override
        public void schedule(Runnable step, TaskMetadata meta) {
            throw failure;
        }
    }

    /** Passes steps on until told to fail. */
    private static final class SwitchableScheduler extends ForwardingScheduler {

        volatile RuntimeException failing;

        SwitchableScheduler(Scheduler delegate) {
            super(delegate);
        }

        @Override
        public void schedule(Runnable step, TaskMetadata meta) {
            RuntimeException failure = failing;
            if (failure != null) {
                throw failure;
            }
            super.schedule(step, meta);
        }
    }
}
