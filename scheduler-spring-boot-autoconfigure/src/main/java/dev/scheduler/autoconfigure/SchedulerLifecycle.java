package dev.scheduler.autoconfigure;

import dev.scheduler.dispatch.Dispatcher;
import dev.scheduler.dispatch.DispatcherOptions;
import dev.scheduler.dispatch.ShutdownReport;
import java.time.Duration;
import java.util.Objects;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Stops the dispatcher with the application context: it refuses new tasks, lets accepted ones
 * finish for up to {@code scheduler.shutdown.await-termination}, then drops and logs what is left
 * and closes the dispatcher. It starts early and stops late (before and after the web server, say),
 * so that work spawned while requests finish still runs. The dispatcher's threads start when the
 * dispatcher bean is created, early in the context's refresh.
 */
final class SchedulerLifecycle implements SmartLifecycle {

    /** Earlier than Spring Boot's web server lifecycles, so the scheduler starts before them and stops after them. */
    static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private static final Log logger = LogFactory.getLog(SchedulerLifecycle.class);

    private final Dispatcher dispatcher;
    private final Duration awaitTermination;
    private volatile boolean running;

    SchedulerLifecycle(Dispatcher dispatcher, Duration awaitTermination) {
        this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
        this.awaitTermination = Objects.requireNonNull(awaitTermination, "awaitTermination");
    }

    @Override
    public void start() {
        running = true;
        DispatcherOptions options = dispatcher.options();
        // macOS and Windows size their own thread pools: the option counts only on Linux and portable.
        String background = dispatcher.name().equals("mac") || dispatcher.name().equals("windows")
                ? "the operating system's thread pool" : options.backgroundThreads() + " background threads";
        logger.info("Scheduler started on the " + dispatcher.name() + " dispatcher with " + background
                + " and its main loop on " + switch (options.foreground()) {
                    case DEDICATED_THREAD -> "a dedicated thread";
                    case CALLER_THREAD -> "the thread that calls runMainLoop()";
                    case MAIN_QUEUE -> "the main dispatch queue";
                    case EVENT_DISPATCH_THREAD -> "AWT's event dispatch thread";
                });
    }

    @Override
    public void stop() {
        if (!running) {
            return;
        }
        running = false;
        ShutdownReport dropped = dispatcher.close(awaitTermination);
        if (!dropped.isEmpty()) {
            logger.warn("The " + dispatcher.name() + " dispatcher stopped with work left"
                    + (dropped.waitedInVain() ? " after waiting " + awaitTermination
                            + " (scheduler.shutdown.await-termination)" : "") + ": " + dropped);
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
