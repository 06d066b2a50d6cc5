package dev.scheduler.dispatch;

import dev.scheduler.TaskMetadata;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link Dispatcher} gave up when it stopped: the plain steps it dropped from its queues,
 * how many timers never fired, and the tasks it cancelled because they had not finished (parked on
 * a timer, a lock or another task, or queued). Nothing is given up silently: each cancelled task's
 * waiters woke with a {@link java.util.concurrent.CancellationException}.
 *
 * @param droppedSteps the task of each queued step that was dropped, background and foreground
 * @param droppedTimers how many pending timers were dropped
 * @param cancelledTasks the tasks that had not finished and were cancelled, oldest first
 */
public record ShutdownReport(List<TaskMetadata> droppedSteps, int droppedTimers, List<TaskMetadata> cancelledTasks) {

    /** A report of nothing given up. */
    public static final ShutdownReport NOTHING = new ShutdownReport(List.of(), 0, List.of());

    /** How many tasks a report names before it says "...". */
    private static final int NAMED = 20;

    /**
     * Copies and validates the components.
     *
     * @throws NullPointerException if a list is null or holds null
     * @throws IllegalArgumentException if {@code droppedTimers} is negative
     */
    public ShutdownReport {
        droppedSteps = List.copyOf(Objects.requireNonNull(droppedSteps, "droppedSteps"));
        cancelledTasks = List.copyOf(Objects.requireNonNull(cancelledTasks, "cancelledTasks"));
        if (droppedTimers < 0) {
            throw new IllegalArgumentException("droppedTimers must not be negative, was " + droppedTimers);
        }
    }

    /**
     * {@return this report and {@code later} as one: every dropped step, the timers of both, and each
     * cancelled task once}
     *
     * @param later what was given up after this report was made
     */
    ShutdownReport and(ShutdownReport later) {
        List<TaskMetadata> steps = new ArrayList<>(droppedSteps);
        steps.addAll(later.droppedSteps);
        Map<Object, TaskMetadata> tasks = new LinkedHashMap<>();
        for (TaskMetadata task : cancelledTasks) {
            tasks.put(task.id(), task);
        }
        for (TaskMetadata task : later.cancelledTasks) {
            tasks.putIfAbsent(task.id(), task);
        }
        return new ShutdownReport(steps, droppedTimers + later.droppedTimers, List.copyOf(tasks.values()));
    }

    /**
     * {@return whether the wait before closing ran out: queued steps were dropped or tasks had not
     * finished} Timers alone do not count, since they never hold a shutdown back.
     */
    public boolean waitedInVain() {
        return !droppedSteps.isEmpty() || !cancelledTasks.isEmpty();
    }

    /** {@return whether nothing was dropped and every task had finished} */
    public boolean isEmpty() {
        return droppedSteps.isEmpty() && droppedTimers == 0 && cancelledTasks.isEmpty();
    }

    /**
     * {@return the report as one sentence, such as {@code dropped 2 queued steps (task #4, task #9
     * "indexer") and 1 pending timer; cancelled 1 unfinished task (task #7 "upload")}}
     */
    @Override
    public String toString() {
        String sentence = "dropped " + droppedSteps.size() + (droppedSteps.size() == 1 ? " queued step" : " queued steps")
                + named(droppedSteps) + " and " + droppedTimers + (droppedTimers == 1 ? " pending timer" : " pending timers");
        return cancelledTasks.isEmpty() ? sentence : sentence + "; cancelled " + cancelledTasks.size()
                + (cancelledTasks.size() == 1 ? " unfinished task" : " unfinished tasks") + named(cancelledTasks);
    }

    private static String named(List<TaskMetadata> tasks) {
        List<String> names = tasks.stream().map(TaskMetadata::describe).distinct().toList();
        return names.isEmpty() ? "" : " (" + String.join(", ", names.subList(0, Math.min(names.size(), NAMED)))
                + (names.size() > NAMED ? ", ..." : "") + ")";
    }
}
