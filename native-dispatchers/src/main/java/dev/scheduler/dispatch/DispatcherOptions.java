package dev.scheduler.dispatch;

import dev.scheduler.Scheduler;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Dispatcher} is set up. Start from {@link #defaults()} and change what you need:
 * {@code DispatcherOptions.defaults().withBackgroundThreads(4)}.
 *
 * @param backgroundThreads how many threads run background steps; at least one (the default is
 *     the number of available processors, and at least two)
 * @param threadNamePrefix the prefix of the dispatcher's thread names: {@code scheduler-worker-1},
 *     {@code scheduler-main}
 * @param foreground which thread runs the main loop
 * @param shutdownTimeout how long {@link Dispatcher#close()} lets accepted tasks finish before it
 *     drops what is left; zero or positive
 * @param uncaughtExceptionHandler what receives the exception of a plain step that throws (task
 *     bodies never do: their failures reach their tasks); the default logs it at {@code ERROR}
 */
public record DispatcherOptions(int backgroundThreads, String threadNamePrefix, Foreground foreground,
        Duration shutdownTimeout, Thread.UncaughtExceptionHandler uncaughtExceptionHandler) {

    /** Which thread runs a dispatcher's main loop, and with it every foreground step. */
    public enum Foreground {

        /** A thread the dispatcher starts and stops: what a server wants. */
        DEDICATED_THREAD,

        /**
         * The thread that creates the dispatcher, from the moment it calls the dispatcher's
         * {@code runMainLoop()} until the dispatcher is closed: what a desktop application's main
         * method wants. Foreground steps and (on Linux and the portable dispatcher) timers run only
         * while that thread is inside {@code runMainLoop()}.
         */
        CALLER_THREAD,

        /**
         * The process's main dispatch queue (macOS only), serviced by the application's run loop
         * (AppKit, JavaFX or SWT under {@code -XstartOnFirstThread}).
         */
        MAIN_QUEUE,

        /**
         * AWT's event dispatch thread, for a Swing or AWT application: foreground steps run there,
         * between the toolkit's input and paint events, and a {@code ForegroundExecutor} on
         * {@code mainThread()} is the application's UI executor. Every dispatcher offers it; timers
         * and background steps stay where they are (a dedicated timer thread on Linux and the
         * portable dispatcher). {@code close()} must then be called from a thread other than the
         * event dispatch thread, which has to keep running foreground steps while accepted tasks
         * finish.
         */
        EVENT_DISPATCH_THREAD
    }

    /** Logs a failing plain step at {@code ERROR}; the default handler. */
    static final Thread.UncaughtExceptionHandler LOG_FAILURES = (thread, failure) -> System.getLogger(
            Dispatcher.class.getName()).log(System.Logger.Level.ERROR,
                    "A step failed on dispatcher thread \"" + thread.getName() + "\"", failure);

    /**
     * Validates the options.
     *
     * @throws NullPointerException if {@code threadNamePrefix}, {@code foreground},
     *     {@code shutdownTimeout} or {@code uncaughtExceptionHandler} is null
     * @throws IllegalArgumentException if {@code backgroundThreads} is below one, or
     *     {@code shutdownTimeout} is negative
     */
    public DispatcherOptions {
        if (backgroundThreads < 1) {
            throw new IllegalArgumentException("backgroundThreads must be at least 1, was " + backgroundThreads);
        }
        Objects.requireNonNull(threadNamePrefix, "threadNamePrefix");
        Objects.requireNonNull(foreground, "foreground");
        Scheduler.requireDelay(shutdownTimeout, "shutdownTimeout");
        Objects.requireNonNull(uncaughtExceptionHandler, "uncaughtExceptionHandler");
    }

    /**
     * {@return the defaults: one background thread per available processor (at least two), thread
     * names starting {@code scheduler}, a dedicated main loop thread, a ten second shutdown
     * timeout, and failing plain steps logged}
     */
    public static DispatcherOptions defaults() {
        return new DispatcherOptions(Math.max(2, Runtime.getRuntime().availableProcessors()), "scheduler",
                Foreground.DEDICATED_THREAD, Duration.ofSeconds(10), LOG_FAILURES);
    }

    /**
     * {@return these options with {@code backgroundThreads} background threads}
     *
     * @param backgroundThreads at least one
     */
    public DispatcherOptions withBackgroundThreads(int backgroundThreads) {
        return new DispatcherOptions(backgroundThreads, threadNamePrefix, foreground, shutdownTimeout,
                uncaughtExceptionHandler);
    }

    /**
     * {@return these options with threads named from {@code threadNamePrefix}}
     *
     * @param threadNamePrefix the prefix
     */
    public DispatcherOptions withThreadNamePrefix(String threadNamePrefix) {
        return new DispatcherOptions(backgroundThreads, threadNamePrefix, foreground, shutdownTimeout,
                uncaughtExceptionHandler);
    }

    /**
     * {@return these options with the main loop on {@code foreground}}
     *
     * @param foreground which thread runs the main loop
     */
    public DispatcherOptions withForeground(Foreground foreground) {
        return new DispatcherOptions(backgroundThreads, threadNamePrefix, foreground, shutdownTimeout,
                uncaughtExceptionHandler);
    }

    /**
     * {@return these options with {@code shutdownTimeout} for {@link Dispatcher#close()}}
     *
     * @param shutdownTimeout zero or positive
     */
    public DispatcherOptions withShutdownTimeout(Duration shutdownTimeout) {
        return new DispatcherOptions(backgroundThreads, threadNamePrefix, foreground, shutdownTimeout,
                uncaughtExceptionHandler);
    }

    /**
     * {@return these options with failing plain steps handed to {@code uncaughtExceptionHandler}}
     *
     * @param uncaughtExceptionHandler the handler
     */
    public DispatcherOptions withUncaughtExceptionHandler(Thread.UncaughtExceptionHandler uncaughtExceptionHandler) {
        return new DispatcherOptions(backgroundThreads, threadNamePrefix, foreground, shutdownTimeout,
                uncaughtExceptionHandler);
    }
}
