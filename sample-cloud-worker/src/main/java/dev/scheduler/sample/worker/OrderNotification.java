package dev.scheduler.sample.worker;

/**
 * What the webhook is told of an accepted order: the JSON body of its {@code POST}.
 *
 * @param orderId the order
 * @param customer who ordered
 * @param lines how many lines the order has
 */
public record OrderNotification(long orderId, String customer, int lines) {

    /** {@return the key the webhook can drop a repeated delivery by, sent as {@code Idempotency-Key}} */
    public String idempotencyKey() {
        return "order-" + orderId;
    }
}
