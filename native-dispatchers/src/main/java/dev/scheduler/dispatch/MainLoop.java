package dev.scheduler.dispatch;

import dev.scheduler.Cancellable;
import dev.scheduler.Scheduler;
import dev.scheduler.Step;
import dev.scheduler.TaskMetadata;
import dev.scheduler.timer.TimerHeap;
import dev.scheduler.Unparker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * A dispatcher's main loop: one thread that runs foreground steps in the order they arrive and,
 * for the dispatchers without native timers, fires timers in deadline order. It sleeps in a
 * {@link LoopWaiter} between them.
 */
/*
 * Implementation Overview
 * =======================
 *
 * Steps arrive from any thread in a lock-free FIFO. Timers live in the core's TimerHeap under a
 * lock, with the earliest deadline mirrored in a volatile field so that the loop checks for due
 * timers without locking; the heap drops cancelled timers lazily.
 *
 * The timer lock spins; it never parks. Its users include task bodies (virtual threads setting a
 * timer) and the threads that carry them (this loop firing timers; a worker rescheduling a timed
 * park through the test agent's hooks). With a lock that parks, a virtual thread queued for it
 * unmounts, and when the lock is handed to it, it needs a carrier to run on: if every carrier that
 * could run it is itself queued for the lock behind it (this loop thread, for a foreground task;
 * both workers, in a timed park's reschedule), nothing runs again. Held for a heap operation only,
 * the lock is cheap to spin on; a waiter yields after a while, which for a virtual thread frees
 * its carrier.
 *
 * Sleeping: the loop sets `sleeping`, checks once more for steps and due timers, and only then
 * waits; producers add their work, then wake the waiter only if `sleeping` was set (a Dekker pair),
 * so a busy loop costs producers no system call and a sleeping loop never misses work.
 *
 * The waiter is closed while the loop thread cannot be inside it: waits hold `waitLock`, and
 * stop() takes it after waking the loop.
 *
 * park() on the loop thread (a blockOn outside any task) keeps firing timers but runs no
 * foreground step, as a blocked UI thread would not: the timers may be what it waits for.
 */
final class MainLoop implements Lane, Lane.Timers {

    private static final int BATCH = 64;

    private final Thread thread;
    private final boolean dedicated;
    private final LoopWaiter waiter;
    private final Admission admission;
    private final Thread.UncaughtExceptionHandler failures;

    private final ConcurrentLinkedQueue<Step> steps = new ConcurrentLinkedQueue<>();
    private final LongAdder queued = new LongAdder();
    private final AtomicBoolean sleeping = new AtomicBoolean();
    private final AtomicBoolean parkPermit = new AtomicBoolean();
    private final AtomicBoolean running = new AtomicBoolean();

    /** The timer lock: set while a thread holds it; see the overview. */
    private final AtomicBoolean timersHeld = new AtomicBoolean();
    private final TimerHeap timers = new TimerHeap();
    private volatile long nextDeadline = LoopWaiter.NO_DEADLINE;

    private final ReentrantLock waitLock = new ReentrantLock();
    private boolean waiterClosed;
    private volatile boolean stopped;
    private volatile long runningTask;

    /**
     * Creates the loop. A dedicated loop starts its own thread; otherwise the calling thread is the
     * loop thread and runs the loop inside {@link #run()}.
     */
    MainLoop(String threadName, boolean dedicated, LoopWaiter waiter, Admission admission,
            Thread.UncaughtExceptionHandler failures) {
        this.dedicated = dedicated;
        this.waiter = waiter;
        this.admission = admission;
        this.failures = failures;
        this.thread = dedicated ? Thread.ofPlatform().name(threadName).daemon(true).unstarted(() -> run(() -> false))
                : Thread.currentThread();
        waiter.bind(thread);
        if (dedicated) {
            thread.start();
        }
    }

    Thread thread() {
        return thread;
    }

    boolean isDedicated() {
        return dedicated;
    }

    // ---------------------------------------------------------------- running

    /** Runs the loop on its thread until {@link #stop()}, or until {@code exitWhen} is true after a wake-up. */
    void run(BooleanSupplier exitWhen) {
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("The main loop belongs to thread \"" + thread.getName()
                    + "\", but thread \"" + Thread.currentThread().getName() + "\" tried to run it");
        }
        if (!running.compareAndSet(false, true)) {
            throw new IllegalStateException("The main loop is already running on thread \"" + thread.getName() + "\"");
        }
        try {
            while (!stopped && !exitWhen.getAsBoolean()) {
                int ran = fireDueTimers();
                for (Step step; ran < BATCH && (step = steps.poll()) != null; ran++) {
                    queued.decrement();
                    runStep(step);
                }
                if (ran == 0) {
                    sleep(LoopWaiter.NO_DEADLINE, null);
                }
            }
        } finally {
            running.set(false);
        }
    }

    private void runStep(Step step) {
        runningTask = step.meta().id().value();
        admission.run(step.runnable(), thread, failures);
        runningTask = 0;
    }

    /**
     * Sleeps until woken, the next timer, or {@code deadline}; returns at once if there is work or
     * the permit (if any) is given.
     */
    private void sleep(long deadline, AtomicBoolean permit) {
        sleeping.set(true);
        try {
            long wakeAt = Math.min(deadline, nextDeadline);
            if (stopped || (permit == null ? !steps.isEmpty() : permit.get())
                    || wakeAt != LoopWaiter.NO_DEADLINE && System.nanoTime() - wakeAt >= 0) {
                return;
            }
            waitLock.lock();
            try {
                if (!waiterClosed) {
                    waiter.await(wakeAt);
                }
            } finally {
                waitLock.unlock();
            }
        } finally {
            sleeping.set(false);
        }
    }

    /** Wakes the loop thread if it sleeps. */
    private void wake() {
        if (sleeping.get() && sleeping.compareAndSet(true, false)) {
            waiter.wake();
        }
    }

    /** Wakes the loop thread even if it is not sleeping yet, so that it checks its exit condition. */
    void wakeAlways() {
        waiter.wake();
    }

    /** {@return whether the loop thread is inside {@link #run}} */
    boolean isRunning() {
        return running.get();
    }

    // ---------------------------------------------------------------- steps

    @Override
    public void submit(Runnable step, TaskMetadata meta) {
        steps.offer(new Step(step, meta));
        queued.increment();
        wake();
    }

    /** {@return whether the loop thread is running a step of the task with {@code taskId} right now} */
    boolean isRunningTask(long taskId) {
        return runningTask == taskId;
    }

    @Override
    public int queued() {
        return Math.max(0, queued.intValue());
    }

    // ---------------------------------------------------------------- timers

    /** {@inheritDoc} The step runs on the loop thread. */
    @Override
    public Cancellable scheduleAt(long deadline, Runnable step) {
        Cancellable timer;
        boolean earliest;
        lockTimers();
        try {
            timer = timers.add(deadline, step);
            earliest = deadline - nextDeadline < 0 || nextDeadline == LoopWaiter.NO_DEADLINE;
            if (earliest) {
                nextDeadline = deadline;
            }
        } finally {
            timersHeld.set(false);
        }
        if (earliest) {
            wake();
        }
        return timer;
    }

    /** Takes the timer lock, spinning and then yielding until it is free; never parks. */
    private void lockTimers() {
        for (int spins = 0; !timersHeld.compareAndSet(false, true); spins++) {
            if (spins < 100) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    /** Fires every timer that is due, in deadline order; {@return how many fired} */
    private int fireDueTimers() {
        long next = nextDeadline;
        if (next == LoopWaiter.NO_DEADLINE || System.nanoTime() - next < 0) {
            return 0;
        }
        int fired = 0;
        while (true) {
            Runnable due;
            lockTimers();
            try {
                due = timers.pollDue(System.nanoTime());
                if (due == null) {
                    long earliest = timers.nextDeadline();
                    nextDeadline = earliest == TimerHeap.NONE ? LoopWaiter.NO_DEADLINE : earliest;
                    return fired;
                }
            } finally {
                timersHeld.set(false);
            }
            fired++;
            try {
                due.run();
            } catch (Throwable failure) {
                failures.uncaughtException(thread, failure);
            }
        }
    }

    @Override
    public int pending() {
        return timers.pending();
    }

    // ---------------------------------------------------------------- parking the loop thread

    /** Parks the loop thread, firing timers meanwhile; see {@link dev.scheduler.Scheduler#park}. */
    boolean park(Duration timeout) {
        long remaining = Scheduler.requireDelay(timeout, "timeout").toNanos();
        long deadline = System.nanoTime() + remaining;
        while (true) {
            if (parkPermit.compareAndSet(true, false)) {
                return true;
            }
            fireDueTimers();
            if (parkPermit.compareAndSet(true, false)) {
                return true;
            }
            if (stopped || System.nanoTime() - deadline >= 0) {
                return false;
            }
            sleep(deadline, parkPermit);
        }
    }

    /** {@return an unparker for the loop thread's {@link #park(Duration)}} */
    Unparker unparker() {
        return () -> {
            parkPermit.set(true);
            wake();
        };
    }

    // ---------------------------------------------------------------- stopping

    @Override
    public List<Step> drain(Predicate<Step> which) {
        List<Step> dropped = new ArrayList<>();
        List<Step> kept = new ArrayList<>();
        for (Step step; (step = steps.poll()) != null; ) {
            (which.test(step) ? dropped : kept).add(step);
        }
        steps.addAll(kept);
        queued.add(-dropped.size());
        return dropped;
    }

    @Override
    public List<Runnable> dropAll() {
        lockTimers();
        try {
            nextDeadline = LoopWaiter.NO_DEADLINE;
            return timers.dropAll();
        } finally {
            timersHeld.set(false);
        }
    }

    /** Stops the loop after its current step, waits for a dedicated thread to end, and closes the waiter. */
    void stop() {
        stopped = true;
        waiter.wake();
        if (dedicated && Thread.currentThread() != thread) {
            boolean interrupted = false;
            while (true) {
                try {
                    thread.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        waitLock.lock();
        try {
            if (!waiterClosed) {
                waiterClosed = true;
                waiter.close();
            }
        } finally {
            waitLock.unlock();
        }
    }
}
