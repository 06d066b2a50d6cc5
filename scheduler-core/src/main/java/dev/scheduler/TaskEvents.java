package dev.scheduler;

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
 * <p>Each event is committed on the thread that spawns, starts, parks or finishes the task: a task's
 * body, or its spawner. An event committed on a carrier just after it unmounted one of our virtual
 * threads was seen lost by JDK 25's recorder, so no event is committed there.
 */
final class TaskEvents {

    private TaskEvents() {
    }

    static void spawned(Task<?> task) {
        Spawned event = new Spawned();
        if (event.isEnabled()) {
            event.describe(task);
            event.commit();
        }
    }

    static void started(Task<?> task) {
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

    static void finished(Task<?> task, Future.State outcome) {
        Finished event = new Finished();
        if (event.isEnabled()) {
            event.describe(task);
            event.outcome = outcome.name();
            event.commit();
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
    @Description("A task was spawned; the event's thread and stack trace are the spawner's")
    @Enabled(false)
    static final class Spawned extends TaskEvent {
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
