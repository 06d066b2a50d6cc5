package dev.scheduler.dispatch;

import dev.scheduler.Scheduler;
import dev.scheduler.Task;
import dev.scheduler.TaskMetadata;
import dev.scheduler.TaskObserver;
import dev.scheduler.TaskRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Which steps a dispatcher accepts, and whether it has terminated: the lifecycle every dispatcher
 * shares. It observes the tasks of every executor on the dispatcher (through
 * {@link dev.scheduler.Scheduler#as(Class)}), to know how many still run.
 *
 * <p>Shutting down must not break tasks that are already running: a body that resumes after a
 * {@code join} comes back as a new step of the same task. Task ids only grow, so shutdown records
 * the next id and from then on refuses the steps of tasks with a larger one: no new task starts,
 * every accepted task may finish. Once the dispatcher is stopped it refuses every step.
 *
 * <p>It counts steps queued or running, and tasks spawned on the dispatcher's executors and not yet
 * finished, which includes tasks parked on a timer or a lock with no step anywhere. Terminated means
 * shut down with neither, or closed. Once shut down, no task starts, so the tasks only finish; every
 * further step belongs to one of them, or is a plain step of the scheduler SPI, which is counted too.
 *
 * <p>Giving up on the tasks that have not finished ({@link #giveUp}) cancels each: whoever waits for
 * one wakes with a {@link java.util.concurrent.CancellationException} at once, and its body is
 * interrupted so that it unwinds through its own steps, which are still admitted until the
 * dispatcher stops.
 */
/*
 * Implementation Overview
 * =======================
 *
 * Counts: tasks spawned and finished; plain steps in and out; steps that began and ended running.
 * Six LongAdders that only grow, each counted by the thread where it happens. A task's own steps
 * (its start, its body's continuations) are not counted in: each belongs to a task that has not
 * finished, which is. They are counted while they run, since a task is finished for its observers
 * before its result is published and its dependents run, all in its last step. The two task counts
 * are padded apart: the spawning thread writes one and the dispatcher's threads the other, for every
 * task. What is unfinished, queued or running is read by double collect: all the sums, then all
 * again; when none moved, no cell moved in between (a cell only grows), so at every instant between
 * the two reads exactly that many were. Only termination asks, once shut down.
 *
 * Which tasks have not finished, for giving up on them: a task is queued (its start step in a lane),
 * or its body runs or waits on a pooled runner of the worker pool (the runner's task), or it started
 * anywhere else and is in startedElsewhere until it finishes. Nothing is kept per task on the
 * pool's own path. A task passing between those places as the scan passes (a start step polled, not
 * yet run) is caught by the flag: giveUp raises it before it scans, and a task that starts checks it
 * after it has made itself findable (the runner's current task is volatile; the map's put is too),
 * so of the two at least one sees the other, and the task cancels itself if the scan missed it.
 */
final class Admission implements TaskObserver {

    private static final long OPEN = Long.MAX_VALUE;

    private final String dispatcher;
    private final LongAdder admitted = new LongAdder();
    private final LongAdder ended = new LongAdder();
    private final LongAdder began = new LongAdder();
    private final LongAdder ran = new LongAdder();
    private final LongAdder spawned = new PaddedAdder();
    private final LongAdder finished = new PaddedAdder();
    /** Tasks whose bodies started elsewhere than on a pooled runner (or as plain steps), until they finish. */
    private final Map<Task<?>, Boolean> startedElsewhere = new ConcurrentHashMap<>();
    private final Object termination = new Object();
    private volatile long lastAccepted = OPEN;
    private volatile boolean givingUp;
    private volatile boolean stopped;
    private volatile boolean closed;
    private volatile Runnable onTermination = () -> { };

    Admission(String dispatcher) {
        this.dispatcher = dispatcher;
    }

    /** Runs {@code listener} (quick, from any thread) whenever the dispatcher may have terminated. */
    void onTermination(Runnable listener) {
        onTermination = listener;
    }

    /** Counts in a step of {@code meta}'s task, or refuses it. */
    void admit(Runnable step, TaskMetadata meta) {
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(meta, "meta");
        if (meta.id().value() > lastAccepted || stopped) {
            throw rejected(meta.describe());
        }
        if (!TaskRunner.isTaskStep(step)) {
            admitted.increment();
        }
    }

    /** Refuses a timer once the dispatcher is stopped; timers do not count towards termination. */
    void admitTimer() {
        if (stopped) {
            throw rejected("a timer");
        }
    }

    private RejectedExecutionException rejected(String what) {
        return new RejectedExecutionException("The " + dispatcher + " dispatcher is "
                + (stopped ? "closed" : "shut down") + ", so it does not accept " + what);
    }

    /**
     * Runs an admitted step on {@code thread}: what it throws goes to {@code failures} (or, if they
     * throw too, to the log), never further, and a plain step is counted out whatever happens.
     */
    void run(Runnable step, Thread thread, Thread.UncaughtExceptionHandler failures) {
        run(step, !TaskRunner.isTaskStep(step), thread, failures);
    }

    /** Runs {@code action}, which carries out an admitted task step (drives its runner), as {@link #run} runs a step. */
    void runForTaskStep(Runnable action, Thread thread, Thread.UncaughtExceptionHandler failures) {
        run(action, false, thread, failures);
    }

    private void run(Runnable step, boolean plain, Thread thread, Thread.UncaughtExceptionHandler failures) {
        began.increment();
        try {
            step.run();
        } catch (Throwable failure) {
            try {
                failures.uncaughtException(thread, failure);
            } catch (Throwable handlerFailure) {
                // A handler that throws must not kill the thread either; the step's failure still gets out.
                handlerFailure.addSuppressed(failure);
                DispatcherOptions.LOG_FAILURES.uncaughtException(thread, handlerFailure);
            }
        } finally {
            ran.increment();
            if (plain) {
                ended.increment();
            }
            if (lastAccepted != OPEN && isQuiet()) {
                signalTermination();
            }
        }
    }

    /** An admitted step was dropped, or taken back, unrun. */
    void done(Runnable step) {
        if (!TaskRunner.isTaskStep(step)) {
            ended.increment();
            if (lastAccepted != OPEN && isQuiet()) {
                signalTermination();
            }
        }
    }

    @Override
    public void taskSpawned(Task<?> task) {
        spawned.increment();
    }

    /** {@inheritDoc} A task that starts while the dispatcher gives up is cancelled too, if the scan missed it. */
    @Override
    public void taskStarted(Task<?> task) {
        if (TaskRunner.sourceOf(Thread.currentThread()) == null) {
            startedElsewhere.put(task, Boolean.TRUE);
        }
        if (givingUp) {
            task.cancel(true);
        }
    }

    @Override
    public void taskFinished(Task<?> task, Future.State outcome) {
        if (!startedElsewhere.isEmpty()) {
            startedElsewhere.remove(task);
        }
        finished.increment();
        if (lastAccepted != OPEN) {
            signalTermination();
        }
    }

    /**
     * Cancels {@code unfinished}, the tasks the dispatcher found queued or running on its pool, and
     * every task that started elsewhere and has not finished, interrupting their bodies; from now
     * on, a task that starts is cancelled too. {@return the tasks cancelled, by id} Their steps stay
     * admitted, so that the bodies can unwind.
     *
     * @param unfinished finds the tasks queued in the dispatcher's lanes and running on its pool;
     *     called after the flag is raised
     */
    List<TaskMetadata> giveUp(java.util.function.Supplier<List<Task<?>>> unfinished) {
        givingUp = true;
        Set<Task<?>> tasks = new HashSet<>(unfinished.get());
        tasks.addAll(startedElsewhere.keySet());
        List<Task<?>> sorted = new ArrayList<>(tasks);
        sorted.removeIf(task -> !task.isRunning());
        sorted.sort(Comparator.comparing(Task::id));
        for (Task<?> task : sorted) {
            task.cancel(true);
        }
        return sorted.stream().map(Task::metadata).toList();
    }

    void shutdown() {
        if (lastAccepted == OPEN) {
            synchronized (termination) {
                if (lastAccepted == OPEN) {
                    // Every task spawned from now on gets a larger id than this one.
                    lastAccepted = dev.scheduler.TaskId.next().value();
                }
            }
            signalTermination();
        }
    }

    private void signalTermination() {
        synchronized (termination) {
            termination.notifyAll();
        }
        onTermination.run();
    }

    /** Refuses every step from now on. */
    void stop() {
        shutdown();
        stopped = true;
    }

    boolean isShutdown() {
        return lastAccepted != OPEN;
    }

    boolean isStopped() {
        return stopped;
    }

    boolean isTerminated() {
        return closed || isShutdown() && isQuiet();
    }

    /** The dispatcher's threads have stopped: it is terminated, whatever never finished. */
    void closed() {
        stop();
        closed = true;
        signalTermination();
    }

    /** {@return whether, at some instant during the call, no step was queued or running and every task had finished} */
    private boolean isQuiet() {
        long[] sums = sums();
        while (true) {
            long[] again = sums();
            if (java.util.Arrays.equals(sums, again)) {
                return sums[0] == sums[1] && sums[2] == sums[3] && sums[4] == sums[5];
            }
            sums = again;
        }
    }

    private long[] sums() {
        return new long[] {admitted.sum(), ended.sum(), began.sum(), ran.sum(), spawned.sum(), finished.sum()};
    }

    boolean awaitTermination(Duration timeout) throws InterruptedException {
        long remaining = Scheduler.requireDelay(timeout, "timeout").toNanos();
        long deadline = System.nanoTime() + remaining;
        synchronized (termination) {
            while (!isTerminated()) {
                if (remaining <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(termination, remaining);
                remaining = deadline - System.nanoTime();
            }
            return true;
        }
    }
}
