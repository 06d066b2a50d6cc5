package dev.scheduler.test;

import dev.scheduler.Priority;
import dev.scheduler.SessionId;
import dev.scheduler.Step;
import dev.scheduler.TaskMetadata;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.random.RandomGenerator;

/**
 * The runnable steps of a {@link TestScheduler}, and the rule that picks the next one.
 *
 * <p>Randomized: a priority level is drawn with its weight among the levels that have a candidate,
 * then a candidate uniformly within the level. Candidates are every background step and the head of
 * every foreground session that is not blocked, so a session's steps keep their order.
 * In order: the oldest step whose session is not blocked.
 *
 * <p>By priority (PCT, see {@link Preemptor}): the candidate whose task has the highest priority.
 *
 * <p>Iteration orders are insertion orders, never hash orders, so a seed replays exactly.
 */
final class RunQueue {

    private static final Priority[] LEVELS = Priority.values();

    private final boolean randomize;
    // Background steps as parallel arrays per level, not Step records: a pending step costs two
    // array slots instead of a 24-byte object, and a random pick touches one object less.
    private final List<Bag> background = new ArrayList<>();
    private final Map<SessionId, ArrayDeque<Step>> foreground = new LinkedHashMap<>();
    private final ArrayDeque<Step> inOrder = new ArrayDeque<>();
    private final int[] candidates = new int[LEVELS.length];
    private int backgroundCount;
    private int foregroundCount;

    RunQueue(boolean randomize) {
        this.randomize = randomize;
        for (int i = 0; i < LEVELS.length; i++) {
            background.add(new Bag());
        }
    }

    void add(Runnable runnable, TaskMetadata meta) {
        SessionId session = meta.session();
        if (session == null) {
            backgroundCount++;
        } else {
            foregroundCount++;
        }
        if (!randomize) {
            inOrder.addLast(new Step(runnable, meta));
        } else if (session == null) {
            background.get(meta.priority().ordinal()).add(runnable, meta);
        } else {
            foreground.computeIfAbsent(session, s -> new ArrayDeque<>()).addLast(new Step(runnable, meta));
        }
    }

    /**
     * Puts a foreground step back at the head of its session, where it was: a task preempted at a
     * point keeps its place among its session's steps, as it would on a real confined thread.
     */
    void addFirst(Runnable runnable, TaskMetadata meta) {
        SessionId session = meta.session();
        if (session == null || !randomize) {
            add(runnable, meta);
            return;
        }
        foregroundCount++;
        foreground.computeIfAbsent(session, s -> new ArrayDeque<>()).addFirst(new Step(runnable, meta));
    }

    int backgroundCount() {
        return backgroundCount;
    }

    int foregroundCount() {
        return foregroundCount;
    }

    /** Removes and returns the next step, or null if every waiting step belongs to a blocked session. */
    Step poll(RandomGenerator rng, List<SessionId> blocked) {
        return randomize ? pollRandom(rng, blocked) : pollInOrder(blocked);
    }

    private Step pollInOrder(List<SessionId> blocked) {
        for (Iterator<Step> it = inOrder.iterator(); it.hasNext(); ) {
            Step step = it.next();
            SessionId session = step.meta().session();
            if (session == null) {
                it.remove();
                backgroundCount--;
                return step;
            }
            if (!blocked.contains(session)) {
                it.remove();
                foregroundCount--;
                return step;
            }
        }
        return null;
    }

    private Step pollRandom(RandomGenerator rng, List<SessionId> blocked) {
        if (backgroundCount == 0 && foreground.isEmpty()) {
            return null;
        }
        int[] candidates = this.candidates;
        int totalWeight = 0;
        for (int level = 0; level < LEVELS.length; level++) {
            candidates[level] = background.get(level).size + runnableHeads(level, blocked);
            if (candidates[level] > 0) {
                totalWeight += LEVELS[level].weight();
            }
        }
        if (totalWeight == 0) {
            return null;
        }
        int draw = rng.nextInt(totalWeight);
        int level = 0;
        while (candidates[level] == 0 || draw >= LEVELS[level].weight()) {
            if (candidates[level] > 0) {
                draw -= LEVELS[level].weight();
            }
            level++;
        }
        int index = rng.nextInt(candidates[level]);
        Bag steps = background.get(level);
        if (index < steps.size) {
            backgroundCount--;
            return steps.take(index);
        }
        foregroundCount--;
        return pollHead(level, index - steps.size, blocked);
    }

    /** {@return the highest {@code priority} among the candidates, or negative infinity if there are none} */
    double highestPriority(ToDoubleFunction<TaskMetadata> priority, List<SessionId> blocked) {
        double best = Double.NEGATIVE_INFINITY;
        for (Bag steps : background) {
            for (int i = 0; i < steps.size; i++) {
                best = Math.max(best, priority.applyAsDouble(steps.metas[i]));
            }
        }
        for (Map.Entry<SessionId, ArrayDeque<Step>> entry : foreground.entrySet()) {
            if (!blocked.contains(entry.getKey())) {
                best = Math.max(best, priority.applyAsDouble(entry.getValue().getFirst().meta()));
            }
        }
        return best;
    }

    /** Removes and returns the candidate of highest {@code priority}, the first found on a tie, or null. */
    Step pollHighest(ToDoubleFunction<TaskMetadata> priority, List<SessionId> blocked) {
        Bag bestBag = null;
        int bestIndex = -1;
        SessionId bestSession = null;
        double best = Double.NEGATIVE_INFINITY;
        for (Bag steps : background) {
            for (int i = 0; i < steps.size; i++) {
                double p = priority.applyAsDouble(steps.metas[i]);
                if (p > best) {
                    best = p;
                    bestBag = steps;
                    bestIndex = i;
                }
            }
        }
        for (Map.Entry<SessionId, ArrayDeque<Step>> entry : foreground.entrySet()) {
            if (!blocked.contains(entry.getKey())) {
                double p = priority.applyAsDouble(entry.getValue().getFirst().meta());
                if (p > best) {
                    best = p;
                    bestBag = null;
                    bestSession = entry.getKey();
                }
            }
        }
        if (bestBag != null) {
            backgroundCount--;
            return bestBag.take(bestIndex);
        }
        if (bestSession == null) {
            return null;
        }
        foregroundCount--;
        ArrayDeque<Step> queue = foreground.get(bestSession);
        Step step = queue.removeFirst();
        if (queue.isEmpty()) {
            foreground.remove(bestSession);
        }
        return step;
    }

    private int runnableHeads(int level, List<SessionId> blocked) {
        if (foreground.isEmpty()) {
            return 0;
        }
        int count = 0;
        for (Map.Entry<SessionId, ArrayDeque<Step>> entry : foreground.entrySet()) {
            if (!blocked.contains(entry.getKey()) && entry.getValue().getFirst().meta().priority().ordinal() == level) {
                count++;
            }
        }
        return count;
    }

    private Step pollHead(int level, int index, List<SessionId> blocked) {
        for (Iterator<Map.Entry<SessionId, ArrayDeque<Step>>> it = foreground.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<SessionId, ArrayDeque<Step>> entry = it.next();
            ArrayDeque<Step> queue = entry.getValue();
            if (blocked.contains(entry.getKey()) || queue.getFirst().meta().priority().ordinal() != level) {
                continue;
            }
            if (index-- == 0) {
                Step step = queue.removeFirst();
                if (queue.isEmpty()) {
                    it.remove();
                }
                return step;
            }
        }
        throw new IllegalStateException("foreground candidate " + index + " of level " + LEVELS[level] + " vanished");
    }

    /** Background steps of one level, in no particular order: the draw is random anyway. */
    private static final class Bag {
        private Runnable[] runnables = new Runnable[16];
        private TaskMetadata[] metas = new TaskMetadata[16];
        private int size;

        void add(Runnable runnable, TaskMetadata meta) {
            if (size == runnables.length) {
                runnables = java.util.Arrays.copyOf(runnables, size * 2);
                metas = java.util.Arrays.copyOf(metas, size * 2);
            }
            runnables[size] = runnable;
            metas[size] = meta;
            size++;
        }

        /** Removes the step at {@code index} by moving the last one into its place. */
        Step take(int index) {
            Step step = new Step(runnables[index], metas[index]);
            size--;
            runnables[index] = runnables[size];
            metas[index] = metas[size];
            runnables[size] = null;
            metas[size] = null;
            return step;
        }
    }
}
