package dev.scheduler.sample.worker;

/** Tells the outside world of an order: one call, which either is accepted or throws. */
@FunctionalInterface
public interface Webhook {

    /**
     * Delivers one notification; blocks until the receiver answered.
     *
     * @param notification what to tell
     * @throws WebhookException if the receiver refused it or could not be reached
     */
    void deliver(OrderNotification notification);

    /** The receiver refused a notification or could not be reached: worth another try. */
    final class WebhookException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        /**
         * Creates the exception.
         *
         * @param message what the receiver said, or why it could not be reached
         * @param cause the underlying failure, or {@code null}
         */
        public WebhookException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
