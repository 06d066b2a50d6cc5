package dev.scheduler.dispatch;

import dev.scheduler.Step;
import dev.scheduler.Task;
import dev.scheduler.TaskRunner;
import dev.scheduler.ThreadWaits;
import dev.scheduler.TaskMetadata;
import java.awt.EventQueue;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.AbstractQueuedLongSynchronizer;
import java.util.concurrent.locks.AbstractQueuedSynchronizer;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import javax.swing.Timer;

/**
 * Foreground steps on AWT's event dispatch thread: a dispatcher's foreground lane for a Swing or
 * AWT application ({@link DispatcherOptions.Foreground#EVENT_DISPATCH_THREAD}). Steps run there in
 * the order they arrive, between the toolkit's own input and paint events.
 */
/*
 * Implementation Overview
 * =======================
 *
 * Steps wait in our own FIFO, and one pump event at a time is posted with EventQueue.invokeLater:
 * it runs up to BATCH steps and posts itself again if more are left, so a burst of steps never holds
 * input and paint events back for long. Keeping the steps in our queue, not AWT's, is what lets a
 * closing dispatcher drop and name the ones that never ran.
 *
 * AWT's locks. A foreground task's body runs Swing code on its virtual thread, mounted on the event
 * dispatch thread, and Swing takes AWT's locks: repaint() posts to the EventQueue under its
 * pushPopLock. If another thread holds that lock, the body parks and its virtual thread unmounts,
 * still first in the lock's queue. Whoever releases the lock then resumes the body, which means
 * submitting its next step here; if that submit had to post a pump, it would need the very lock the
 * body is first in line for, and queue behind a body that can only run on the event dispatch thread:
 * a deadlock, seen in the sample's test. Two rules rule it out. A pump counts as posted while it
 * runs, so a step submitted meanwhile only joins the FIFO. And after each step, if the body waits
 * for a lock inside the toolkit (parked on a lock or blocked on a monitor, with AWT, Swing or Java
 * 2D frames where it waits), the pump does not return to AWT: it holds the event dispatch thread,
 * as a platform UI thread would block there, until the body is ready again, and runs it. Waits of
 * the application's own (a join, a queue, a timer) release the thread as always.
 *
 * The thread: AWT retires its event dispatch thread after a second with no window and no events,
 * and starts a new one for the next event. A ForegroundExecutor is confined to one thread, so while
 * the lane is open a Swing timer posts an empty event every half second, and the thread the lane
 * learnt at its start stays the dispatch thread until stop(). An application with a window open
 * would keep it anyway; this covers start-up, headless tests and the moments after the last window
 * closes.
 */
final class EventDispatchLane implements Lane {

    private static final int BATCH = 64;
    private static final int KEEP_ALIVE_MILLIS = 500;
    private static final long HOLD_CHECK_NANOS = 50_000;
    private static final List<String> TOOLKIT = List.of("java.awt.", "javax.swing.", "sun.awt.", "sun.java2d.",
            "sun.font.", "sun.swing.");

    private final Admission admission;
    private final Thread.UncaughtExceptionHandler failures;
    private final ConcurrentLinkedQueue<Step> steps = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean posted = new AtomicBoolean();
    private final Timer keepAlive;
    private final Thread thread;
    private volatile long runningTask;
    private volatile Thread holding;
    private volatile long heldTask;
    private volatile boolean heldTaskArrived;
    private volatile boolean stopped;

    /**
     * Starts the lane: learns which thread dispatches AWT's events, waiting for it if the caller is
     * not that thread.
     *
     * @throws IllegalStateException if the caller is interrupted while it waits
     */
    EventDispatchLane(Admission admission, Thread.UncaughtExceptionHandler failures) {
        this.admission = admission;
        this.failures = failures;
        this.keepAlive = new Timer(KEEP_ALIVE_MILLIS, event -> { });
        keepAlive.setRepeats(true);
        keepAlive.start();
        this.thread = dispatchThread();
    }

    private static Thread dispatchThread() {
        if (EventQueue.isDispatchThread()) {
            return Thread.currentThread();
        }
        Thread[] found = new Thread[1];
        try {
            EventQueue.invokeAndWait(() -> found[0] = Thread.currentThread());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for AWT's event dispatch thread", e);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("AWT's event dispatch thread could not be reached", e.getCause());
        }
        return found[0];
    }

    /** {@return the event dispatch thread} */
    Thread thread() {
        return thread;
    }

    /** {@return whether the caller is the event dispatch thread, or a foreground task it carries now} */
    boolean isMainThread(long currentTask) {
        return Thread.currentThread() == thread || currentTask != 0 && runningTask == currentTask;
    }

    /** {@return whether the event dispatch thread is running a step of the task with {@code taskId} right now} */
    boolean isRunningTask(long taskId) {
        return runningTask == taskId;
    }

    @Override
    public void submit(Runnable step, TaskMetadata meta) {
        steps.offer(new Step(step, meta));
        queued.incrementAndGet();
        if (meta.id().value() == heldTask) {
            heldTaskArrived = true; // before the check below: the held pump runs it, nobody posts
        }
        if (posted.compareAndSet(false, true)) {
            EventQueue.invokeLater(this::pump);
        }
        Thread waiting = holding;
        if (waiting != null) {
            LockSupport.unpark(waiting);
        }
    }

    /**
     * One pump event: up to {@link #BATCH} steps, then itself again if more are left. It counts as
     * posted while it runs, so that a step submitted meanwhile, from any thread, takes no lock of
     * AWT's: see the overview.
     */
    private void pump() {
        try {
            for (int ran = 0; ran < BATCH && !stopped; ran++) {
                Step step = steps.poll();
                if (step == null) {
                    break;
                }
                queued.decrementAndGet();
                runningTask = step.meta().id().value();
                try {
                    admission.run(step.runnable(), thread, failures);
                } finally {
                    runningTask = 0;
                }
                holdWhileInTheToolkit(TaskRunner.taskOf(step.runnable()));
            }
        } finally {
            posted.set(false);
            if (!steps.isEmpty() && posted.compareAndSet(false, true)) {
                EventQueue.invokeLater(this::pump);
            }
        }
    }

    /**
     * Keeps the event dispatch thread here, as a platform UI thread would block, while the body of
     * {@code task} waits for one of AWT's or Swing's own locks; returns once it is ready to run.
     */
    private void holdWhileInTheToolkit(Task<?> task) {
        Thread body = task == null ? null : task.thread().orElse(null);
        if (body == null) {
            return;
        }
        // Announce the hold before looking, so that a resumption from now on is seen by submit(); one
        // that came earlier is already in the queue.
        heldTaskArrived = false;
        heldTask = task.id().value();
        try {
            if (!waitsForALockInTheToolkit(body) || queuedStepOf(heldTask)) {
                return;
            }
            holding = Thread.currentThread();
            while (!heldTaskArrived && !stopped) {
                LockSupport.parkNanos(this, HOLD_CHECK_NANOS);
            }
        } finally {
            holding = null;
            heldTask = 0;
        }
    }

    private boolean queuedStepOf(long taskId) {
        return steps.stream().anyMatch(step -> step.meta().id().value() == taskId);
    }

    /** {@return whether {@code body} is parked on a lock, or blocked on a monitor, inside AWT, Swing or Java 2D} */
    private static boolean waitsForALockInTheToolkit(Thread body) {
        ThreadWaits.Kind kind = ThreadWaits.kind(body);
        Object blocker = LockSupport.getBlocker(body);
        boolean onALock = switch (kind) {
            case BLOCKED_ON_MONITOR -> true;
            // READY: released and about to be resubmitted, its stack still where it waited
            case PARKED, TIMED_PARKED, READY -> blocker instanceof AbstractQueuedSynchronizer
                    || blocker instanceof AbstractQueuedLongSynchronizer || kind == ThreadWaits.Kind.READY;
            default -> false;
        };
        if (!onALock) {
            return false;
        }
        for (StackTraceElement frame : body.getStackTrace()) {
            String type = frame.getClassName();
            if (type.startsWith("java.util.concurrent.") || type.startsWith("java.lang.") || type.startsWith("jdk.internal.")) {
                continue; // the lock's and the virtual thread's own frames
            }
            return TOOLKIT.stream().anyMatch(type::startsWith);
        }
        return false;
    }

    @Override
    public int queued() {
        return Math.max(0, queued.get());
    }

    @Override
    public List<Step> drain(Predicate<Step> which) {
        // Take every step, so that none is both run by a pump and reported as dropped; put back the
        // ones to keep, behind any that arrive meanwhile.
        List<Step> drained = new ArrayList<>();
        List<Step> kept = new ArrayList<>();
        for (Step step; (step = steps.poll()) != null; ) {
            queued.decrementAndGet();
            (which.test(step) ? drained : kept).add(step);
        }
        for (Step step : kept) {
            steps.offer(step);
            queued.incrementAndGet();
        }
        if (!kept.isEmpty() && posted.compareAndSet(false, true)) {
            EventQueue.invokeLater(this::pump);
        }
        return drained;
    }

    /**
     * Stops the lane: no pump runs another step, a pump running now finishes its step before this
     * returns, and AWT may retire the event dispatch thread once it is idle.
     */
    void stop() {
        stopped = true;
        LockSupport.unpark(holding);
        keepAlive.stop();
        if (!EventQueue.isDispatchThread()) {
            try {
                EventQueue.invokeAndWait(() -> { });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (InvocationTargetException impossible) {
                throw new IllegalStateException(impossible.getCause());
            }
        }
    }
}
