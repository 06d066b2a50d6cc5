package dev.scheduler.autoconfigure;

import dev.scheduler.Cancellable;
import dev.scheduler.QueueDepths;
import dev.scheduler.Scheduler;
import dev.scheduler.TaskMetadata;
import dev.scheduler.Unparker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/**
 * A scheduler that runs nothing until the test says so: a stand-in for a production dispatcher
 * whose main loop is stalled, or that a test drains step by step. Its clock is its own and moves
 * only in {@link #advance(Duration)}.
 */
final class ManualScheduler implements Scheduler, AutoCloseable {

    private record Timer(Instant deadline, Runnable step, boolean[] cancelled) {
    }

    private final Deque<Runnable> background = new ArrayDeque<>();
    private final Deque<Runnable> foreground = new ArrayDeque<>();
    private final List<Timer> timers = new ArrayList<>();
    private Instant now = Instant.parse("2030-01-01T00:00:00Z");
    private boolean closed;

    @Override
    public synchronized void schedule(Runnable step, TaskMetadata meta) {
        requireOpen();
        background.add(step);
    }

    @Override
    public synchronized void scheduleForeground(Runnable step, TaskMetadata meta) {
        requireOpen();
        foreground.add(step);
    }

    @Override
    public synchronized Cancellable scheduleAfter(Duration delay, Runnable step) {
        requireOpen();
        Timer timer = new Timer(now.plus(delay), step, new boolean[1]);
        timers.add(timer);
        return () -> {
            synchronized (this) {
                timer.cancelled()[0] = true;
                return timers.remove(timer);
            }
        };
    }

    @Override
    public boolean park(Duration timeout) {
        throw new UnsupportedOperationException("ManualScheduler never parks a thread");
    }

    @Override
    public Unparker unparker() {
        return () -> {
        };
    }

    @Override
    public boolean isMainThread() {
        return false;
    }

    @Override
    public synchronized Instant now() {
        return now;
    }

    @Override
    public synchronized QueueDepths queueDepths() {
        return new QueueDepths(background.size(), foreground.size(), timers.size(), 0);
    }

    /** Runs the foreground steps queued now, as a main loop that wakes up would. */
    void runForeground() {
        List<Runnable> steps;
        synchronized (this) {
            steps = List.copyOf(foreground);
            foreground.clear();
        }
        steps.forEach(Runnable::run);
    }

    /** Moves the clock and fires the timers due, in deadline order. */
    void advance(Duration duration) {
        List<Timer> due;
        synchronized (this) {
            now = now.plus(duration);
            due = timers.stream().filter(timer -> !timer.deadline().isAfter(now))
                    .sorted((a, b) -> a.deadline().compareTo(b.deadline())).toList();
            timers.removeAll(due);
        }
        due.forEach(timer -> timer.step().run());
    }

    synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    private void requireOpen() {
        if (closed) {
            throw new RejectedExecutionException("ManualScheduler is closed");
        }
    }
}
