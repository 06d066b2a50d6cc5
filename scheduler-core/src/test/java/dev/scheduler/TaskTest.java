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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TaskTest {

    private final TestScheduler scheduler = new TestScheduler();
    private final Executor executor = scheduler.background();

    @AfterEach
    void endTest() {
        scheduler.close();
    }

    @Test
    void joinReturnsTheBodysResult() {
        Task<String> task = executor.spawn(() -> "done");

        assertThat(task.join()).isEqualTo("done");
        assertThat(task.isReady()).isTrue();
        assertThat(task.state()).isEqualTo(Future.State.SUCCESS);
    }

    @Test
    void joinWrapsWhatTheBodyThrewInACompletionException() {
        IllegalStateException boom = new IllegalStateException("boom");
        Task<Object> task = executor.spawn(() -> {
            throw boom;
        });

        assertThatThrownBy(task::join).isInstanceOf(CompletionException.class).hasCause(boom);
        assertThatThrownBy(task::get).isInstanceOf(ExecutionException.class).hasCause(boom);
        scheduler.endTest();
    }

    @Test
    void aTaskThatJoinsAnotherParksUntilTheOtherCompletes() {
        Task<Integer> first = executor.spawn(() -> executor.timer(Duration.ofMinutes(1)).join() == null ? 20 : 0);
        Task<Integer> second = executor.spawn(() -> first.join() + 1);

        assertThat(second.join()).isEqualTo(21);
        assertThat(scheduler.now()).isEqualTo(TestScheduler.START.plus(Duration.ofMinutes(1)));
    }

    @Test
    void aTaskCancelledBeforeItStartsNeverRunsItsBody() {
        List<String> ran = new ArrayList<>();
        Task<Void> task = executor.spawn(() -> {
            ran.add("body");
        });

        assertThat(task.cancel()).isTrue();
        scheduler.runUntilParked();

        assertThat(ran).isEmpty();
        assertThat(task.isCancelled()).isTrue();
        assertThat(task.isRunning()).isFalse();
        assertThatThrownBy(task::join).isInstanceOf(CancellationException.class);
    }

    @Test
    void cancellingAParkedBodyThrowsCancellationExceptionAtItsBlockingPoint() {
        List<String> events = new ArrayList<>();
        Task<Void> waiting = executor.spawn(() -> {
            try {
                executor.timer(Duration.ofHours(1)).join();
                events.add("woke normally");
            } catch (CancellationException expected) {
                events.add("cancelled at join");
                throw expected;
            }
        });
        scheduler.runUntilParked();

        waiting.cancel();
        scheduler.runUntilParked();

        assertThat(events).containsExactly("cancelled at join");
        assertThat(waiting.isRunning()).isFalse();
        assertThat(scheduler.now()).isEqualTo(TestScheduler.START);
    }

    @Test
    void cancelReturnsFalseOnceTheTaskIsDone() {
        Task<Integer> task = executor.spawn(() -> 1);
        task.join();

        assertThat(task.cancel()).isFalse();
        assertThat(task.isCancelled()).isFalse();
    }

    @Test
    void closeCancelsTheTaskSoTryWithResourcesBoundsItsLifetime() {
        Task<Void> outlived;
        try (Task<Void> task = executor.spawn(() -> executor.timer(Duration.ofSeconds(5)).join())) {
            outlived = task;
            scheduler.runUntilParked();
        }
        scheduler.runUntilParked();

        assertThat(outlived.isCancelled()).isTrue();
        assertThat(outlived.isRunning()).isFalse();
    }

    @Test
    void closeLeavesADetachedTaskRunning() {
        Task<Void> task = executor.spawn(() -> executor.timer(Duration.ofSeconds(5)).join());
        task.detach();
        task.close();

        scheduler.advanceClock(Duration.ofSeconds(5));

        assertThat(task.isCancelled()).isFalse();
        assertThat(task.state()).isEqualTo(Future.State.SUCCESS);
    }

    @Test
    void aDetachedTasksFailureIsReportedWhenTheTestEnds() {
        executor.spawnLabeled(TaskLabel.of("doomed"), () -> {
            throw new IllegalStateException("lost?");
        }).detach();

        assertThatThrownBy(scheduler::endTest)
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("\"doomed\" (detached) failed with java.lang.IllegalStateException: lost?")
                .hasCauseInstanceOf(IllegalStateException.class);
    }

    @Test
    void aFailureNobodyJoinedIsReportedWhenTheTestEnds() {
        executor.spawnLabeled(TaskLabel.of("forgotten"), () -> {
            throw new IllegalArgumentException("nobody looked");
        });

        assertThatThrownBy(scheduler::endTest)
                .hasMessageContaining("1 task failed and nobody joined or handled the failure")
                .hasMessageContaining("\"forgotten\" failed with java.lang.IllegalArgumentException: nobody looked");
    }

    @Test
    void aFailureHandledByADependentStageIsObserved() {
        Task<String> task = executor.spawn(() -> {
            throw new IllegalStateException("handled");
        });
        CompletableFuture<String> handled = task.exceptionally(e -> "recovered");

        scheduler.endTest();

        assertThat(handled.join()).isEqualTo("recovered");
    }

    @Test
    void readyTasksAreCompleteWithoutAScheduler() {
        Task<String> ready = Task.ready("value");

        assertThat(ready.isReady()).isTrue();
        assertThat(ready.join()).isEqualTo("value");
        assertThat(ready.label()).isEmpty();
        assertThat(ready.isRunning()).isFalse();
    }

    @Test
    void aTaskIsACompletionStageWhoseAsyncDependentsRunOnItsScheduler() {
        Task<Integer> task = executor.spawn(() -> 20);
        CompletableFuture<Integer> dependent = task.thenApplyAsync(v -> v + 1).thenCompose(v -> executor.spawn(() -> v * 2));

        assertThat(executor.blockOn(dependent)).isEqualTo(42);
    }

    @Test
    void toCompletableFutureIsIndependentOfTheTask() {
        Task<Void> task = executor.spawn(() -> executor.timer(Duration.ofSeconds(1)).join());
        CompletableFuture<Void> copy = task.toCompletableFuture();

        copy.cancel(true);
        scheduler.advanceClock(Duration.ofSeconds(1));

        assertThat(task.isCancelled()).isFalse();
        assertThat(task.state()).isEqualTo(Future.State.SUCCESS);
    }

    @Test
    void getWithATimeoutGivesUpWithoutCancellingTheTask() {
        scheduler.setTimeoutTicks(0, 0);
        Task<Void> slow = executor.spawn(() -> executor.timer(Duration.ofHours(1)).join());

        assertThatThrownBy(() -> slow.get(1, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);
        assertThat(slow.isCancelled()).isFalse();
        scheduler.advanceClock(Duration.ofHours(1));
        assertThat(slow.isDone()).isTrue();
    }

    @Test
    void currentNamesTheTaskWhoseBodyIsRunning() {
        Task<Task<?>> task = executor.spawnLabeled(TaskLabel.of("self"), () -> Task.current().orElseThrow());

        assertThat((Object) task.join()).isSameAs(task);
        assertThat(Task.current()).isEmpty();
    }

    @Test
    void aTaskCarriesItsLabelPriorityAndSpawnSite() {
        Task<Integer> task = executor.spawn(TaskLabel.of("indexer"), Priority.LOW, () -> 1);

        TaskMetadata meta = task.metadata();
        assertThat(task.label()).contains(TaskLabel.of("indexer"));
        assertThat(meta.priority()).isEqualTo(Priority.LOW);
        assertThat(meta.isForeground()).isFalse();
        assertThat(meta.spawnSite()).isNotNull();
        assertThat(meta.spawnSite().getClassName()).isEqualTo(TaskTest.class.getName());
        assertThat(task.toString()).startsWith("task " + task.id() + " \"indexer\"");
        task.join();
    }

    @Test
    void aLambdaBodySpawnedInALoopIsReportedAtItsLineEveryTime() {
        List<Task<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            tasks.add(executor.spawn(() -> 1));
        }

        assertThat(tasks).extracting(task -> task.metadata().spawnSite()).allSatisfy(site -> {
            assertThat(site.getMethodName()).isEqualTo("aLambdaBodySpawnedInALoopIsReportedAtItsLineEveryTime");
            assertThat(site).isEqualTo(tasks.getFirst().metadata().spawnSite());
        });
        tasks.forEach(Task::join);
    }

    @Test
    void aBodyThatIsNotALambdaIsReportedAtEachPlaceItIsSpawned() {
        Runnable body = new CountingBody();

        Task<Void> first = executor.spawn(body);
        Task<Void> second = executor.spawn(body);

        assertThat(second.metadata().spawnSite().getLineNumber())
                .isEqualTo(first.metadata().spawnSite().getLineNumber() + 1);
        first.join();
        second.join();
    }

    @Test
    void aLambdaCreatedOnceAndSpawnedFromTwoPlacesIsReportedAtTheFirst() {
        Runnable body = () -> { };

        Task<Void> first = spawnFromHere(body);
        Task<Void> second = executor.spawn(body);

        assertThat(second.metadata().spawnSite()).isEqualTo(first.metadata().spawnSite());
        assertThat(first.metadata().spawnSite().getMethodName()).isEqualTo("spawnFromHere");
        first.join();
        second.join();
    }

    private Task<Void> spawnFromHere(Runnable body) {
        return executor.spawn(body);
    }

    /** A body of a class of its own, not a lambda. */
    private static final class CountingBody implements Runnable {

        @Override
        public void run() {
        }
    }
}
