package dev.scheduler;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * The JDK Flight Recorder events of tasks, so that JDK Mission Control shows them next to the
 * JDK's own: a task spawned, started, parked and finished, each with the task's id, label and
 * priority. What else parks a body the JDK records itself ({@code jdk.ThreadPark},
 * {@code jdk.ThreadSleep}, {@code jdk.JavaMonitorEnter}, {@code jdk.JavaMonitorWait}), on the
 * task's thread, which is named {@code task-<id> <label>}.
 *
 * <p>They are off by default. Switch them on in a recording's settings, one setting per event, for
 * example {@code -XX:StartFlightRecording:+dev.scheduler.TaskParked#enabled=true}, or from JMC's
 * template editor under "Scheduler". Off, each costs the executor one check of a flag the JDK keeps
 * per event type; the event object is then never filled in, and the JIT removes it.
 *
 * <p>Every event is committed on a virtual thread: JDK 25's recorder drops the first event a
 * platform thread commits after it carried a virtual thread that committed one (the shared event
 * writer is left marked invalid), and every thread that runs our tasks' steps is such a carrier,
 * the {@code TestScheduler}'s test thread and a UI thread included. So a task's events are
 * committed on the task's own thread: {@code TaskSpawned} begins where the task is spawned (its
 * start time is the spawn, its {@code spawnedBy} the spawner's thread) and is committed when the
 * body takes its first step, so that its duration is how long the task waited to run. A task
 * cancelled before it started, which gets no thread, and one none of whose steps will ever run (a
 * spawn its scheduler refused) have their events committed on the pooled runner that ended them, or
 * on a short-lived virtual thread named after the thread that ended them, which that thread waits
 * for: only while the events are enabled.
 * (Without the carrier flag, bodies run on the dispatcher's platform threads and their events are
 * committed there, with the loss described above.)
 */
final class TaskEvents {

    /**
     * The spawn events begun and not yet committed, only while the spawn event is enabled: kept
     * beside the tasks rather than in them, so that a task costs no field for a recording it may
     * never be in.
     */
    private static final Map<Task<?>, Spawned> SPAWNS = new ConcurrentHashMap<>();

    private TaskEvents() {
    }

    static void spawned(Task<?> task) {
        Spawned event = new Spawned();
        if (event.isEnabled()) {
            event.begin();
            event.describe(task);
            event.spawnedBy = Thread.currentThread().getName();
            SPAWNS.put(task, event);
        }
    }

    /** {@code task}'s body, on its own thread, takes its first step. */
    static void started(Task<?> task) {
        Spawned spawned = takeSpawn(task);
        if (spawned != null) {
            spawned.commit();
        }
        Started event = new Started();
        if (event.isEnabled()) {
            event.describe(task);
            event.commit();
        }
    }

    /** {@code task}'s body, on its own thread, is about to park until {@code waitingFor} is done. */
    static void parked(Task<?> task, String waitingFor) {
        Parked event = new Parked();
        if (event.isEnabled()) {
            event.describe(task);
            event.waitingFor = waitingFor;
            event.commit();
        }
    }

    /**
     * {@code task} ended with {@code outcome}: on its body's thread, or, if none of its steps will
     * ever run, on the thread that abandoned it.
     */
    static void finished(Task<?> task, Future.State outcome) {
        Spawned spawned = takeSpawn(task);
        Finished event = new Finished();
        boolean finishedEnabled = event.isEnabled();
        if (spawned == null && !finishedEnabled) {
            return;
        }
        if (finishedEnabled) {
            event.describe(task);
            event.outcome = outcome.name();
        }
        Runnable commit = () -> {
            if (spawned != null) {
                spawned.commit();
            }
            if (finishedEnabled) {
                event.commit();
            }
        };
        if (Thread.currentThread().isVirtual()) {
            commit.run();
        } else {
            onVirtualThread(commit);
        }
    }

    /** {@return the spawn event begun for {@code task}, once, or null} */
    private static Spawned takeSpawn(Task<?> task) {
        return SPAWNS.isEmpty() ? null : SPAWNS.remove(task);
    }

    /**
     * Runs {@code commit} on a virtual thread named after the caller and waits for it, without
     * giving up on an interrupt (which it keeps for the caller).
     */
    private static void onVirtualThread(Runnable commit) {
        Thread committer = Thread.ofVirtual().name(Thread.currentThread().getName()).start(commit);
        boolean interrupted = false;
        while (true) {
            try {
                committer.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** What every task event carries. */
    abstract static class TaskEvent extends Event {

        @Label("Task Id")
        @Description("The task's id, as reports show it after '#'")
        long taskId;

        @Label("Label")
        @Description("The task's label, if it has one")
        String label;

        @Label("Priority")
        String priority;

        final void describe(Task<?> task) {
            TaskMetadata meta = task.metadata();
            taskId = meta.id().value();
            label = meta.label() == null ? null : meta.label().toString();
            priority = meta.priority().name();
        }
    }

    @Name("dev.scheduler.TaskSpawned")
    @Label("Task Spawned")
    @Category({"Scheduler", "Tasks"})
    @Description("A task was spawned: the event spans from its spawn to its first step (or to its end, if it never ran)")
    @Enabled(false)
    @StackTrace(false)
    static final class Spawned extends TaskEvent {

        @Label("Spawned By")
        @Description("The name of the thread that spawned the task")
        String spawnedBy;
    }

    @Name("dev.scheduler.TaskStarted")
    @Label("Task Started")
    @Category({"Scheduler", "Tasks"})
    @Description("A task's body took its first step")
    @Enabled(false)
    @StackTrace(false)
    static final class Started extends TaskEvent {
    }

    @Name("dev.scheduler.TaskParked")
    @Label("Task Parked")
    @Category({"Scheduler", "Tasks"})
    @Description("A task's body parked to wait for another task, a timer or a future; the stack trace is where")
    @Enabled(false)
    static final class Parked extends TaskEvent {

        @Label("Waiting For")
        @Description("What the body waits for: a task, a timer or a future")
        String waitingFor;
    }

    @Name("dev.scheduler.TaskFinished")
    @Label("Task Finished")
    @Category({"Scheduler", "Tasks"})
    @Description("A task ended: succeeded, failed or cancelled")
    @Enabled(false)
    @StackTrace(false)
    static final class Finished extends TaskEvent {

        @Label("Outcome")
        @Description("SUCCESS, FAILED or CANCELLED")
        String outcome;
    }
}
