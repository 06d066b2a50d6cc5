package dev.scheduler.autoconfigure;

/**
 * The application cannot run task bodies on virtual threads carried by the scheduler, because the
 * JVM lacks {@value dev.scheduler.TaskThreads#FLAG}; {@link CarrierUnavailableFailureAnalyzer}
 * turns it into Spring Boot's start-up failure report.
 */
final class CarrierUnavailableException extends IllegalStateException {

    CarrierUnavailableException(IllegalStateException cause) {
        super(cause.getMessage(), cause);
    }
}
