package dev.scheduler.dispatch;

import dev.scheduler.Scheduler;
import dev.scheduler.Task;
import dev.scheduler.TaskId;
import dev.scheduler.TaskMetadata;
import dev.scheduler.TaskObserver;
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
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which steps a dispatcher accepts, and whether it has terminated: the lifecycle every dispatcher
 * shares. It observes the tasks of every executor on the dispatcher (through
 * {@link dev.scheduler.Scheduler#as(Class)}), to know which still run.
 *
 * <p>Shutting down must not break tasks that are already running: a body that resumes after a
 * {@code join} comes back as a new step of the same task. Task ids only grow, so shutdown records
 * the next id and from then on refuses the steps of tasks with a larger one: no new task starts,
 * every accepted task may finish. Once the dispatcher is stopped it refuses every step.
 *
 * <p>{@code pending} counts steps queued or running, exactly; {@code live} holds the tasks spawned
 * on the dispatcher's executors and not yet finished, which includes tasks parked on a timer or a
 * lock, with no step anywhere. Terminated means shut down with neither, or closed. Once shut down,
 * no task starts, so the live set only shrinks; every further step belongs to a live task, or is a
 * plain step of the scheduler SPI, which {@code pending} counts.
 *
 * <p>Giving up on the live tasks ({@link #cancelUnfinished()}) cancels each: whoever waits for one
 * wakes with a {@link java.util.concurrent.CancellationException} at once, and its body is
 * interrupted so that it unwinds through its own steps, which are still admitted until the
 * dispatcher stops.
 */
final class Admission implements TaskObserver {

    private static final long OPEN = Long.MAX_VALUE;

    private final String dispatcher;
    private final AtomicLong pending = new AtomicLong();
    private final Map<TaskId, Task<?>> live = new ConcurrentHashMap<>();
    private final Object termination = new Object();
    private volatile long lastAccepted = OPEN;
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
        pending.incrementAndGet();
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
     * Runs a counted step on {@code thread}: what it throws goes to {@code failures} (or, if they
     * throw too, to the log), never further, and the step is counted out whatever happens.
     */
    void run(Runnable step, Thread thread, Thread.UncaughtExceptionHandler failures) {
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
            done(1);
        }
    }

    /** A counted step has run, or was dropped. */
    void done(int steps) {
        if (pending.addAndGet(-steps) == 0 && lastAccepted != OPEN) {
            signalTermination();
        }
    }

    @Override
    public void taskSpawned(Task<?> task) {
        live.put(task.id(), task);
    }

    @Override
    public void taskFinished(Task<?> task, Future.State outcome) {
        live.remove(task.id());
        if (lastAccepted != OPEN) {
            signalTermination();
        }
    }

    /** {@return how many tasks spawned on this dispatcher have not finished} */
    long liveTasks() {
        return live.size();
    }

    /**
     * Cancels every task that has not finished, interrupting its body; {@return them, by id} Their
     * steps stay admitted, so that the bodies can unwind.
     */
    List<TaskMetadata> cancelUnfinished() {
        List<Task<?>> unfinished = new ArrayList<>(live.values());
        unfinished.sort(Comparator.comparing(Task::id));
        for (Task<?> task : unfinished) {
            task.cancel(true);
        }
        return unfinished.stream().map(Task::metadata).toList();
    }

    /** {@return the ids of the tasks that have not finished} */
    Set<TaskId> liveIds() {
        return new HashSet<>(live.keySet());
    }

    /** {@return the unfinished task with {@code id}, or null} */
    Task<?> liveTask(TaskId id) {
        return live.get(id);
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
        return closed || isShutdown() && pending.get() == 0 && live.isEmpty();
    }

    /** The dispatcher's threads have stopped: it is terminated, whatever never finished. */
    void closed() {
        stop();
        closed = true;
        signalTermination();
    }

    long pending() {
        return pending.get();
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
