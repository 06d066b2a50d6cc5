package dev.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scheduler.test.TestScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class TaskObserverTest {

    /** Records every callback as "event label outcome". */
    private static final class Recorder implements TaskObserver {
        final List<String> events = new ArrayList<>();

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
            events.add("finished " + task.label().orElseThrow() + " " + outcome + (task.isDone() ? " (published)" : ""));
        }
    }

    @Test
    void observersHearEachOutcomeBeforeTheResultIsPublished() {
        try (TestScheduler scheduler = new TestScheduler()) {
            Executor executor = scheduler.background();
            Recorder recorder = new Recorder();
            executor.addObserver(recorder);

            executor.spawnLabeled(TaskLabel.of("ok"), () -> 1).join();
            Task<Object> failing = executor.spawnLabeled(TaskLabel.of("boom"), () -> {
                throw new IllegalStateException();
            });
            executor.blockOn(failing.exceptionally(e -> null));
            Task<Void> cancelled = executor.spawnLabeled(TaskLabel.of("never"), () -> { });
            cancelled.cancel();
            scheduler.runUntilParked();

            assertThat(recorder.events).containsExactly(
                    "spawned ok", "started ok", "finished ok SUCCESS",
                    "spawned boom", "started boom", "finished boom FAILED",
                    "spawned never", "finished never CANCELLED (published)");
        }
    }

    @Test
    void anObserverInScopeFollowsTasksToAnyDepthButNotPastTheScope() throws Exception {
        try (TestScheduler scheduler = new TestScheduler()) {
            Executor executor = scheduler.background();
            Recorder recorder = new Recorder();

            TaskObserver.callInScope(recorder, () -> executor.spawnLabeled(TaskLabel.of("parent"), () -> {
                executor.timer(Duration.ofSeconds(1)).join();
                return executor.spawnLabeled(TaskLabel.of("child"), () -> 2).join();
            }));
            executor.spawnLabeled(TaskLabel.of("outsider"), () -> 3);
            scheduler.advanceClock(Duration.ofSeconds(1));

            assertThat(recorder.events).containsExactly("spawned parent", "started parent",
                    "spawned child", "started child", "finished child SUCCESS", "finished parent SUCCESS");
            assertThat(TaskObserver.inScope()).isNull();
        }
    }
}
