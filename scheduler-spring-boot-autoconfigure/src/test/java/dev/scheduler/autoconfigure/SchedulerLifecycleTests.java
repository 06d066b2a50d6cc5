package dev.scheduler.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scheduler.Priority;
import dev.scheduler.TaskId;
import dev.scheduler.TaskMetadata;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** Stopping a dispatcher with the context: drain, close, and say what was dropped. */
@ExtendWith(OutputCaptureExtension.class)
class SchedulerLifecycleTests {

    private final ManualScheduler dispatcher = new ManualScheduler();

    @Test
    void stopWhenStepsAreStillQueuedAfterTheTimeoutShouldCloseAndLogWhatItDropped(CapturedOutput output) {
        SchedulerLifecycle lifecycle = new SchedulerLifecycle(dispatcher, dispatcher, Duration.ZERO);
        lifecycle.start();
        dispatcher.schedule(() -> {
        }, new TaskMetadata(TaskId.next(), null, Priority.MEDIUM, null, null));
        dispatcher.scheduleAfter(Duration.ofMinutes(1), () -> {
        });

        lifecycle.stop();

        assertThat(lifecycle.isRunning()).isFalse();
        assertThat(dispatcher.isClosed()).isTrue();
        assertThat(output).contains("ManualScheduler stopped with work left after waiting up to PT0S "
                + "(scheduler.shutdown.await-termination): dropped 1 queued step (background 1, foreground 0, "
                + "deprioritized 0) and 1 pending timer");
    }

    @Test
    void stopWhenNothingIsQueuedShouldCloseQuietly(CapturedOutput output) {
        SchedulerLifecycle lifecycle = new SchedulerLifecycle(dispatcher, dispatcher, Duration.ofSeconds(10));
        lifecycle.start();

        lifecycle.stop();

        assertThat(dispatcher.isClosed()).isTrue();
        assertThat(output).doesNotContain("stopped with work left");
    }
}
