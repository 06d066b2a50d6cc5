package dev.scheduler.sample.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scheduler.cloud.CleanupPolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The worker's settings refuse what cannot work, naming the property. */
class WorkerPropertiesTests {

    private static WorkerProperties with(WorkerProperties.Webhook webhook, WorkerProperties.Outbox outbox) {
        return new WorkerProperties(CleanupPolicy.REPORT, "a", webhook, outbox, new WorkerProperties.Receiver(0));
    }

    @Test
    void theDefaultsHoldTogether() {
        WorkerProperties defaults = with(new WorkerProperties.Webhook(null, 4, Duration.ofSeconds(1), Duration.ofSeconds(5)),
                new WorkerProperties.Outbox(Duration.ofMinutes(1), 100, Duration.ofSeconds(30)));

        assertThat(defaults.webhook().longestBackoff()).isEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void aLeaseShorterThanACallAndTheLongestBackoffIsRefusedNamingBoth() {
        assertThatThrownBy(() -> with(new WorkerProperties.Webhook(null, 8, Duration.ofSeconds(1), Duration.ofSeconds(5)),
                new WorkerProperties.Outbox(Duration.ofMinutes(1), 100, Duration.ofSeconds(30))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("worker.outbox.lease must be longer than one webhook call")
                .hasMessageContaining("worker.webhook.max-attempts")
                .hasMessageContaining("PT1M9S"); // 5 s + 64 s
    }

    @Test
    void aHugeNumberOfAttemptsIsRefusedWithoutOverflowing() {
        assertThatThrownBy(() -> with(new WorkerProperties.Webhook(null, 1000, Duration.ofSeconds(1), Duration.ofSeconds(5)),
                new WorkerProperties.Outbox(Duration.ofMinutes(1), 100, Duration.ofSeconds(30))))
                .hasMessageStartingWith("worker.outbox.lease must be longer");
    }

    @Test
    void badNumbersNameTheirProperty() {
        assertThatThrownBy(() -> new WorkerProperties.Webhook(null, 0, Duration.ofSeconds(1), Duration.ofSeconds(5)))
                .hasMessage("worker.webhook.max-attempts must be at least 1, was 0");
        assertThatThrownBy(() -> new WorkerProperties.Outbox(Duration.ZERO, 100, Duration.ofSeconds(30)))
                .hasMessage("worker.outbox.lease must be positive, was PT0S");
        assertThatThrownBy(() -> new WorkerProperties.Receiver(-1))
                .hasMessage("worker.receiver.fail-first must be zero or positive, was -1");
    }
}
