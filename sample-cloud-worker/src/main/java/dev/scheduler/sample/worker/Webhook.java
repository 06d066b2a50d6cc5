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

    /** The receiver refused a notification or could not be reached. */
    final class WebhookException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        private final boolean retryable;

        /**
         * Creates the exception for a failure worth another try.
         *
         * @param message what the receiver said, or why it could not be reached
         * @param cause the underlying failure, or {@code null}
         */
        public WebhookException(String message, Throwable cause) {
            this(message, cause, true);
        }

        /**
         * Creates the exception.
         *
         * @param message what the receiver said, or why it could not be reached
         * @param cause the underlying failure, or {@code null}
         * @param retryable whether another try may succeed: not for a request the receiver says is wrong
         */
        public WebhookException(String message, Throwable cause, boolean retryable) {
            super(message, cause);
            this.retryable = retryable;
        }

        /** {@return whether another try may succeed} */
        public boolean retryable() {
            return retryable;
        }
    }
}
