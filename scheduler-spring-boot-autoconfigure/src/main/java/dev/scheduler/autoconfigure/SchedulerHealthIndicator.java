package dev.scheduler.autoconfigure;

import dev.scheduler.Cancellable;
import dev.scheduler.ForegroundExecutor;
import dev.scheduler.Priority;
import dev.scheduler.Scheduler;
import dev.scheduler.TaskId;
import dev.scheduler.TaskLabel;
import dev.scheduler.TaskMetadata;
import dev.scheduler.test.TestScheduler;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.SmartLifecycle;

/**
 * Reports a stalled main loop: DOWN, with details, once a foreground step has waited longer than
 * the stall threshold ({@code scheduler.health.stall-threshold}).
 *
 * <p>The scheduler SPI does not tell how long its oldest foreground step has waited, so while the
 * application runs this indicator sends a ping step to the {@link ForegroundExecutor}'s session
 * every ping interval and measures how long it waits. The wait it reports is that of the ping still
 * pending, or, when none is pending, how overdue the next ping is, which covers a main loop so
 * stuck that it cannot even fire the timer of the next ping.
 *
 * <p>Under a {@code TestScheduler} it sends no pings, since the foreground runs only when the test
 * drives it and a ping timer would keep virtual time from ever running out; it reports UP.
 */
public final class SchedulerHealthIndicator implements HealthIndicator, SmartLifecycle {

    private static final TaskLabel PING = TaskLabel.of("health-ping");
    private static final long NONE = Long.MIN_VALUE;

    private final Scheduler scheduler;
    private final ForegroundExecutor foreground;
    private final Duration stallThreshold;
    private final Duration pingInterval;
    private final LongSupplier nanoTime;
    private final Object lock = new Object();
    private long pingSentAt = NONE;
    private long lastAnsweredAt = NONE;
    private long lastWaitNanos;
    private Cancellable nextPing;
    private boolean running;

    /**
     * Creates an indicator pinging {@code foreground}'s main loop on the system's monotonic clock.
     *
     * @param foreground the executor whose confined thread is the main loop
     * @param stallThreshold how long a ping may wait before health turns DOWN; positive
     * @param pingInterval how long between one ping's answer and the next ping; positive
     * @throws NullPointerException if an argument is null
     */
    public SchedulerHealthIndicator(ForegroundExecutor foreground, Duration stallThreshold, Duration pingInterval) {
        this(foreground, stallThreshold, pingInterval, System::nanoTime);
    }

    SchedulerHealthIndicator(ForegroundExecutor foreground, Duration stallThreshold, Duration pingInterval,
            LongSupplier nanoTime) {
        this.foreground = Objects.requireNonNull(foreground, "foreground");
        this.scheduler = foreground.scheduler();
        this.stallThreshold = Objects.requireNonNull(stallThreshold, "stallThreshold");
        this.pingInterval = Objects.requireNonNull(pingInterval, "pingInterval");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    @Override
    public Health health() {
        Health.Builder health = Health.up().withDetail("dispatcher", scheduler.getClass().getName());
        if (scheduler.as(TestScheduler.class).isPresent()) {
            return health.withDetail("stallDetection", "off: a TestScheduler runs the foreground only when the test drives it")
                    .build();
        }
        long waited;
        long lastWait;
        synchronized (lock) {
            if (!running) {
                return Health.unknown().withDetail("dispatcher", scheduler.getClass().getName())
                        .withDetail("stallDetection", "not running: the application context is not started").build();
            }
            long now = nanoTime.getAsLong();
            waited = pingSentAt != NONE ? now - pingSentAt
                    : lastAnsweredAt != NONE ? Math.max(0, now - lastAnsweredAt - pingInterval.toNanos()) : 0;
            lastWait = lastWaitNanos;
        }
        Duration waiting = Duration.ofNanos(waited);
        health.withDetail("foregroundWait", waiting.toString())
                .withDetail("lastPingWait", Duration.ofNanos(lastWait).toString())
                .withDetail("stallThreshold", stallThreshold.toString());
        if (waiting.compareTo(stallThreshold) > 0) {
            return health.down()
                    .withDetail("stalled", "a foreground step has waited " + waiting + " for the main loop thread \""
                            + foreground.thread().getName() + "\", longer than " + stallThreshold)
                    .build();
        }
        return health.build();
    }

    // ---------------------------------------------------------------- pinging while the context runs

    @Override
    public void start() {
        synchronized (lock) {
            if (running) {
                return;
            }
            running = true;
            lastAnsweredAt = nanoTime.getAsLong();
        }
        if (scheduler.as(TestScheduler.class).isEmpty()) {
            ping();
        }
    }

    @Override
    public void stop() {
        Cancellable pending;
        synchronized (lock) {
            running = false;
            pending = nextPing;
            nextPing = null;
            pingSentAt = NONE;
        }
        if (pending != null) {
            pending.cancel();
        }
    }

    @Override
    public boolean isRunning() {
        synchronized (lock) {
            return running;
        }
    }

    /** Starts after the scheduler's own lifecycle and stops before it. */
    @Override
    public int getPhase() {
        return SchedulerLifecycle.PHASE + 1;
    }

    private void ping() {
        synchronized (lock) {
            if (!running) {
                return;
            }
            pingSentAt = nanoTime.getAsLong();
            nextPing = null;
        }
        try {
            scheduler.scheduleForeground(this::answered,
                    new TaskMetadata(TaskId.next(), PING, Priority.MEDIUM, foreground.sessionId(), null));
        } catch (RejectedExecutionException closing) {
            // The scheduler is shutting down with the context: there is no main loop left to watch.
            stop();
        }
    }

    /** The ping step, on the main loop: records how long it waited and sets a timer for the next. */
    private void answered() {
        synchronized (lock) {
            if (!running || pingSentAt == NONE) {
                return;
            }
            long now = nanoTime.getAsLong();
            lastWaitNanos = now - pingSentAt;
            lastAnsweredAt = now;
            pingSentAt = NONE;
            try {
                nextPing = scheduler.scheduleAfter(pingInterval, this::ping);
            } catch (RejectedExecutionException closing) {
                // As in ping(): the scheduler is closing.
                running = false;
            }
        }
    }
}
