package dev.scheduler.sample.worker;

import dev.scheduler.cloud.CleanupPolicy;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The order-intake worker's settings, under {@code worker.*}.
 *
 * @param cleanupPolicy what ending a request's session does about tasks still running without
 *     {@code waitUntil}: report them (the default), cancel them, or fail the request
 * @param instance this instance's name in outbox claims and ShedLock; a random one by default
 * @param webhook where and how orders are notified
 * @param outbox how pending notifications are claimed and re-driven
 * @param receiver the sample's own webhook receiver
 */
@ConfigurationProperties("worker")
public record WorkerProperties(
        @DefaultValue("report") CleanupPolicy cleanupPolicy,
        String instance,
        @DefaultValue Webhook webhook,
        @DefaultValue Outbox outbox,
        @DefaultValue Receiver receiver) {

    /** Longer than any lease anyone sets: where doubling the backoff stops counting. */
    private static final Duration CENTURY = Duration.ofDays(36_525);

    /** Checks every setting, naming the property that is wrong. */
    public WorkerProperties {
        Objects.requireNonNull(cleanupPolicy, "worker.cleanup-policy");
        instance = instance == null || instance.isBlank() ? "worker-" + UUID.randomUUID() : instance;
        if (instance.length() > 100) {
            throw new IllegalArgumentException("worker.instance must be at most 100 characters, was " + instance.length());
        }
        Objects.requireNonNull(webhook, "worker.webhook");
        Objects.requireNonNull(outbox, "worker.outbox");
        Duration longestAttempt = webhook.timeout().plus(webhook.longestBackoff());
        if (outbox.lease().compareTo(longestAttempt) <= 0) {
            throw new IllegalArgumentException("worker.outbox.lease must be longer than one webhook call and the"
                    + " longest wait before one (worker.webhook.timeout plus worker.webhook.first-backoff doubled for"
                    + " each of worker.webhook.max-attempts), " + longestAttempt + ", was " + outbox.lease());
        }
    }

    /**
     * The webhook told of every accepted order.
     *
     * @param url where to POST; empty for this instance's own receiver ({@code /webhook-receiver/orders})
     * @param maxAttempts how many calls before the order is marked {@code NOTIFY_FAILED}
     * @param firstBackoff the wait after the first failed call; each later wait doubles
     * @param timeout how long one call may take
     */
    public record Webhook(String url, @DefaultValue("4") int maxAttempts, @DefaultValue("1s") Duration firstBackoff,
            @DefaultValue("5s") Duration timeout) {

        /** Checks the webhook settings. */
        public Webhook {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("worker.webhook.max-attempts must be at least 1, was " + maxAttempts);
            }
            positive("worker.webhook.first-backoff", firstBackoff);
            positive("worker.webhook.timeout", timeout);
        }

        /** {@return the wait before the last attempt: the first backoff, doubled for each attempt between} */
        Duration longestBackoff() {
            Duration wait = maxAttempts < 2 ? Duration.ZERO : firstBackoff;
            for (int attempt = 3; attempt <= maxAttempts && wait.compareTo(CENTURY) < 0; attempt++) {
                wait = wait.multipliedBy(2);
            }
            return wait;
        }
    }

    /**
     * The outbox of pending notifications.
     *
     * @param lease how long a claim keeps other instances off an order; renewed before each
     *     attempt, so it must outlast one call and the longest wait before one
     * @param batch how many pending orders one re-drive claims
     * @param redriveInterval the pause between re-drives, on the scheduler's clock
     */
    public record Outbox(@DefaultValue("1m") Duration lease, @DefaultValue("100") int batch,
            @DefaultValue("30s") Duration redriveInterval) {

        /** Checks the outbox settings. */
        public Outbox {
            positive("worker.outbox.lease", lease);
            positive("worker.outbox.redrive-interval", redriveInterval);
            if (batch < 1) {
                throw new IllegalArgumentException("worker.outbox.batch must be at least 1, was " + batch);
            }
        }
    }

    /**
     * The sample's own webhook receiver, so that the demo needs nothing else.
     *
     * @param failFirst how many calls it answers with 503 before it accepts any
     */
    public record Receiver(@DefaultValue("0") int failFirst) {

        /** Checks the receiver settings. */
        public Receiver {
            if (failFirst < 0) {
                throw new IllegalArgumentException("worker.receiver.fail-first must be zero or positive, was " + failFirst);
            }
        }
    }

    private static void positive(String property, Duration value) {
        Objects.requireNonNull(value, property);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(property + " must be positive, was " + value);
        }
    }
}
