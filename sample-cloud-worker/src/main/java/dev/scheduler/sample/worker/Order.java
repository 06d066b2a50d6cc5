package dev.scheduler.sample.worker;

import java.time.Instant;
import java.util.List;

/**
 * A stored order, as {@code GET /orders/{id}} shows it.
 *
 * @param id its id
 * @param customer who ordered
 * @param items what, in the order given
 * @param placedAt when it was accepted, on the scheduler's clock
 * @param notification where its webhook notification stands
 * @param notifyAttempts how many webhook calls were made for it
 */
public record Order(long id, String customer, List<NewOrder.Item> items, Instant placedAt,
        NotificationState notification, int notifyAttempts) {

    /** Copies the items, so that the order never changes. */
    public Order {
        items = List.copyOf(items);
    }
}
