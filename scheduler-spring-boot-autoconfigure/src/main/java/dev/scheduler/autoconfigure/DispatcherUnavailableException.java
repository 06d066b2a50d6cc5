package dev.scheduler.autoconfigure;

/**
 * The dispatcher {@code scheduler.dispatcher} names cannot run here;
 * {@link DispatcherUnavailableFailureAnalyzer} turns it into Spring Boot's start-up failure report.
 */
final class DispatcherUnavailableException extends IllegalStateException {

    private final String dispatcher;

    DispatcherUnavailableException(String dispatcher, RuntimeException cause) {
        super("scheduler.dispatcher=" + dispatcher + " cannot run here: " + cause.getMessage(), cause);
        this.dispatcher = dispatcher;
    }

    /** {@return the property's value, as {@code mac}} */
    String dispatcher() {
        return dispatcher;
    }
}
