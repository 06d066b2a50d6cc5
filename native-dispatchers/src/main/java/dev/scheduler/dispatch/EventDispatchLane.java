package dev.scheduler.dispatch;

import dev.scheduler.Step;
import dev.scheduler.TaskMetadata;
import java.awt.EventQueue;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
 * it runs the steps that were queued when it started (at most BATCH) and posts itself again if more
 * are left, so a burst of steps never holds input and paint events back for long. Keeping the steps
 * in our queue, not AWT's, is what lets a closing dispatcher drop and name the ones that never ran.
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

    private final Admission admission;
    private final Thread.UncaughtExceptionHandler failures;
    private final ConcurrentLinkedQueue<Step> steps = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean posted = new AtomicBoolean();
    private final Timer keepAlive;
    private final Thread thread;
    private volatile long runningTask;

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
        if (posted.compareAndSet(false, true)) {
            EventQueue.invokeLater(this::pump);
        }
    }

    /** One pump event: the steps queued when it started, then itself again if more are left. */
    private void pump() {
        posted.set(false);
        for (int ran = 0, due = queued.get(); ran < Math.min(due, BATCH); ran++) {
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
        }
        if (!steps.isEmpty() && posted.compareAndSet(false, true)) {
            EventQueue.invokeLater(this::pump);
        }
    }

    @Override
    public int queued() {
        return Math.max(0, queued.get());
    }

    @Override
    public List<Step> drain(Predicate<Step> which) {
        List<Step> drained = new ArrayList<>();
        steps.removeIf(step -> {
            if (which.test(step)) {
                drained.add(step);
                queued.decrementAndGet();
                return true;
            }
            return false;
        });
        return drained;
    }

    /** Stops keeping the event dispatch thread alive; AWT may retire it once it is idle. */
    void stop() {
        keepAlive.stop();
    }
}
