package dev.scheduler.test;

import dev.scheduler.SessionId;
import dev.scheduler.Task;
import dev.scheduler.TaskId;
import dev.scheduler.TaskMetadata;
import dev.scheduler.TaskObserver;
import dev.scheduler.TaskReport;
import dev.scheduler.ThreadWaits;
import dev.scheduler.jdk.JdkHooks;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;

/**
 * What a {@link TestScheduler} knows about what went wrong: the tasks still pending and where they
 * are parked, failures nobody observed, observers that threw, and work that arrived from outside
 * the scheduler; and the reports it makes of them.
 */
/*
 * Implementation Overview
 * =======================
 *
 * Executors may spawn from any thread, so the live-task registry (LiveTasks, by id) is guarded by
 * its own lock. Reports sort by id, which is spawn order. The trace's task names are
 * spawn ordinals, counted from the last reseed, so a trace does not depend on global task ids.
 */
final class Diagnostics implements TaskObserver {

    /** The tasks whose bodies have not finished, by id; also the lock of everything here that tasks change. */
    private final LiveTasks live = new LiveTasks();
    private final Set<Task<?>> failed = new LinkedHashSet<>();
    private final List<Throwable> outsideArrivals = Collections.synchronizedList(new ArrayList<>());
    private final List<Throwable> observerFailures = Collections.synchronizedList(new ArrayList<>());
    private Map<TaskId, Integer> ordinals;
    private int spawned;

    /** Starts counting spawn ordinals afresh, for a new trace; {@code traced} says whether one is kept. */
    void restartOrdinals(boolean traced) {
        synchronized (live) {
            ordinals = traced ? new HashMap<>() : null;
            spawned = 0;
        }
    }

    // ---------------------------------------------------------------- tasks

    @Override
    public void taskSpawned(Task<?> task) {
        synchronized (live) {
            live.add(task);
            if (ordinals != null) {
                ordinals.put(task.id(), ++spawned);
            }
        }
    }

    @Override
    public void taskFinished(Task<?> task, Future.State outcome) {
        synchronized (live) {
            live.remove(task.id().value());
            if (outcome == Future.State.FAILED) {
                failed.add(task);
            }
        }
    }

    /** {@return the tasks whose bodies have not finished, oldest first} */
    List<Task<?>> pendingTasks() {
        List<Task<?>> pending;
        synchronized (live) {
            pending = live.all();
        }
        pending.sort(Comparator.comparing(Task::id));
        return List.copyOf(pending);
    }

    boolean isTaskRunning(TaskId id) {
        synchronized (live) {
            return live.get(id.value()) != null;
        }
    }

    /** {@return the live task whose metadata is {@code meta}, or null once it has finished} */
    Task<?> task(TaskMetadata meta) {
        synchronized (live) {
            return live.get(meta.id().value());
        }
    }

    /** {@return the trace's name for a step of {@code meta}'s task: its spawn ordinal and label} */
    String traceName(TaskMetadata meta) {
        Integer ordinal;
        synchronized (live) {
            ordinal = ordinals == null ? null : ordinals.get(meta.id());
        }
        String name = ordinal == null ? "task ?" : "task " + ordinal;
        String where = meta.isForeground() ? " fg" : "";
        return meta.label() == null ? name + where : name + " \"" + meta.label() + "\"" + where;
    }

    // ---------------------------------------------------------------- what went wrong

    /** A detached task failed. */
    void failed(Task<?> task) {
        synchronized (live) {
            failed.add(task);
        }
    }

    void observerFailed(TaskObserver observer, Task<?> task, Throwable failure) {
        observerFailures.add(new IllegalStateException("TaskObserver " + observer + " failed while it was told about "
                + task.metadata().describe(), failure));
    }

    /** Work arrived from a thread outside the scheduler: {@code what}, from the calling thread. */
    void arrivedFromOutside(String what) {
        String name = Thread.currentThread().getName();
        String why = switch (name) {
            case "VirtualThread-unblocker" -> " (the JDK resumed a task that a released monitor let in; to make that a "
                    + "step the seed places, " + JdkHooks.SWITCH + ")";
            case "VirtualThread-unparker" -> " (a timed wait inside a task timed out on the JDK's wall clock; to run it "
                    + "on virtual time, " + JdkHooks.SWITCH + ")";
            default -> "";
        };
        outsideArrivals.add(new OutsideArrival(what + " from thread \"" + name + "\"" + why));
    }

    /**
     * {@return what the test did wrong, and clears it: non-determinism, failures nobody observed,
     * observers that threw; each after the first suppressed in the first; or null}
     */
    AssertionError endOfTest(long seed) {
        AssertionError failure = null;
        for (AssertionError found : new AssertionError[] {nondeterminism(seed), unobserved(seed), observers(seed)}) {
            if (failure == null) {
                failure = found;
            } else if (found != null) {
                failure.addSuppressed(found);
            }
        }
        return failure;
    }

    private AssertionError nondeterminism(long seed) {
        List<Throwable> arrivals = drain(outsideArrivals);
        if (arrivals.isEmpty()) {
            return null;
        }
        return withRest(new AssertionError("Your test is not deterministic: " + arrivals.size()
                + (arrivals.size() == 1 ? " wake-up" : " wake-ups") + " came from outside the TestScheduler (seed "
                + seed + ") while parking was forbidden. The first: " + arrivals.getFirst().getMessage()
                + ". Its stack is the cause below. Use executor.timer(...) instead of Thread.sleep, and keep real "
                + "threads out of the test, or call allowParking() if the test really waits for them.",
                arrivals.getFirst()), arrivals);
    }

    private AssertionError observers(long seed) {
        List<Throwable> failures = drain(observerFailures);
        if (failures.isEmpty()) {
            return null;
        }
        return withRest(new AssertionError(failures.size() + (failures.size() == 1 ? " task observer" : " task observers")
                + " failed (seed " + seed + "). The first: " + failures.getFirst().getMessage() + ".",
                failures.getFirst()), failures);
    }

    private AssertionError unobserved(long seed) {
        List<Task<?>> unobserved = new ArrayList<>();
        synchronized (live) {
            for (Task<?> task : failed) {
                if (task.isDetached() || !task.isObserved()) {
                    unobserved.add(task);
                }
            }
            failed.clear();
        }
        if (unobserved.isEmpty()) {
            return null;
        }
        StringBuilder message = new StringBuilder().append(unobserved.size())
                .append(unobserved.size() == 1 ? " task" : " tasks")
                .append(" failed and nobody joined or handled the failure (seed ").append(seed).append("):");
        for (Task<?> task : unobserved) {
            message.append(System.lineSeparator()).append("  ").append(task.metadata().describe())
                    .append(task.isDetached() ? " (detached)" : "").append(" failed with ")
                    .append(task.exceptionNow())
                    .append(task.metadata().spawnSite() == null ? "" : ", spawned at " + task.metadata().spawnSite());
        }
        AssertionError error = new AssertionError(message.toString(), unobserved.getFirst().exceptionNow());
        unobserved.stream().skip(1).forEach(task -> error.addSuppressed(task.exceptionNow()));
        return error;
    }

    /**
     * {@return the report of a wait that can never end: the headline, every pending task and where
     * it is parked, the foreground sessions blocked in {@code blockOn}, and what to try}
     */
    IllegalStateException stuck(String headline, List<SessionId> blockedSessions, boolean spawnSitesRecorded) {
        String lineBreak = System.lineSeparator();
        List<Task<?>> pending = pendingTasks();
        StringBuilder out = new StringBuilder(pending.isEmpty()
                ? headline + " No task is pending, so nothing this scheduler runs will ever complete it."
                : new TaskReport(headline + " " + pending.size() + (pending.size() == 1 ? " task is" : " tasks are")
                        + " pending:", pending).toString());
        if (!blockedSessions.isEmpty()) {
            out.append(lineBreak).append("Foreground sessions inside blockOn, whose own steps cannot run until it returns: ")
                    .append(blockedSessions).append('.');
        }
        if (!JdkHooks.instrumented() && pending.stream().anyMatch(Diagnostics::waitsOnJdk)) {
            out.append(lineBreak).append("Some tasks wait for a monitor or with a timeout, which the JDK resumes on its "
                    + "own threads and clock: to make those steps of this scheduler, ").append(JdkHooks.SWITCH).append('.');
        }
        out.append(lineBreak).append("If the test really waits for other threads or I/O, call allowParking().");
        if (!spawnSitesRecorded) {
            out.append(" Spawn sites were not recorded: build the scheduler with capturePendingTraces(true).");
        }
        return new IllegalStateException(out.toString());
    }

    /**
     * Whether a pending task waits for something only the JDK's own threads resume without the agent:
     * a monitor, a timed park, or a resumption already under way (a background body that is ready,
     * yet whose step has not arrived: a queued one would have run; a foreground one may be held back
     * by its session's blockOn).
     */
    private static boolean waitsOnJdk(Task<?> task) {
        Thread body = task.thread().orElse(null);
        ThreadWaits.Kind kind = ThreadWaits.kind(body);
        return ThreadWaits.waitsForMonitor(body) || kind == ThreadWaits.Kind.TIMED_PARKED
                || kind == ThreadWaits.Kind.READY && !task.metadata().isForeground();
    }

    private static List<Throwable> drain(List<Throwable> records) {
        synchronized (records) {
            List<Throwable> drained = List.copyOf(records);
            records.clear();
            return drained;
        }
    }

    private static AssertionError withRest(AssertionError error, List<Throwable> all) {
        all.stream().skip(1).forEach(error::addSuppressed);
        return error;
    }

    /** Where a wake-up from outside the scheduler came from: its stack is the arrival's stack. */
    private static final class OutsideArrival extends RuntimeException {

        OutsideArrival(String message) {
            super(message);
        }
    }
}
