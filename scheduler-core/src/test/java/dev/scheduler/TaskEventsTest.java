package dev.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scheduler.test.TestScheduler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
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
        AtomicReference<Task<Void>> never = new AtomicReference<>();
        List<RecordedEvent> events = recorded(scheduler -> {
            Executor executor = scheduler.background();
            executor.spawn(() -> executor.timer(Duration.ofSeconds(1)).join()).join();
            never.set(executor.spawnLabeled(TaskLabel.of("never"), () -> { }));
            never.get().cancel(true);
        });
        Task<Void> cancelled = never.get();

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
        List<RecordedEvent> events = recorded(scheduler -> {
            Executor executor = scheduler.background();
            executor.spawn(() -> executor.timer(Duration.ofSeconds(1)).join()).join();
            scheduler.close();
            assertThatThrownBy(() -> executor.spawnLabeled(TaskLabel.of("refused"), () -> { }))
                    .isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
        });

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
        AtomicReference<Task<Void>> waiting = new AtomicReference<>();
        AtomicReference<Task<Integer>> failed = new AtomicReference<>();
        List<RecordedEvent> events = recorded(scheduler -> {
            Executor executor = scheduler.background();
            ReentrantLock lock = new ReentrantLock();
            waiting.set(executor.spawnLabeled(TaskLabel.of("waiter"), () -> {
                executor.timer(Duration.ofMinutes(1)).join();
                lock.lock();
                lock.unlock();
            }));
            failed.set(executor.spawnLabeled(TaskLabel.of("failing"), () -> {
                throw new IllegalStateException("boom");
            }));
            waiting.get().join();
            failed.get().toCompletableFuture().exceptionally(failure -> 0).join();
        });
        Task<Void> waiter = waiting.get();
        Task<Integer> failing = failed.get();

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

    /** Runs {@code work} on a new TestScheduler inside a recording of the task events; {@return what it recorded} */
    private List<RecordedEvent> recorded(Consumer<TestScheduler> work) throws Exception {
        try (Recording recording = new Recording()) {
            EVENTS.forEach(name -> recording.enable(name).withoutThreshold());
            recording.start();
            try (TestScheduler scheduler = new TestScheduler()) {
                work.accept(scheduler);
            }
            recording.stop();
            return read(recording);
        }
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
