package dev.scheduler;

import java.time.Duration;

/** A scheduler that hands every call to another, so that a test can override one method. */
public class ForwardingScheduler implements Scheduler {
    private final Scheduler delegate;

    public ForwardingScheduler(Scheduler delegate) {
        this.delegate = delegate;
    }

    @Override
    public void schedule(Runnable step, TaskMetadata meta) {
        delegate.schedule(step, meta);
    }

    @Override
    public Cancellable scheduleAfter(Duration delay, Runnable step) {
        return delegate.scheduleAfter(delay, step);
    }

    @Override
    public boolean park(Duration timeout) {
        return delegate.park(timeout);
    }

    @Override
    public Unparker unparker() {
        return delegate.unparker();
    }

    @Override
    public boolean isMainThread() {
        return delegate.isMainThread();
    }

    @Override
    public java.time.Instant now() {
        return delegate.now();
    }

    @Override
    public long nanoTime() {
        return delegate.nanoTime();
    }

    @Override
    public QueueDepths queueDepths() {
        return delegate.queueDepths();
    }
}
