package dev.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchedulerDefaultsTest {

    @Test
    void aSchedulerWithoutAForegroundThreadRefusesForegroundStepsNamingTheTaskAndSession() {
        BackgroundOnly scheduler = new BackgroundOnly();
        SessionId session = SessionId.next();
        TaskMetadata meta = new TaskMetadata(TaskId.next(), TaskLabel.of("render"), Priority.HIGH, session, null);
        List<String> ran = new ArrayList<>();

        assertThatThrownBy(() -> scheduler.scheduleForeground(() -> ran.add("render"), meta))
                .isExactlyInstanceOf(UnsupportedOperationException.class)
                .hasMessage("BackgroundOnly has no foreground thread, so it cannot run " + meta.describe() + " of " + session);
        assertThat(ran).isEmpty();
    }

    /** The least a dispatcher must implement: everything but the defaults, none of which this test reaches. */
    private static final class BackgroundOnly implements Scheduler {

        @Override
        public void schedule(Runnable step, TaskMetadata meta) {
            throw new AssertionError("not reached");
        }

        @Override
        public Cancellable scheduleAfter(Duration delay, Runnable step) {
            throw new AssertionError("not reached");
        }

        @Override
        public boolean park(Duration timeout) {
            throw new AssertionError("not reached");
        }

        @Override
        public Unparker unparker() {
            throw new AssertionError("not reached");
        }

        @Override
        public boolean isMainThread() {
            return false;
        }

        @Override
        public Instant now() {
            return Instant.EPOCH;
        }

        @Override
        public QueueDepths queueDepths() {
            return new QueueDepths(0, 0, 0, 0);
        }
    }
}
