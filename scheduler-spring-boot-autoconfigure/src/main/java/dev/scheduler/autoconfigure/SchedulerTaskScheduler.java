package dev.scheduler.autoconfigure;

import dev.scheduler.Cancellable;
import dev.scheduler.Executor;
import dev.scheduler.Task;
import dev.scheduler.TaskLabel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.task.TaskRejectedException;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.Trigger;
import org.springframework.scheduling.TriggerContext;
import org.springframework.scheduling.support.SimpleTriggerContext;
import org.springframework.util.ErrorHandler;

/**
 * Spring's {@link TaskScheduler} on the scheduler: {@code @Scheduled} methods (fixed rate, fixed
 * delay, cron) and every other use of Spring's {@code TaskScheduler} run as tasks on an
 * {@link Executor}, timed by the scheduler's clock. Under a {@code TestScheduler},
 * {@code advanceClock(Duration.ofHours(1))} runs exactly the invocations due in that hour, the one
 * due at its very end included, in order, without real waiting: a one-minute fixed-rate job
 * scheduled at the start runs 61 times.
 *
 * <p>Policies:
 * <ul>
 *   <li><b>Time.</b> Every time, including a trigger's next execution and a cron expression's next
 *       match, is read from {@link #getClock()}, which reads the scheduler's {@code now()}.
 *       Delays run on the scheduler's timers.
 *   <li><b>Runs.</b> Each run is a detached task labelled with the scheduled method's name (or
 *       {@code scheduled}). Runs of one job never overlap: a fixed-rate run that falls due while
 *       the previous one still runs starts as soon as it ends.
 *   <li><b>Failures</b>, as Spring's {@code ThreadPoolTaskScheduler} treats them. With an
 *       {@linkplain #setErrorHandler(ErrorHandler) error handler}, every failure goes to it and the
 *       job keeps its schedule; if the handler throws, the job ends and its future fails with what
 *       it threw. Without one, a one-time task's failure is logged and fails its future
 *       ({@code get()} throws {@link ExecutionException}); a periodic job's failure is reported to
 *       the scheduler (logged in production, a test failure under a {@code TestScheduler}) and the
 *       job keeps its schedule.
 *   <li><b>Cancellation.</b> Cancelling the returned future withdraws the next run, and
 *       {@code get()} then throws {@link CancellationException}; with {@code mayInterruptIfRunning}
 *       it also cancels the run in progress.
 *   <li><b>Shutdown.</b> When the application context closes (before the scheduler is drained),
 *       every job's next run is withdrawn, as Spring's own schedulers do: a periodic job's next
 *       timer is not work left. Runs in progress finish; later calls are refused with a
 *       {@link TaskRejectedException}.
 * </ul>
 */
public final class SchedulerTaskScheduler implements TaskScheduler, ApplicationListener<ContextClosedEvent> {

    private static final Log logger = LogFactory.getLog(SchedulerTaskScheduler.class);

    private static final TaskLabel DEFAULT_LABEL = TaskLabel.of("scheduled");

    private final Executor executor;
    private final Clock clock;
    private final Set<Job> jobs = ConcurrentHashMap.newKeySet();
    private volatile ErrorHandler errorHandler;
    private volatile boolean shutDown;

    /**
     * Creates a task scheduler that runs jobs on {@code executor}, timed by {@code clock}.
     *
     * @param executor where the runs go; its scheduler's timers time them
     * @param clock the clock triggers read; it must read the executor's scheduler
     * @throws NullPointerException if an argument is null
     */
    public SchedulerTaskScheduler(Executor executor, Clock clock) {
        this.executor = Objects.requireNonNull(executor, "executor");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Clock getClock() {
        return clock;
    }

    /**
     * Sets what every failing run is handed to; {@code null}, the default, restores Spring's
     * defaults: a one-time task's failure fails its future, a periodic job's is reported.
     *
     * @param errorHandler the handler, or {@code null}
     */
    public void setErrorHandler(ErrorHandler errorHandler) {
        this.errorHandler = errorHandler;
    }

    /**
     * Withdraws every job's next run and refuses new jobs; runs in progress finish. The application
     * context calls it when it closes, before the scheduler drains.
     */
    public void shutdown() {
        shutDown = true;
        for (Job job : jobs) {
            job.cancel(false);
        }
    }

    /** Shuts down when the application context closes; see {@link #shutdown()}. */
    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        shutdown();
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable task, Trigger trigger) {
        Objects.requireNonNull(trigger, "trigger");
        return start(task, trigger, false);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable task, Instant startTime) {
        Objects.requireNonNull(startTime, "startTime");
        return start(task, context -> context.lastScheduledExecution() == null ? startTime : null, true);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, Instant startTime, Duration period) {
        Objects.requireNonNull(startTime, "startTime");
        requirePositive(period, "period");
        return start(task, context -> context.lastScheduledExecution() == null ? startTime
                : context.lastScheduledExecution().plus(period), false);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, Duration period) {
        return scheduleAtFixedRate(task, clock.instant(), period);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, Instant startTime, Duration delay) {
        Objects.requireNonNull(startTime, "startTime");
        requirePositive(delay, "delay");
        return start(task, context -> context.lastCompletion() == null ? startTime
                : context.lastCompletion().plus(delay), false);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, Duration delay) {
        return scheduleWithFixedDelay(task, clock.instant(), delay);
    }

    private ScheduledFuture<?> start(Runnable task, Trigger trigger, boolean oneTime) {
        Objects.requireNonNull(task, "task");
        Job job = new Job(task, trigger, oneTime);
        jobs.add(job);
        job.done.whenComplete((result, failure) -> jobs.remove(job));
        // Checked after the job is registered: a shutdown() now either sees the job or is seen here.
        if (shutDown) {
            job.cancel(false);
            throw new TaskRejectedException(this + " is shut down and accepts no more jobs: " + task);
        }
        job.scheduleNext();
        return job;
    }

    private static void requirePositive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + duration);
        }
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> void throwUnchecked(Throwable failure) throws E {
        throw (E) failure;
    }

    /** The label of a job's runs: {@code @Scheduled} runnables name their method; anything else is "scheduled". */
    private static TaskLabel labelOf(Runnable task) {
        String text = task.toString();
        boolean objectDefault = text.equals(task.getClass().getName() + "@" + Integer.toHexString(task.hashCode()));
        // Identity-based text differs between runs, and labels appear in a TestScheduler's replayable trace.
        return objectDefault || text.isBlank() ? DEFAULT_LABEL : TaskLabel.of(text);
    }

    /** One scheduled job: its trigger, its next timer, the run in progress, and its own future. */
    private final class Job implements ScheduledFuture<Object> {

        private final Runnable body;
        private final Trigger trigger;
        private final boolean oneTime;
        private final TaskLabel label;
        private final SimpleTriggerContext context = new SimpleTriggerContext(clock);
        private final CompletableFuture<Object> done = new CompletableFuture<>();
        private Instant next;
        private Cancellable timer;
        private Task<Void> running;

        Job(Runnable body, Trigger trigger, boolean oneTime) {
            this.body = body;
            this.trigger = trigger;
            this.oneTime = oneTime;
            this.label = labelOf(body);
        }

        /** Asks the trigger for the next run and sets a timer for it; completes the job when there is none. */
        void scheduleNext() {
            Instant at;
            try {
                at = trigger.nextExecution(context);
            } catch (RuntimeException | Error e) {
                done.completeExceptionally(e); // a trigger that fails ends its job, which get() says
                throw e;
            }
            synchronized (this) {
                if (done.isDone()) {
                    return;
                }
                if (at == null) {
                    next = null;
                    done.complete(null);
                    return;
                }
                next = at;
                Duration delay = Duration.between(clock.instant(), at);
                try {
                    timer = executor.scheduler().scheduleAfter(delay.isNegative() ? Duration.ZERO : delay, () -> run(at));
                } catch (RejectedExecutionException e) {
                    done.cancel(false); // the scheduler is closed: the job ends with it
                }
            }
        }

        /** A timer step: starts the run as a task, which schedules the next run when it ends. */
        private void run(Instant scheduled) {
            synchronized (this) {
                if (done.isDone()) {
                    return;
                }
                timer = null;
                try {
                    running = executor.spawnLabeled(label, () -> runOnce(scheduled));
                } catch (RejectedExecutionException e) {
                    // The scheduler is shutting down: like Spring's own schedulers, stop periodic jobs quietly.
                    done.cancel(false);
                    return;
                } catch (RuntimeException | Error e) {
                    // Say so here: this runs on a timer step, and a scheduler's timer thread is not ours to throw onto.
                    logger.error("Scheduled job " + label + " could not start a run, and ends", e);
                    done.completeExceptionally(e);
                    return;
                }
                running.detach();
            }
        }

        /**
         * The body of one run: the job's runnable, then what its outcome asks for: the next run, or
         * the end of the job. Throws only what the scheduler should report: a periodic job's failure
         * when no handler is set, or what the handler threw.
         */
        private void runOnce(Instant scheduled) {
            Instant started = clock.instant();
            Throwable failure = null;
            try {
                body.run();
            } catch (Throwable e) {
                failure = e;
            }
            context.update(scheduled, started, clock.instant());
            ErrorHandler handler = errorHandler;
            if (failure != null && handler != null) {
                try {
                    handler.handleError(failure);
                    failure = null;
                } catch (Throwable rethrown) {
                    // The handler ends the job, as in Spring's schedulers, and what it threw is reported too:
                    // nobody calls get() on an @Scheduled job's future.
                    done.completeExceptionally(rethrown);
                    throwUnchecked(rethrown);
                }
            } else if (failure != null && oneTime) {
                logger.error("Unexpected error occurred in scheduled task " + label, failure);
                done.completeExceptionally(failure); // reaches whoever calls get(), as in Spring's schedulers
                return;
            }
            scheduleNext();
            if (failure != null) {
                throwUnchecked(failure);
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            Cancellable pending;
            Task<Void> current;
            synchronized (this) {
                // CompletableFuture.cancel answers true again once cancelled; a Future's contract is false.
                if (done.isDone() || !done.cancel(false)) {
                    return false;
                }
                pending = timer;
                current = running;
                timer = null;
            }
            if (pending != null) {
                pending.cancel();
            }
            if (mayInterruptIfRunning && current != null) {
                current.cancel();
            }
            return true;
        }

        @Override
        public boolean isCancelled() {
            return done.isCancelled();
        }

        @Override
        public boolean isDone() {
            return done.isDone();
        }

        @Override
        public Object get() throws InterruptedException, ExecutionException {
            try {
                return executor.blockOn(done);
            } catch (CompletionException e) {
                throw new ExecutionException(e.getCause());
            }
        }

        @Override
        public Object get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
            try {
                if (executor.blockWithTimeout(Duration.of(timeout, unit.toChronoUnit()), done).isEmpty() && !done.isDone()) {
                    throw new TimeoutException(label + " did not complete within " + timeout + " " + unit);
                }
                return done.join();
            } catch (CompletionException e) {
                throw new ExecutionException(e.getCause());
            }
        }

        @Override
        public synchronized long getDelay(TimeUnit unit) {
            Instant at = next;
            if (at == null) {
                return 0;
            }
            return unit.convert(Duration.between(clock.instant(), at));
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public String toString() {
            return "scheduled job " + label + (done.isDone() ? " (done)" : " (next " + next + ")");
        }
    }
}
