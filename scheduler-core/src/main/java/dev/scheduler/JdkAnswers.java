package dev.scheduler;

import dev.scheduler.jdk.JdkHooks;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The scheduler's answers to the instrumented JDK ({@link JdkHooks}): inside a task's body, timed
 * waits measure time on the task's scheduler's clock and time out through a timer on that
 * scheduler; on any other thread the JDK keeps its own clock and timers. The application's own
 * clock reads, where the agent rewrote them, are virtual only inside the tasks of a
 * {@link Simulation} that asks for it. Threads the code starts, their failures, parks of a run's own
 * thread and {@code CompletableFuture}'s default executor are {@link AdoptedThreads}' to answer.
 */
final class JdkAnswers implements JdkHooks.TaskTime {

    private static final long MAX_DELAY_NANOS = Scheduler.MAX_DELAY.toNanos();

    @Override
    public long nanoTime(Thread thread) {
        Scheduler scheduler = schedulerOf(thread);
        return scheduler == null ? System.nanoTime() : scheduler.nanoTime();
    }

    @Override
    public long currentTimeMillis(Thread thread) {
        Scheduler scheduler = schedulerOf(thread);
        return scheduler == null ? System.currentTimeMillis() : scheduler.now().toEpochMilli();
    }

    /**
     * Called where the JDK arms a wait's timeout: for a virtual thread's park, on its carrier right
     * after the body unmounted. It must not throw there, so a scheduler that refuses the timer (it
     * is closed) leaves the timeout to the JDK, whose wake-up the task's run then handles.
     */
    @Override
    public ScheduledFuture<?> schedule(Thread thread, Runnable command, long delayNanos) {
        Scheduler scheduler = schedulerOf(thread);
        if (scheduler == null) {
            return null;
        }
        long delay = Math.clamp(delayNanos, 0, MAX_DELAY_NANOS);
        Timeout timeout = new Timeout(scheduler, scheduler.nanoTime() + delay);
        try {
            timeout.timer = scheduler.scheduleAfter(Duration.ofNanos(delay), () -> {
                if (timeout.done.complete(null)) {
                    command.run();
                }
            });
        } catch (RuntimeException refused) {
            return null;
        }
        return timeout;
    }

    @Override
    public Instant applicationNow(Thread thread) {
        Scheduler scheduler = virtualClockOf(thread);
        return scheduler == null ? null : scheduler.now();
    }

    @Override
    public long applicationNanoTime(Thread thread) {
        Scheduler scheduler = virtualClockOf(thread);
        return scheduler == null ? Long.MIN_VALUE : scheduler.nanoTime();
    }

    /** {@return the scheduler of the task whose body runs on {@code thread}, if it asks for virtual clock reads} */
    private static Scheduler virtualClockOf(Thread thread) {
        if (!thread.isVirtual()) {
            return null;
        }
        Scheduler scheduler = schedulerOf(thread);
        return scheduler != null && scheduler.as(Simulation.class).filter(Simulation::virtualClockReads).isPresent()
                ? scheduler : null;
    }

    @Override
    public java.util.concurrent.Executor asyncExecutor(Thread thread) {
        return AdoptedThreads.asyncExecutor(thread);
    }

    @Override
    public void uncaught(Thread thread, Throwable failure) {
        AdoptedThreads.uncaught(thread, failure);
    }

    @Override
    public Thread standIn(Thread platform) {
        return AdoptedThreads.standIn(platform);
    }

    @Override
    public boolean joinStandIn(Thread platform, long millis) {
        return AdoptedThreads.joinStandIn(platform, millis);
    }

    @Override
    public boolean parkOwner(Thread thread, Object blocker, long nanos) {
        return !(blocker instanceof Scheduler) && AdoptedThreads.parkOwner(thread, nanos);
    }

    @Override
    public void unparkOwner(Thread thread) {
        AdoptedThreads.unparkOwner(thread);
    }

    /** {@return the scheduler of the task whose body runs on {@code thread}, an adopted thread's included, or null} */
    private static Scheduler schedulerOf(Thread thread) {
        if (!thread.isVirtual()) {
            return AdoptedThreads.ownerScheduler(thread); // a run's own thread, driving it, measures its clock
        }
        if (!(ThreadWaits.carrierOf(thread) instanceof TaskRunner runner)) {
            return null;
        }
        Scheduler own = runner.schedulerOf(thread);
        if (own != null) {
            return own;
        }
        Task<Void> adopted = AdoptedThreads.taskOf(thread);
        return adopted == null ? null : adopted.executor().scheduler();
    }

    /** A wait's timeout as a timer on a task's scheduler, seen as the JDK's own timers are. */
    private static final class Timeout implements ScheduledFuture<Void> {

        private final Scheduler scheduler;
        private final long deadline;
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private volatile Cancellable timer;

        Timeout(Scheduler scheduler, long deadline) {
            this.scheduler = scheduler;
            this.deadline = deadline;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            if (!done.cancel(false)) {
                return false;
            }
            Cancellable armed = timer;
            if (armed != null) {
                armed.cancel();
            }
            return true;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(deadline - scheduler.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
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
        public Void get() throws InterruptedException, ExecutionException {
            return done.get();
        }

        @Override
        public Void get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
            return done.get(timeout, unit);
        }
    }
}
