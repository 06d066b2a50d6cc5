package dev.scheduler.sample.worker;

/** Where an order's webhook notification stands. */
public enum NotificationState {
    /** Not yet told: in the outbox, being tried or waiting for a re-drive. */
    PENDING,
    /** The webhook accepted it. */
    NOTIFIED,
    /** The webhook refused every attempt; counted in {@code orders.notifications{outcome=failed}}. */
    NOTIFY_FAILED
}
