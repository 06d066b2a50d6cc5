package dev.scheduler.dispatch;

import dev.scheduler.Priority;
import dev.scheduler.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntUnaryOperator;
import java.util.function.Predicate;

/**
 * The background queue of a dispatcher: one lock-free FIFO per {@link Priority}, drawn from by the
 * levels' weights (60/30/10) among the levels that hold a step, so that {@code LOW} work gets about
 * a tenth of the draws while it waits and is never starved. The worker pool's threads draw from it,
 * and so do the work items the macOS and Windows dispatchers hand their system's pool.
 */
/*
 * Implementation Overview
 * =======================
 *
 * Whether a step is queued is read from the queues themselves: an offer is linearized by the CAS
 * that links its node, so a reader that looks after that CAS sees the node, and one that finds every
 * level empty after an offer was published knows the step is gone. WorkerPool's idle protocol pairs
 * this with its idle count (see there). Asking costs a read of the nodes an offer writes anyway, so a
 * worker that spins on it takes nothing more from the producer's core than the handoff needs.
 *
 * How many are queued, for metrics, is the steps offered less those taken: two counts that only the
 * producers and only the consumers write, so neither side writes a cache line the other does.
 */
final class PriorityQueues {

    private static final Priority[] LEVELS = Priority.values();

    @SuppressWarnings({"unchecked", "rawtypes"})
    private final ConcurrentLinkedQueue<Step>[] levels = new ConcurrentLinkedQueue[LEVELS.length];
    private final LongAdder offered = new PaddedAdder();
    private final LongAdder taken = new PaddedAdder();

    PriorityQueues() {
        for (int i = 0; i < levels.length; i++) {
            levels[i] = new ConcurrentLinkedQueue<>();
        }
    }

    /** Queues {@code step} at its task's priority. */
    void offer(Step step) {
        levels[step.meta().priority().ordinal()].offer(step);
        offered.increment();
    }

    /**
     * Draws a level by weight among the levels that hold a step, and polls it; {@return the step,
     * or null if every level is empty}
     *
     * @param random the caller's own generator: {@code random.applyAsInt(bound)} is in {@code [0, bound)}
     */
    Step poll(IntUnaryOperator random) {
        while (true) {
            int total = 0;
            for (int level = 0; level < LEVELS.length; level++) {
                if (!levels[level].isEmpty()) {
                    total += LEVELS[level].weight();
                }
            }
            if (total == 0) {
                return null;
            }
            int draw = random.applyAsInt(total);
            for (int level = 0; level < LEVELS.length; level++) {
                if (levels[level].isEmpty()) {
                    continue;
                }
                draw -= LEVELS[level].weight();
                if (draw < 0) {
                    Step step = levels[level].poll();
                    if (step != null) {
                        taken.increment();
                        return step;
                    }
                    break; // another thread took it: draw again
                }
            }
        }
    }

    /** Takes back a step offered a moment ago, if no thread polled it meanwhile; {@return whether it did} */
    boolean withdraw(Step step) {
        if (levels[step.meta().priority().ordinal()].remove(step)) {
            taken.increment();
            return true;
        }
        return false;
    }

    /** {@return whether a step is queued} */
    boolean hasWork() {
        for (ConcurrentLinkedQueue<Step> level : levels) {
            if (!level.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** {@return how many steps are queued; approximate under concurrency} */
    int queued() {
        long out = taken.sum();
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, offered.sum() - out));
    }

    /**
     * Removes every queued step that {@code which} accepts; {@return them} Steps it refuses are
     * queued again, in their order, behind any that arrived meanwhile.
     */
    List<Step> drain(Predicate<Step> which) {
        List<Step> dropped = new ArrayList<>();
        for (ConcurrentLinkedQueue<Step> level : levels) {
            // Poll, not iterate: only a poll owns the step it removes, against the other threads' polls.
            List<Step> kept = new ArrayList<>();
            int before = dropped.size();
            for (Step step; (step = level.poll()) != null; ) {
                (which.test(step) ? dropped : kept).add(step);
            }
            level.addAll(kept);
            taken.add(dropped.size() - before);
        }
        return dropped;
    }
}
