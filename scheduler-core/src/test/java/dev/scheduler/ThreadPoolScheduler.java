package dev.scheduler;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A plain multi-threaded scheduler for tests of the production paths: a pool for background
 * steps, one thread for foreground steps, a JDK timer. Not a dispatcher: just enough to be real.
 */
public final class ThreadPoolScheduler implements Scheduler, AutoCloseable {

    /**
     * Two threads over a queue whose producers never wait for its consumers (see the contract of
     * {@link Scheduler}): bodies these threads carry hand steps in too.
     */
    private final ExecutorService background = new java.util.concurrent.ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS,
            new java.util.concurrent.LinkedTransferQueue<>());
    private final ExecutorService foreground;
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final Thread mainThread;

    public ThreadPoolScheduler() {
        Thread[] holder = new Thread[1];
        foreground = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
                new java.util.concurrent.LinkedTransferQueue<>(), runnable -> {
                    holder[0] = new Thread(runnable, "test-main-loop");
                    return holder[0];
                });
        try {
            foreground.submit(() -> { }).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        mainThread = holder[0];
    }

    @Override
    public java.util.Optional<Thread> mainThread() {
        return java.util.Optional.of(mainThread);
    }

    /** Runs {@code action} on the main thread and waits for it. */
    <T> T onMainThread(java.util.concurrent.Callable<T> action) throws Exception {
        return foreground.submit(action).get(30, TimeUnit.SECONDS);
    }

    @Override
    public void schedule(Runnable step, TaskMetadata meta) {
        Objects.requireNonNull(meta, "meta");
        background.execute(step);
    }

    @Override
    public void scheduleForeground(Runnable step, TaskMetadata meta) {
        Objects.requireNonNull(meta, "meta");
        foreground.execute(step);
    }

    @Override
    public Cancellable scheduleAfter(Duration delay, Runnable step) {
        ScheduledFuture<?> future = timers.schedule(step, delay.toNanos(), TimeUnit.NANOSECONDS);
        return () -> future.cancel(false);
    }

    @Override
    public boolean park(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        LockSupport.parkNanos(this, timeout.toNanos());
        return System.nanoTime() < deadline;
    }

    @Override
    public Unparker unparker() {
        Thread thread = Thread.currentThread();
        return () -> LockSupport.unpark(thread);
    }

    @Override
    public boolean isMainThread() {
        Task<?> task = Task.current().orElse(null);
        return task != null ? task.metadata().isForeground() : Thread.currentThread() == mainThread;
    }

    @Override
    public Instant now() {
        return Instant.now();
    }

    @Override
    public QueueDepths queueDepths() {
        return QueueDepths.EMPTY;
    }

    @Override
    public void close() {
        background.shutdownNow();
        foreground.shutdownNow();
        timers.shutdownNow();
    }
}
