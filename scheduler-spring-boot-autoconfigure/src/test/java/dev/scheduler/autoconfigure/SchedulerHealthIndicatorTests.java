package dev.scheduler.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scheduler.ForegroundExecutor;
import dev.scheduler.test.TestScheduler;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * The stalled-main-loop indicator against a scheduler whose main loop runs only when the test says
 * so, on a clock the test moves.
 */
class SchedulerHealthIndicatorTests {

    private final AtomicLong nanos = new AtomicLong();

    private final ManualScheduler scheduler = new ManualScheduler();

    private final SchedulerHealthIndicator indicator = new SchedulerHealthIndicator(
            new ForegroundExecutor(scheduler, Thread.currentThread()), Duration.ofSeconds(5), Duration.ofSeconds(1),
            nanos::get);

    @Test
    void healthWhenAForegroundStepWaitsLongerThanTheThresholdShouldBeDownNamingTheMainLoop() {
        indicator.start();
        assertThat(scheduler.queueDepths().foreground()).as("the first ping").isEqualTo(1);

        elapse(Duration.ofSeconds(5));
        assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);

        elapse(Duration.ofMillis(1));
        Health stalled = indicator.health();
        assertThat(stalled.getStatus()).isEqualTo(Status.DOWN);
        assertThat(stalled.getDetails()).containsEntry("foregroundWait", "PT5.001S")
                .containsEntry("stallThreshold", "PT5S")
                .containsEntry("dispatcher", ManualScheduler.class.getName());
        assertThat((String) stalled.getDetails().get("stalled"))
                .contains("waited PT5.001S for the main loop thread \"" + Thread.currentThread().getName() + "\"");
    }

    @Test
    void healthWhenTheMainLoopAnswersShouldBeUpAndPingAgainAfterTheInterval() {
        indicator.start();
        elapse(Duration.ofSeconds(6));
        scheduler.runForeground();

        Health recovered = indicator.health();
        assertThat(recovered.getStatus()).isEqualTo(Status.UP);
        assertThat(recovered.getDetails()).containsEntry("lastPingWait", "PT6S").containsEntry("foregroundWait", "PT0S");
        assertThat(scheduler.queueDepths().timers()).as("the next ping's timer").isEqualTo(1);

        scheduler.advance(Duration.ofSeconds(1));
        assertThat(scheduler.queueDepths().foreground()).as("the second ping").isEqualTo(1);
    }

    @Test
    void healthWhenTheNextPingIsOverdueShouldBeDownEvenWithNoPingPending() {
        indicator.start();
        scheduler.runForeground();

        elapse(Duration.ofSeconds(7));
        assertThat(indicator.health().getDetails()).containsEntry("foregroundWait", "PT6S");
        assertThat(indicator.health().getStatus()).isEqualTo(Status.DOWN);
    }

    @Test
    void stoppingShouldWithdrawTheNextPingAndReportUnknown() {
        indicator.start();
        scheduler.runForeground();

        indicator.stop();

        assertThat(indicator.isRunning()).isFalse();
        assertThat(scheduler.queueDepths().total()).isZero();
        assertThat(indicator.health().getStatus()).isEqualTo(Status.UNKNOWN);
    }

    @Test
    void healthUnderATestSchedulerShouldBeUpWithoutPinging() {
        TestScheduler test = new TestScheduler();
        SchedulerHealthIndicator underTest = new SchedulerHealthIndicator(test.foreground(), Duration.ofSeconds(5),
                Duration.ofSeconds(1));

        underTest.start();

        assertThat(test.queueDepths().total()).isZero();
        Health health = underTest.health();
        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat((String) health.getDetails().get("stallDetection")).startsWith("off");
    }

    private void elapse(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }
}
