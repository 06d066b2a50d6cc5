package dev.scheduler.autoconfigure;

import dev.scheduler.QueueDepths;
import dev.scheduler.Scheduler;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Stops a dispatcher with the application context: it lets queued steps drain for up to
 * {@code scheduler.shutdown.await-termination}, then closes the dispatcher and logs what it had to
 * drop. It starts early and stops late (before and after the web server, say), so that work
 * spawned while requests finish still runs.
 */
final class SchedulerLifecycle implements SmartLifecycle {

    /** Earlier than Spring Boot's web server lifecycles, so the scheduler starts before them and stops after them. */
    static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private static final Log logger = LogFactory.getLog(SchedulerLifecycle.class);
    private static final long DRAIN_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final Scheduler scheduler;
    private final AutoCloseable dispatcher;
    private final Duration awaitTermination;
    private volatile boolean running;

    SchedulerLifecycle(Scheduler scheduler, AutoCloseable dispatcher, Duration awaitTermination) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
        this.awaitTermination = Objects.requireNonNull(awaitTermination, "awaitTermination");
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        if (!running) {
            return;
        }
        running = false;
        QueueDepths left = drain();
        try {
            dispatcher.close();
        } catch (Exception e) {
            throw new IllegalStateException("Closing " + scheduler.getClass().getName() + " failed", e);
        }
        int dropped = left.background() + left.foreground() + left.deprioritized();
        if (dropped > 0 || left.timers() > 0) {
            logger.warn(scheduler.getClass().getSimpleName() + " stopped with work left after waiting up to "
                    + awaitTermination + " (scheduler.shutdown.await-termination): dropped " + dropped
                    + (dropped == 1 ? " queued step" : " queued steps") + " (background " + left.background()
                    + ", foreground " + left.foreground() + ", deprioritized " + left.deprioritized() + ") and "
                    + left.timers() + (left.timers() == 1 ? " pending timer" : " pending timers"));
        }
    }

    /** Waits until no step is queued (timers never drain: they are dropped) or the time is up. */
    private QueueDepths drain() {
        // The main loop cannot run its own queue while it is here closing the context.
        boolean onMainLoop = scheduler.isMainThread();
        long deadline = System.nanoTime() + awaitTermination.toNanos();
        QueueDepths depths = scheduler.queueDepths();
        while (queued(depths, onMainLoop) > 0 && deadline - System.nanoTime() > 0) {
            LockSupport.parkNanos(this, Math.min(DRAIN_POLL_NANOS, deadline - System.nanoTime()));
            depths = scheduler.queueDepths();
        }
        return depths;
    }

    private static int queued(QueueDepths depths, boolean onMainLoop) {
        return depths.background() + depths.deprioritized() + (onMainLoop ? 0 : depths.foreground());
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
