package dev.scheduler.test;

import dev.scheduler.SessionId;
import dev.scheduler.Step;
import dev.scheduler.TaskMetadata;
import dev.scheduler.jdk.PreemptionPoints;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * A {@link TestScheduler}'s preemption strategy for one run: whether the task that reached a
 * preemption point steps aside, which step runs next under PCT, and the switches taken. All but
 * the switches, which any thread may read, belong to the scheduler's thread.
 */
/*
 * Implementation Overview
 * =======================
 *
 * The random walk needs nothing of its own: the task steps aside at every point and the run queue's
 * seeded draw, which includes the task's own continuation, picks what runs next.
 *
 * PCT replaces the draw. A task's priority is drawn in (d, d + 1) the first time it is a candidate;
 * the i-th change point sets the running task's to d − i, below every initial priority and every
 * earlier change. A task that passes SPIN_LIMIT points in one step without a switch is taken to spin
 * on something only another task can change, and drops below every priority so far: PCT alone
 * would let it spin for ever. "Steps", which the change points count, are draws and points both, so that a
 * task that never parks still has steps. The horizon k the d − 1 change points fall in is drawn per
 * seed from the powers of two 2..2^16 rather than learnt from earlier seeds: a seed must replay on
 * its own. Priorities are keyed by the task's metadata, one instance per task, by identity: never
 * iterated, so hash order cannot leak into the schedule.
 */
final class Preemptor {

    /** How many switches a run keeps for its report; later ones are counted only. */
    static final int SWITCHES_KEPT = 1_000;
    private static final int MAX_HORIZON_EXPONENT = 16;
    /**
     * How many points one step of PCT may pass without a switch before its task counts as spinning
     * (waiting on a flag in a loop, which only another task can set) and drops below all others.
     */
    static final int SPIN_LIMIT = 10_000;

    private final Preemption setting;
    private final Map<TaskMetadata, Double> priorities = new IdentityHashMap<>();
    private final List<Preemption.Switch> switches = new ArrayList<>();
    private RandomGenerator rng;
    private long[] changePoints = new long[0];
    private int nextChange;
    private long steps;
    private long switchCount;
    private TaskMetadata lastRun;
    private int pointsInStep;
    /** The lowest priority given so far, below which a spinning task drops. */
    private double floor;

    Preemptor(Preemption setting) {
        this.setting = setting;
    }

    Preemption setting() {
        return setting;
    }

    /** Starts a run with {@code random}: new priorities, change points and switches. */
    void restart(RandomGenerator random) {
        rng = random;
        priorities.clear();
        synchronized (this) {
            switches.clear();
            switchCount = 0;
        }
        steps = 0;
        nextChange = 0;
        lastRun = null;
        pointsInStep = 0;
        floor = setting.depth();
        if (setting.strategy() == Preemption.Strategy.PCT) {
            long horizon = 1L << (1 + random.nextInt(MAX_HORIZON_EXPONENT));
            changePoints = new long[setting.depth() - 1];
            for (int i = 0; i < changePoints.length; i++) {
                changePoints[i] = random.nextLong(1, horizon + 1);
            }
            Arrays.sort(changePoints);
        }
    }

    /**
     * Whether {@code running}, whose body reached point {@code site}, steps aside.
     *
     * @param running the task whose step runs
     * @param site the point's site number
     * @param queue the other runnable steps
     * @param blocked the sessions inside {@code blockOn}, whose foreground steps cannot run
     */
    boolean stepsAside(TaskMetadata running, int site, RunQueue queue, List<SessionId> blocked) {
        if (PreemptionPoints.kind(site) == PreemptionPoints.FIELD && !setting.thorough()) {
            return false; // another scheduler in this JVM asked for thorough points
        }
        if (queue.backgroundCount() + queue.foregroundCount() == 0) {
            return false; // nothing else could run
        }
        if (setting.strategy() == Preemption.Strategy.RANDOM) {
            return true;
        }
        boolean changed = countStep(running);
        if (++pointsInStep > SPIN_LIMIT) {
            floor -= 1;
            priorities.put(running, floor); // it spins: whoever it waits for must run
            pointsInStep = 0;
            changed = true;
        }
        return changed || queue.highestPriority(this::priority, blocked) > priority(running);
    }

    /** {@return whether this strategy picks the next step itself, by priority, instead of the seeded draw} */
    boolean picksSteps() {
        return setting.strategy() == Preemption.Strategy.PCT;
    }

    /** Under PCT, removes and returns the runnable step of highest priority, or null. */
    Step poll(RunQueue queue, List<SessionId> blocked) {
        if (lastRun != null) {
            countStep(lastRun);
        }
        return queue.pollHighest(this::priority, blocked);
    }

    /** The step of {@code meta} is about to run: remembered as the task a change point lowers. */
    void running(TaskMetadata meta) {
        lastRun = meta;
        pointsInStep = 0;
    }

    /** Records that {@code from} stepped aside at {@code site} and {@code to} ran next, if they differ. */
    synchronized void switched(TaskMetadata from, int site, TaskMetadata to) {
        if (from == to) {
            return;
        }
        switchCount++;
        if (switches.size() < SWITCHES_KEPT) {
            switches.add(new Preemption.Switch(from.describe(), PreemptionPoints.site(site), to.describe()));
        }
    }

    /** {@return the switches this run took, the first {@value #SWITCHES_KEPT}} */
    synchronized List<Preemption.Switch> switches() {
        return List.copyOf(switches);
    }

    /** {@return how many switches this run took, all of them} */
    synchronized long switchCount() {
        return switchCount;
    }

    /** Counts a step; at a change point lowers {@code running}. {@return whether it did} */
    private boolean countStep(TaskMetadata running) {
        steps++;
        boolean changed = false;
        while (nextChange < changePoints.length && changePoints[nextChange] <= steps) {
            nextChange++;
            floor = Math.min(floor, setting.depth() - nextChange);
            priorities.put(running, (double) (setting.depth() - nextChange));
            changed = true;
        }
        return changed;
    }

    private double priority(TaskMetadata meta) {
        Double known = priorities.get(meta);
        if (known != null) {
            return known;
        }
        double drawn = setting.depth() + rng.nextDouble();
        priorities.put(meta, drawn);
        return drawn;
    }
}
