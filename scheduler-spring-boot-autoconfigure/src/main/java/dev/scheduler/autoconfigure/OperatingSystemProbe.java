package dev.scheduler.autoconfigure;

/**
 * Tells the auto-configuration which operating system the application runs on, so that
 * {@code scheduler.dispatcher=auto} can pick its dispatcher. The default reads {@code os.name};
 * define a bean of your own to choose differently (tests do).
 */
@FunctionalInterface
public interface OperatingSystemProbe {

    /** {@return the operating system's name, as the {@code os.name} system property gives it} */
    String osName();

    /** {@return the probe that reads the {@code os.name} system property} */
    static OperatingSystemProbe system() {
        return () -> System.getProperty("os.name", "");
    }
}
