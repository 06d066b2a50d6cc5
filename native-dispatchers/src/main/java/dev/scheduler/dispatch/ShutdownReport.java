package dev.scheduler.dispatch;

import dev.scheduler.TaskMetadata;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link Dispatcher} dropped when it stopped: the tasks whose queued steps never ran, how
 * many timers never fired, and how many tasks never finished (parked on a timer, a lock or another
 * task when the dispatcher stopped).
 *
 * @param droppedSteps the task of each queued step that was dropped, background and foreground
 * @param droppedTimers how many pending timers were dropped
 * @param unfinishedTasks how many tasks spawned on the dispatcher had not finished
 */
public record ShutdownReport(List<TaskMetadata> droppedSteps, int droppedTimers, int unfinishedTasks) {

    /** A report of nothing dropped. */
    public static final ShutdownReport NOTHING = new ShutdownReport(List.of(), 0, 0);

    /**
     * Copies and validates the components.
     *
     * @throws NullPointerException if {@code droppedSteps} is null or holds null
     * @throws IllegalArgumentException if {@code droppedTimers} or {@code unfinishedTasks} is negative
     */
    public ShutdownReport {
        droppedSteps = List.copyOf(Objects.requireNonNull(droppedSteps, "droppedSteps"));
        if (droppedTimers < 0) {
            throw new IllegalArgumentException("droppedTimers must not be negative, was " + droppedTimers);
        }
        if (unfinishedTasks < 0) {
            throw new IllegalArgumentException("unfinishedTasks must not be negative, was " + unfinishedTasks);
        }
    }

    /**
     * {@return whether the wait before closing ran out: queued steps were dropped or tasks had not
     * finished} Timers alone do not count, since they never hold a shutdown back.
     */
    public boolean waitedInVain() {
        return !droppedSteps.isEmpty() || unfinishedTasks > 0;
    }

    /** {@return whether nothing was dropped and every task had finished} */
    public boolean isEmpty() {
        return droppedSteps.isEmpty() && droppedTimers == 0 && unfinishedTasks == 0;
    }

    /**
     * {@return the report as one sentence, such as {@code dropped 2 queued steps (task #4, task #9
     * "indexer") and 1 pending timer; 1 task had not finished}}
     */
    @Override
    public String toString() {
        List<String> tasks = droppedSteps.stream().map(TaskMetadata::describe).distinct().toList();
        String named = tasks.isEmpty() ? "" : " (" + String.join(", ", tasks.subList(0, Math.min(tasks.size(), 20)))
                + (tasks.size() > 20 ? ", ..." : "") + ")";
        return "dropped " + droppedSteps.size() + (droppedSteps.size() == 1 ? " queued step" : " queued steps") + named
                + " and " + droppedTimers + (droppedTimers == 1 ? " pending timer" : " pending timers")
                + (unfinishedTasks == 0 ? "" : "; " + unfinishedTasks
                        + (unfinishedTasks == 1 ? " task had not finished" : " tasks had not finished"));
    }
}
