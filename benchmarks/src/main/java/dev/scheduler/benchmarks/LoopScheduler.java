package dev.scheduler.benchmarks;

import dev.scheduler.Cancellable;
import dev.scheduler.QueueDepths;
import dev.scheduler.Scheduler;
import dev.scheduler.TaskMetadata;
import dev.scheduler.Unparker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.PriorityQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * The cheapest possible scheduler: one {@link ArrayDeque} drained by the thread that calls
 * {@link #drain()}, and a deadline heap for timers. It is the common loop under which the
 * benchmarks compare a plain step, a bare virtual thread and a {@code Task}, so that what differs
 * between them is only what they cost, not the scheduler.
 */
final class LoopScheduler implements Scheduler {

    private final ArrayDeque<Runnable> steps = new ArrayDeque<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final Thread owner = Thread.currentThread();
    private long nowNanos;
    private long sequence;

    /** Runs every step, and every timer in deadline order, until none is left. */
    void drain() {
        while (true) {
            Runnable step = steps.pollFirst();
            if (step != null) {
                step.run();
                continue;
            }
            Timer timer = timers.poll();
            if (timer == null) {
                return;
            }
            if (!timer.cancelled) {
                nowNanos = Math.max(nowNanos, timer.deadline);
                timer.step.run();
            }
        }
    }

    /** A raw executor onto the loop, for virtual threads made without the library. */
    java.util.concurrent.Executor carrier() {
        return steps::addLast;
    }

    @Override
    public void schedule(Runnable step, TaskMetadata meta) {
        steps.addLast(step);
    }

    @Override
    public void scheduleForeground(Runnable step, TaskMetadata meta) {
        steps.addLast(step);
    }

    @Override
    public Cancellable scheduleAfter(Duration delay, Runnable step) {
        Timer timer = new Timer(nowNanos + delay.toNanos(), sequence++, step);
        timers.add(timer);
        return timer;
    }

    @Override
    public boolean park(Duration timeout) {
        drain();
        return true;
    }

    @Override
    public Unparker unparker() {
        return () -> LockSupport.unpark(owner);
    }

    @Override
    public boolean isMainThread() {
        return Thread.currentThread() == owner;
    }

    @Override
    public Instant now() {
        return Instant.EPOCH.plusNanos(nowNanos);
    }

    @Override
    public QueueDepths queueDepths() {
        return new QueueDepths(steps.size(), 0, timers.size(), 0);
    }

    private static final class Timer implements Cancellable, Comparable<Timer> {
        final long deadline;
        final long sequence;
        final Runnable step;
        boolean cancelled;

        Timer(long deadline, long sequence, Runnable step) {
            this.deadline = deadline;
            this.sequence = sequence;
            this.step = step;
        }

        @Override
        public boolean cancel() {
            boolean first = !cancelled;
            cancelled = true;
            return first;
        }

        @Override
        public int compareTo(Timer other) {
            int byDeadline = Long.compare(deadline, other.deadline);
            return byDeadline != 0 ? byDeadline : Long.compare(sequence, other.sequence);
        }
    }
}
