package dev.scheduler.benchmarks;

import java.util.List;

/**
 * What {@code RESULTS.md} reports: the scenarios, which benchmark measures ours and which
 * its peers, and the targets, as data. {@link ResultsReport} computes every ratio and verdict from
 * a run's numbers; nothing here is a measured value.
 */
final class Scenarios {

    private Scenarios() {
    }

    /** Which statistic of a benchmark's samples a scenario compares. */
    enum Statistic {

        /** The mean of the measurement iterations ({@code avgt}), with its 99.9% error band. */
        MEAN,

        /**
         * The median of each iteration's sampled invocations ({@code sample} mode), averaged over the
         * iterations, with the same band: a few slow invocations move it less than they move a mean.
         */
        MEDIAN
    }

    /** How a target compares ours with a peer. */
    enum Rule {

        /** ours' time over the peer's time must be at most the bound. */
        TIME_AT_MOST,

        /** the peer's time over ours (our throughput over theirs) must be at least the bound. */
        SPEEDUP_AT_LEAST
    }

    /**
     * One benchmark in a scenario's table.
     *
     * @param benchmark {@code Class.method}
     * @param label what it is, for the table
     * @param ours whether it measures this library
     */
    record Entry(String benchmark, String label, boolean ours) {
    }

    /**
     * One target of the issue.
     *
     * @param text the target as the issue says it
     * @param ours the benchmark of ours
     * @param peer the benchmark it is compared with
     * @param rule how
     * @param bound the ratio that must hold
     * @param whenMissed what profiling found behind a miss, shown only when the numbers miss it
     */
    record Target(String text, String ours, String peer, Rule rule, double bound, String whenMissed) {
    }

    /**
     * A table of the report.
     *
     * @param title the heading
     * @param description what is measured and how, in a sentence or two
     * @param statistic which statistic is compared
     * @param throughput whether ratio columns are throughput ratios (peer time over this) rather than
     *     time ratios (this time over the peer's)
     * @param unitLabel what the score is per: "per task", "per round trip"
     * @param entries the benchmarks, ours first
     * @param peers the benchmarks that get a ratio column
     * @param targets the targets for this scenario
     */
    record Scenario(String title, String description, Statistic statistic, boolean throughput, String unitLabel,
            List<Entry> entries, List<String> peers, List<Target> targets) {
    }

    /**
     * A memory target: bytes retained per pending item, at most {@code maxBytes}.
     *
     * @param text the target as the issue says it
     * @param key the {@link MemoryFootprint} case
     * @param maxBytes the bound
     * @param whenMissed what was found behind a miss
     */
    record MemoryTarget(String text, String key, long maxBytes, String whenMissed) {
    }

    /**
     * Which peer each memory row is compared with.
     *
     * @param key the case
     * @param floor the case it is divided by
     */
    record MemoryFloor(String key, String floor) {
    }

    /**
     * A table of how the cost of benchmarks grows with one of their JMH parameters.
     *
     * @param title the heading
     * @param description what is measured and how
     * @param unitLabel what the score is per
     * @param param the {@code @Param} that grows
     * @param values its values, in the order the columns show them
     * @param entries the benchmarks, ours first
     * @param targets targets on cells of the table, named with {@link #cell(String, String, String)}
     */
    record Growth(String title, String description, String unitLabel, String param, List<String> values,
            List<Entry> entries, List<Target> targets) {
    }

    /** {@return how a run names {@code benchmark} run with {@code param} set to {@code value}} */
    static String cell(String benchmark, String param, String value) {
        return benchmark + ":" + param + "=" + value;
    }

    private static final String SPAWN = "BackgroundSpawnBenchmark.";
    private static final String GROWTH = "CostGrowthBenchmark.";
    private static final String HOP = "ForegroundHopBenchmark.";
    private static final String SWITCH = "ParkSwitchBenchmark.";
    private static final String VIRTUAL = "VirtualTimeBenchmark.";
    private static final String COST = "TaskCostBenchmark.";
    private static final String POINTS = "PreemptionBenchmark.";

    /** What profiling found behind scenario 1's targets. */
    private static final String SPAWN_PATH = "JFR on `ourExecutor*`: a body costs no virtual thread of its own any more "
            + "(the workers' runners carry one body after another), so what is left is the task itself. The spawning "
            + "thread sets the pace: about a third of its samples hand the step over (`ConcurrentLinkedQueue.offer`, "
            + "whose last node the worker reads), the rest build what a `Task` is (its handle, result future, "
            + "metadata, id and start step: about 270 bytes allocated a task, where the common pool allocates 32 a "
            + "job). The worker's side is some ten atomic updates a task (the task's flags and result, the "
            + "dispatcher's counts of tasks and running steps). The common pool runs one worker on two cores "
            + "(its parallelism is one less than the processors), so it never shares a core with the producer; "
            + "compare the diagnostic row with one background thread.";

    /** What profiling found behind scenario 4's timer targets. */
    private static final String TIMER_TRACE = "JFR on `timersTestScheduler`, before the heap moved to parallel "
            + "arrays: 87% of the time was `PriorityQueue` sifting, a cache miss on a timer object per comparison; "
            + "the heap now compares deadlines and orders in two `long` arrays. What is left is the step loop's "
            + "bookkeeping per timer (the due check, claiming the timer, the trace when one is kept).";

    /** What profiling found behind scenario 4's task target. */
    private static final String TASK_PROFILE = "JFR on `tasksTestScheduler`: every task is spawned before the first "
            + "runs, so a drawn task's objects have left the caches, and most samples wait on their first reads: the "
            + "task's id as its body's thread is named (14%), the random draw's arrays (11%), its slot in the live-task "
            + "registry as it finishes (9.5%), its flags (6%). The bare loop waits the same way on its threads.";

    /** {@return the scenarios with JMH benchmarks, in report order} */
    static List<Scenario> all() {
        return List.of(
                new Scenario("Scenario 1: background spawn → completion of 10,000 trivial tasks",
                        "The benchmark thread spawns 10,000 tasks that count down a latch and waits for it. Score: "
                                + "mean time per task (`avgt`). Ratio columns: throughput relative to each peer "
                                + "(the peer's time over this row's; above 1 is faster).",
                        Statistic.MEAN, true, "per task",
                        List.of(new Entry(SPAWN + "ourExecutorLinux", "ours: `Executor` on `LinuxDispatcher`", true),
                                new Entry(SPAWN + "ourExecutorPortable", "ours: `Executor` on `PortableDispatcher`", true),
                                new Entry(SPAWN + "ourExecutorLinuxOneWorker",
                                        "ours, diagnostic: `LinuxDispatcher` with one background thread", true),
                                new Entry(SPAWN + "forkJoinCommonPool", "`ForkJoinPool.commonPool()`", false),
                                new Entry(SPAWN + "threadPoolExecutor2", "2-thread `ThreadPoolExecutor`", false),
                                new Entry(SPAWN + "virtualThreadPerTaskExecutor",
                                        "`Executors.newVirtualThreadPerTaskExecutor()`", false)),
                        List.of(SPAWN + "forkJoinCommonPool", SPAWN + "threadPoolExecutor2",
                                SPAWN + "virtualThreadPerTaskExecutor"),
                        List.of(new Target("Linux: ≥ 2× the throughput of `newVirtualThreadPerTaskExecutor`",
                                        SPAWN + "ourExecutorLinux", SPAWN + "virtualThreadPerTaskExecutor",
                                        Rule.SPEEDUP_AT_LEAST, 2.0, SPAWN_PATH),
                                new Target("Portable: ≥ 2× the throughput of `newVirtualThreadPerTaskExecutor`",
                                        SPAWN + "ourExecutorPortable", SPAWN + "virtualThreadPerTaskExecutor",
                                        Rule.SPEEDUP_AT_LEAST, 2.0, SPAWN_PATH),
                                new Target("Linux: ≥ 0.5× the throughput of `ForkJoinPool.commonPool`",
                                        SPAWN + "ourExecutorLinux", SPAWN + "forkJoinCommonPool",
                                        Rule.SPEEDUP_AT_LEAST, 0.5, SPAWN_PATH),
                                new Target("Portable: ≥ 0.5× the throughput of `ForkJoinPool.commonPool`",
                                        SPAWN + "ourExecutorPortable", SPAWN + "forkJoinCommonPool",
                                        Rule.SPEEDUP_AT_LEAST, 0.5, SPAWN_PATH))),
                new Scenario("Scenario 2: foreground hop round trip (background → foreground → back)",
                        "A background thread (the benchmark thread) hands a small step to the one foreground "
                                + "thread and blocks until it answers; one round trip per invocation, sampled "
                                + "(`sample` mode). Ours schedules a foreground step on the dispatcher's main loop "
                                + "(`scheduleForeground`) that completes a `CompletableFuture`, and waits with "
                                + "`Executor.blockOn`. Each round trip is two wake-ups of a sleeping thread, which "
                                + "on this VM dominate it (compare p0.00 in `jmh-pass-N.log`): the ratio checks that ours adds "
                                + "nothing material to them. Score: the **median** round trip of each measurement "
                                + "iteration, averaged over every iteration of every fork, ± its 99.9% band. Ratio "
                                + "columns: this row's median over the peer's (below 1 is faster).",
                        Statistic.MEDIAN, false, "per round trip",
                        List.of(new Entry(HOP + "ourMainLoopLinux", "ours: `LinuxDispatcher` main loop (epoll)", true),
                                new Entry(HOP + "ourMainLoopPortable", "ours: `PortableDispatcher` main loop", true),
                                new Entry(HOP + "bareParkedLoop", "bare `LockSupport`-parked loop thread", false),
                                new Entry(HOP + "blockingQueueLoop", "`LinkedBlockingQueue` loop", false)),
                        List.of(HOP + "bareParkedLoop", HOP + "blockingQueueLoop"),
                        List.of(new Target("Linux: median round trip ≤ 1.3× the bare loop's",
                                        HOP + "ourMainLoopLinux", HOP + "bareParkedLoop", Rule.TIME_AT_MOST, 1.3,
                                        "Both ends are one wake-up of a sleeping thread; compare the eventfd/epoll "
                                                + "wake of the Linux main loop with the futex of the bare loop."),
                                new Target("Portable: median round trip ≤ 1.3× the bare loop's",
                                        HOP + "ourMainLoopPortable", HOP + "bareParkedLoop", Rule.TIME_AT_MOST, 1.3,
                                        "The portable main loop parks with LockSupport like the bare loop; a miss "
                                                + "is the loop's own bookkeeping (admission, queue depth, sleep flag)."))),
                new Scenario("Scenario 3: a task whose body blocks (park/unpark switch)",
                        "Two bodies hand a turn back and forth 1,000 times with `LockSupport` (2,000 switches "
                                + "per invocation). Score: mean time per switch (`avgt`). Ratio columns: this "
                                + "row's time over the peer's (below 1 is faster).",
                        Statistic.MEAN, false, "per switch",
                        List.of(new Entry(SWITCH + "ourTasksPingPong", "ours: two tasks on our carrier (single-threaded loop)", true),
                                new Entry(SWITCH + "ourTaskJoinsZeroTimer",
                                        "ours: one task joining a zero-length `executor.timer` per switch", true),
                                new Entry(SWITCH + "ourTasksPingPongLinux", "ours: two tasks on `LinuxDispatcher` workers", true),
                                new Entry(SWITCH + "bareCarrierPingPong", "bare virtual threads on a custom single-threaded carrier", false),
                                new Entry(SWITCH + "jdkDefaultPingPong", "JDK default virtual threads (`Thread.ofVirtual()`)", false)),
                        List.of(SWITCH + "bareCarrierPingPong", SWITCH + "jdkDefaultPingPong"),
                        List.of(new Target("switch on our carrier ≤ 1.3× a bare custom-carrier ping-pong",
                                        SWITCH + "ourTasksPingPong", SWITCH + "bareCarrierPingPong", Rule.TIME_AT_MOST,
                                        1.3, "The difference is our carrier's dispatch of each continuation (the "
                                                + "task's metadata through `Executor.dispatch` to `Scheduler.schedule`)."),
                                new Target("switch on our carrier ≥ 2.5× faster than on the JDK's default scheduler",
                                        SWITCH + "ourTasksPingPong", SWITCH + "jdkDefaultPingPong", Rule.SPEEDUP_AT_LEAST,
                                        2.5, "The JDK's scheduler hands the unparked thread to its other carrier; "
                                                + "a miss means that hand-off was cheap on this machine."))),
                new Scenario("Scenario 4: TestScheduler, 100,000 timers or tasks at random virtual times",
                        "Each scheduler sets the same 100,000 timers (one seed, up to an hour of virtual time) "
                                + "and runs past the last, or runs 100,000 spawned tasks to completion. Score: mean "
                                + "time per timer or task (`avgt`). Ratio columns: this row's time over the "
                                + "peer's (below 1 is faster).",
                        Statistic.MEAN, false, "per timer or task",
                        List.of(new Entry(VIRTUAL + "timersTestScheduler", "ours: timers (`scheduleAfter`, `advanceClock`)", true),
                                new Entry(VIRTUAL + "timersReactorVirtualTimeScheduler", "Reactor `VirtualTimeScheduler`", false),
                                new Entry(VIRTUAL + "timersRxJavaTestScheduler", "RxJava 3 `TestScheduler`", false),
                                new Entry(VIRTUAL + "timersBarePriorityQueue", "bare `PriorityQueue` loop", false),
                                new Entry(VIRTUAL + "tasksTestScheduler", "ours: tasks, seeded random order, spawn sites off", true),
                                new Entry(VIRTUAL + "tasksTestSchedulerInOrder", "ours: tasks, FIFO order", true),
                                new Entry(VIRTUAL + "tasksTestSchedulerWithSpawnSites", "ours: tasks, random order, spawn sites on (the default; lambda bodies)", true),
                                new Entry(VIRTUAL + "tasksTestSchedulerWithSpawnSitesNamedBody", "ours: tasks, spawn sites on, a body that is not a lambda (walked at every spawn)", true),
                                new Entry(VIRTUAL + "tasksBareLoopVirtualThreads", "bare `ArrayDeque` loop, same virtual threads", false),
                                new Entry(VIRTUAL + "tasksBareLoopRandomOrder", "bare loop, same virtual threads, random order", false)),
                        List.of(VIRTUAL + "timersReactorVirtualTimeScheduler", VIRTUAL + "timersRxJavaTestScheduler",
                                VIRTUAL + "timersBarePriorityQueue", VIRTUAL + "tasksBareLoopVirtualThreads",
                                VIRTUAL + "tasksBareLoopRandomOrder", VIRTUAL + "tasksTestScheduler"),
                        List.of(new Target("time per timer ≤ Reactor's", VIRTUAL + "timersTestScheduler",
                                        VIRTUAL + "timersReactorVirtualTimeScheduler", Rule.TIME_AT_MOST, 1.0,
                                        TIMER_TRACE),
                                new Target("time per timer ≤ RxJava's", VIRTUAL + "timersTestScheduler",
                                        VIRTUAL + "timersRxJavaTestScheduler", Rule.TIME_AT_MOST, 1.0,
                                        TIMER_TRACE),
                                new Target("time per timer ≤ 1.5× the bare loop", VIRTUAL + "timersTestScheduler",
                                        VIRTUAL + "timersBarePriorityQueue", Rule.TIME_AT_MOST, 1.5,
                                        TIMER_TRACE),
                                new Target("time per spawned task ≤ 3× the bare loop of the same virtual threads in random order",
                                        VIRTUAL + "tasksTestScheduler", VIRTUAL + "tasksBareLoopRandomOrder",
                                        Rule.TIME_AT_MOST, 3.0, TASK_PROFILE),
                                new Target("spawn sites on cost ≤ 1.5× off", VIRTUAL + "tasksTestSchedulerWithSpawnSites",
                                        VIRTUAL + "tasksTestScheduler", Rule.TIME_AT_MOST, 1.5,
                                        "each lambda body class is walked once; a miss means the walk dominates a short run"))),
                new Scenario("Context: what one task costs on a single-threaded loop",
                        "1,000 units of work spawned and run through the same `ArrayDeque` loop, no contention. "
                                + "Score: mean time per unit (`avgt`). On such a loop each body gets a virtual "
                                + "thread of its own when it starts, as under the TestScheduler, a main loop or the "
                                + "macOS and Windows pools; the Linux and portable workers run bodies on long-lived "
                                + "runners instead (scenario 1). Ratio columns: this row's time over the peer's.",
                        Statistic.MEAN, false, "per unit",
                        List.of(new Entry(COST + "task", "ours: `Task`", true),
                                new Entry(COST + "taskThatYields", "ours: `Task` that yields once", true),
                                new Entry(COST + "plainStep", "plain `Runnable` step", false),
                                new Entry(COST + "bareVirtualThread", "bare virtual thread", false),
                                new Entry(COST + "bareVirtualThreadThatYields", "bare virtual thread that yields once", false)),
                        List.of(COST + "plainStep", COST + "bareVirtualThread"),
                        List.of()),
                new Scenario("Preemption points: what a point costs, and what it does to a whole test",
                        "1,000 increments of a volatile counter in task bodies on a `TestScheduler`, with the two "
                                + "points the test agent puts around each (written by hand, so that no agent is "
                                + "needed); and a whole test: a fresh scheduler, two tasks of 100 increments, both "
                                + "joined. Score: mean time per increment, or per test (`avgt`). Ratio columns: this "
                                + "row's time over the peer's.",
                        Statistic.MEAN, false, "per increment, or per test",
                        List.of(new Entry(POINTS + "loopWithPointsPreemptionOff", "points, preemption off in the JVM", true),
                                new Entry(POINTS + "loopWithPointsOnASchedulerThatDoesNotPreempt",
                                        "points, on a scheduler that does not preempt while others do", true),
                                new Entry(POINTS + "loopWithPointsPctAlone", "points under PCT, the task alone", true),
                                new Entry(POINTS + "loopWithPointsRandomWalkTwoTasks",
                                        "points under the random walk, two tasks: a switch at every point", true),
                                new Entry(POINTS + "loopWithoutPoints", "no points (the code as compiled)", false),
                                new Entry(POINTS + "wholeTestWithPointsPreemptionOff", "whole test: points, preemption off", true),
                                new Entry(POINTS + "wholeTestWithPointsPct", "whole test: points under PCT", true),
                                new Entry(POINTS + "wholeTestWithPointsRandomWalk", "whole test: points under the random walk", true),
                                new Entry(POINTS + "wholeTestWithoutPoints", "whole test: no points", false)),
                        List.of(POINTS + "loopWithoutPoints", POINTS + "wholeTestWithoutPoints"),
                        List.of(new Target("with preemption off, a point is one cheap check: increments with points ≤ 1.5× without",
                                        POINTS + "loopWithPointsPreemptionOff", POINTS + "loopWithoutPoints",
                                        Rule.TIME_AT_MOST, 1.5, "Each point reads one volatile field and finds no "
                                                + "handler; a miss means the JIT did not inline the call."),
                                new Target("with preemption off, a whole test with points ≤ 1.1× the same test without",
                                        POINTS + "wholeTestWithPointsPreemptionOff", POINTS + "wholeTestWithoutPoints",
                                        Rule.TIME_AT_MOST, 1.1, "The test's cost is its scheduler and two tasks; "
                                                + "400 cheap checks are a few hundred nanoseconds of it."))));
    }

    /** {@return the tables of how cost grows, in report order} */
    static List<Growth> growth() {
        return List.of(
                new Growth("Growth: time per task as more threads spawn at once",
                        "10,000 trivial tasks split between 1, 2, 4 or 8 platform threads that spawn at once, then "
                                + "waited for, as in scenario 1. Score: mean time per task (`avgt`), and beside it "
                                + "the factor over the same row with one producer. On two cores, more producers "
                                + "than cores means more runnable threads than cores.",
                        "per task", "producers", List.of("1", "2", "4", "8"),
                        List.of(new Entry(GROWTH + "producersOurExecutorLinux", "ours: `Executor` on `LinuxDispatcher`", true),
                                new Entry(GROWTH + "producersOurExecutorPortable", "ours: `Executor` on `PortableDispatcher`", true),
                                new Entry(GROWTH + "producersVirtualThreadPerTaskExecutor", "`newVirtualThreadPerTaskExecutor()`", false),
                                new Entry(GROWTH + "producersForkJoinCommonPool", "`ForkJoinPool.commonPool()`", false)),
                        List.of()),
                new Growth("Growth: TestScheduler time per step as the backlog grows",
                        "A `TestScheduler` in its default configuration holds 10³, 10⁵ or 10⁶ spawned tasks that "
                                + "have not run; each operation spawns one more and runs one step, drawn at random "
                                + "among all of them, so the backlog keeps its size. Score: mean time per spawn and "
                                + "step (`avgt`), and the factor over the smallest backlog. A draw that walked the "
                                + "backlog would grow a thousandfold; a logarithmic one would double, were it not for "
                                + "the memory: a random step into a million waiting tasks misses the caches whatever "
                                + "does it, which the bare row, the same backlog with no scheduler at all, measures. "
                                + "The target compares the two at the largest backlog.",
                        "per spawn and step", "pending", List.of("1000", "100000", "1000000"),
                        List.of(new Entry(GROWTH + "pendingTestSchedulerStep", "ours: `spawn` and `tick()`", true),
                                new Entry(GROWTH + "pendingBareLoopStep",
                                        "bare virtual threads in a bag: one started, one drawn at random", false)),
                        List.of(new Target("with 10⁶ tasks pending, a step ≤ 2× the same backlog of bare virtual threads "
                                        + "(the scheduler adds no more than a constant to what the memory costs)",
                                cell(GROWTH + "pendingTestSchedulerStep", "pending", "1000000"),
                                cell(GROWTH + "pendingBareLoopStep", "pending", "1000000"), Rule.TIME_AT_MOST, 2.0,
                                "The draw is constant-time (parallel arrays per priority level, swap-removed); what "
                                        + "grows is each random step's reach into a heap far beyond the caches, and the "
                                        + "garbage collector's work on it, which the bare row pays as well."))));
    }

    /** {@return scenario 5's targets, on {@link MemoryFootprint}'s rows} */
    static List<MemoryTarget> memoryTargets() {
        String task = "Per pending task: the `Task`, its `CompletableFuture`, metadata, id and start step; no "
                + "thread until its body starts (compare the bare virtual thread row). On the Linux dispatcher each "
                + "queued step is also wrapped in a `Step` record and a `ConcurrentLinkedQueue` node.";
        String timer = "Per pending timer: the timer object and its heap slots (a deadline and an order as "
                + "`long`s beside it, which make sifting cache-friendly); compare the bare `PriorityQueue` row.";
        return List.of(new MemoryTarget("≤ 512 bytes per pending virtual-thread task (TestScheduler)", "taskTestScheduler", 512, task),
                new MemoryTarget("≤ 512 bytes per pending virtual-thread task (Linux dispatcher)", "taskLinux", 512, task),
                new MemoryTarget("≤ 96 bytes per pending timer (TestScheduler)", "timerTestScheduler", 96, timer),
                new MemoryTarget("≤ 96 bytes per pending timer (Linux dispatcher)", "timerLinux", 96, timer));
    }

    /** {@return which row each memory row is compared with} */
    static List<MemoryFloor> memoryFloors() {
        return List.of(new MemoryFloor("timerTestScheduler", "timerBarePriorityQueue"),
                new MemoryFloor("timerTaskTestScheduler", "timerBarePriorityQueue"),
                new MemoryFloor("timerReactor", "timerBarePriorityQueue"),
                new MemoryFloor("timerRxJava", "timerBarePriorityQueue"),
                new MemoryFloor("timerLinux", "timerBarePriorityQueue"),
                new MemoryFloor("stepTestScheduler", "bareVirtualThread"),
                new MemoryFloor("taskTestScheduler", "bareVirtualThread"),
                new MemoryFloor("parkedTaskTestScheduler", "bareVirtualThread"),
                new MemoryFloor("taskLinux", "bareVirtualThread"));
    }
}
