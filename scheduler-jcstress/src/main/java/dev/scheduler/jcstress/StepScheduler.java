package dev.scheduler.jcstress;

import dev.scheduler.Cancellable;
import dev.scheduler.QueueDepths;
import dev.scheduler.Scheduler;
import dev.scheduler.Task;
import dev.scheduler.TaskMetadata;
import dev.scheduler.Unparker;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A scheduler that keeps the one step it is given, so that a test's actor can run it on its own
 * thread: a task spawned on it starts its body exactly when, and where, an actor calls
 * {@link #runStep()}. Threads outside tasks park for real.
 */
final class StepScheduler implements Scheduler {

    /** How many failures of detached tasks were reported. */
    final AtomicInteger reportedFailures = new AtomicInteger();

    private volatile Runnable step;

    /** Runs the step the scheduler was given (a task's first step mounts its body here). */
    void runStep() {
        step.run();
    }

    @Override
    public void schedule(Runnable step, TaskMetadata meta) {
        if (this.step != null) {
            throw new IllegalStateException("one step per test: " + meta.describe());
        }
        this.step = step;
    }

    @Override
    public Cancellable scheduleAfter(Duration delay, Runnable step) {
        throw new UnsupportedOperationException("no timers in these tests");
    }

    @Override
    public boolean park(Duration timeout) {
        AtomicBoolean permit = PERMITS.get();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!permit.compareAndSet(true, false)) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return false;
            }
            LockSupport.parkNanos(permit, remaining);
        }
        return true;
    }

    @Override
    public Unparker unparker() {
        Thread thread = Thread.currentThread();
        AtomicBoolean permit = PERMITS.get();
        return () -> {
            permit.set(true);
            LockSupport.unpark(thread);
        };
    }

    private static final ThreadLocal<AtomicBoolean> PERMITS = ThreadLocal.withInitial(AtomicBoolean::new);

    @Override
    public void reportFailure(Task<?> task, Throwable failure) {
        reportedFailures.incrementAndGet();
    }

    @Override
    public boolean isMainThread() {
        return false;
    }

    @Override
    public Instant now() {
        return Instant.now();
    }

    @Override
    public QueueDepths queueDepths() {
        return QueueDepths.EMPTY;
    }
}
