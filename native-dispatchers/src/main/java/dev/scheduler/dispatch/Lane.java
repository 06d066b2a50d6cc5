package dev.scheduler.dispatch;

import dev.scheduler.Cancellable;
import dev.scheduler.Step;
import dev.scheduler.TaskMetadata;
import java.util.List;
import java.util.function.Predicate;

/** Where a dispatcher's admitted steps go: its worker pool, its main loop, or an OS queue. */
interface Lane {

    /** Queues a step that {@link Admission} has counted in. */
    void submit(Runnable step, TaskMetadata meta);

    /** {@return how many steps wait here; approximate under concurrency} */
    int queued();

    /**
     * Removes every waiting step that {@code which} accepts; {@return them} Steps it refuses stay
     * queued, in their order, behind any that arrive meanwhile.
     */
    List<Step> drain(Predicate<Step> which);

    /** Timers: where a dispatcher's {@code scheduleAfter} steps wait for their deadline. */
    interface Timers {

        /** Runs {@code step} once {@link System#nanoTime()} has reached {@code deadline}, never earlier. */
        Cancellable scheduleAt(long deadline, Runnable step);

        /** {@return how many timers are pending} */
        int pending();

        /** Drops every pending timer; {@return their steps, none of which will run} */
        List<Runnable> dropAll();
    }
}
