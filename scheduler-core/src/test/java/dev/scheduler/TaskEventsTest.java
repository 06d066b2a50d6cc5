package dev.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scheduler.test.TestScheduler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What JDK Mission Control sees of tasks: the flight recorder's task events, off until asked for. */
class TaskEventsTest {

    private static final List<String> EVENTS = List.of("dev.scheduler.TaskSpawned", "dev.scheduler.TaskStarted",
            "dev.scheduler.TaskParked", "dev.scheduler.TaskFinished");

    @TempDir
    Path directory;

    @Test
    void aRecordingThatAsksForThemShowsEachTasksLifeWithItsIdLabelAndOutcome() throws Exception {
        recordTwoTasksAndCheckTheirLives();
    }

    /**
     * The test thread carries the tasks' virtual threads, and JDK 25's recorder loses the first event
     * such a carrier commits after one of them did: recording after recording must still show every
     * event.
     */
    @Test
    void recordingsOneAfterAnotherOnTheSameTestThreadEachShowEveryEvent() throws Exception {
        for (int recording = 0; recording < 3; recording++) {
            recordTwoTasksAndCheckTheirLives();
        }
    }

    @Test
    void aTaskCancelledBeforeItRanIsStillSpawnedAndThenFinishedAsCancelled() throws Exception {
        List<RecordedEvent> events;
        Task<Void> cancelled;
        try (Recording recording = new Recording()) {
            EVENTS.forEach(name -> recording.enable(name).withoutThreshold());
            recording.start();
            try (TestScheduler scheduler = new TestScheduler()) {
                Executor executor = scheduler.background();
                executor.spawn(() -> executor.timer(Duration.ofSeconds(1)).join()).join();
                cancelled = executor.spawnLabeled(TaskLabel.of("never"), () -> { });
                cancelled.cancel(true);
            }
            recording.stop();
            events = read(recording);
        }

        assertThat(ofTask(events, cancelled)).extracting(event -> event.getEventType().getName())
                .containsExactly("dev.scheduler.TaskSpawned", "dev.scheduler.TaskFinished");
        assertThat(ofTask(events, cancelled)).first().satisfies(spawn ->
                assertThat(spawn.getString("spawnedBy")).isEqualTo(Thread.currentThread().getName()));
        assertThat(ofTask(events, cancelled)).last().satisfies(event ->
                assertThat(event.getString("outcome")).isEqualTo("CANCELLED"));
    }

    @Test
    void aSpawnTheSchedulerRefusesIsRecordedAsSpawnedAndCancelledOnAVirtualThreadNamedAfterTheSpawner()
            throws Exception {
        List<RecordedEvent> events;
        try (Recording recording = new Recording()) {
            EVENTS.forEach(name -> recording.enable(name).withoutThreshold());
            recording.start();
            TestScheduler scheduler = new TestScheduler();
            Executor executor = scheduler.background();
            executor.spawn(() -> executor.timer(Duration.ofSeconds(1)).join()).join();
            scheduler.close();
            assertThatThrownBy(() -> executor.spawnLabeled(TaskLabel.of("refused"), () -> { }))
                    .isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
            recording.stop();
            events = read(recording);
        }

        List<RecordedEvent> refused = events.stream()
                .filter(event -> event.getEventType().getName().startsWith("dev.scheduler."))
                .filter(event -> "refused".equals(event.getString("label"))).toList();
        assertThat(refused).extracting(event -> event.getEventType().getName())
                .containsExactly("dev.scheduler.TaskSpawned", "dev.scheduler.TaskFinished");
        assertThat(refused).allSatisfy(event -> {
            assertThat(event.getThread().isVirtual()).isTrue();
            assertThat(event.getThread().getJavaName()).isEqualTo(Thread.currentThread().getName());
        });
    }

    private void recordTwoTasksAndCheckTheirLives() throws Exception {
        List<RecordedEvent> events;
        Task<Void> waiter;
        Task<Integer> failing;
        try (Recording recording = new Recording()) {
            EVENTS.forEach(name -> recording.enable(name).withoutThreshold());
            recording.start();
            try (TestScheduler scheduler = new TestScheduler()) {
                Executor executor = scheduler.background();
                ReentrantLock lock = new ReentrantLock();
                waiter = executor.spawnLabeled(TaskLabel.of("waiter"), () -> {
                    executor.timer(Duration.ofMinutes(1)).join();
                    lock.lock();
                    lock.unlock();
                });
                failing = executor.spawnLabeled(TaskLabel.of("failing"), () -> {
                    throw new IllegalStateException("boom");
                });
                waiter.join();
                failing.toCompletableFuture().exceptionally(failure -> 0).join();
            }
            recording.stop();
            events = read(recording);
        }

        assertThat(ofTask(events, waiter)).extracting(event -> event.getEventType().getName())
                .containsExactly("dev.scheduler.TaskSpawned", "dev.scheduler.TaskStarted", "dev.scheduler.TaskParked",
                        "dev.scheduler.TaskFinished");
        assertThat(ofTask(events, waiter)).filteredOn(event -> event.getEventType().getName().endsWith("Parked"))
                .singleElement().satisfies(park -> {
                    assertThat(park.getString("waitingFor")).startsWith("the timer task #");
                    assertThat(park.getStackTrace().getFrames()).anyMatch(frame ->
                            frame.getMethod().getType().getName().equals(TaskEventsTest.class.getName()));
                });
        assertThat(ofTask(events, waiter)).first().satisfies(spawn -> {
            assertThat(spawn.getString("spawnedBy")).isEqualTo(Thread.currentThread().getName());
            assertThat(spawn.getThread().getJavaName()).startsWith("task-" + waiter.id().value() + " ");
        });
        assertThat(ofTask(events, waiter)).allSatisfy(event -> {
            assertThat(event.getString("label")).isEqualTo("waiter");
            assertThat(event.getString("priority")).isEqualTo("MEDIUM");
        });
        assertThat(ofTask(events, waiter)).last().satisfies(event ->
                assertThat(event.getString("outcome")).isEqualTo("SUCCESS"));
        assertThat(ofTask(events, failing)).last().satisfies(event ->
                assertThat(event.getString("outcome")).isEqualTo("FAILED"));
        assertThat(ofTask(events, failing)).extracting(event -> event.getEventType().getName())
                .doesNotContain("dev.scheduler.TaskParked");
    }

    @Test
    void aRecordingWithTheDefaultSettingsHasNone() throws Exception {
        List<RecordedEvent> events;
        try (Recording recording = new Recording()) {
            recording.start();
            try (TestScheduler scheduler = new TestScheduler()) {
                Executor executor = scheduler.background();
                executor.spawn(() -> executor.timer(Duration.ofMinutes(1)).join()).join();
            }
            recording.stop();
            events = read(recording);
        }

        assertThat(events).noneMatch(event -> event.getEventType().getName().startsWith("dev.scheduler."));
    }

    private List<RecordedEvent> read(Recording recording) throws Exception {
        Path file = Files.createTempFile(directory, "tasks", ".jfr");
        recording.dump(file);
        return RecordingFile.readAllEvents(file);
    }

    private static List<RecordedEvent> ofTask(List<RecordedEvent> events, Task<?> task) {
        return events.stream()
                .filter(event -> event.getEventType().getName().startsWith("dev.scheduler."))
                .filter(event -> event.getLong("taskId") == task.id().value())
                .sorted(java.util.Comparator.comparing(RecordedEvent::getStartTime))
                .toList();
    }
}
