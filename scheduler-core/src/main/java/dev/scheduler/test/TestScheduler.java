package dev.scheduler.test;

import dev.scheduler.Cancellable;
import dev.scheduler.Executor;
import dev.scheduler.ForegroundExecutor;
import dev.scheduler.QueueDepths;
import dev.scheduler.Scheduler;
import dev.scheduler.SessionId;
import dev.scheduler.Simulation;
import dev.scheduler.Step;
import dev.scheduler.Task;
import dev.scheduler.TaskId;
import dev.scheduler.TaskLabel;
import dev.scheduler.TaskMetadata;
import dev.scheduler.TaskObserver;
import dev.scheduler.ThreadWaits;
import dev.scheduler.Unparker;
import dev.scheduler.jdk.JdkHooks;
import dev.scheduler.jdk.PreemptionPoints;
import dev.scheduler.timer.TimerHeap;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.random.RandomGenerator;

/**
 * A deterministic {@link Scheduler} for tests: one thread, virtual time, and a seeded random
 * interleaving of every step, so that a failing seed replays bit for bit.
 *
 * <pre>{@code
 * TestScheduler.many(100, scheduler -> {
 *     Executor executor = scheduler.background();
 *     Task<Integer> a = executor.spawn(() -> 1);
 *     Task<Integer> b = executor.spawn(() -> a.join() + 1);
 *     assertThat(b.join()).isEqualTo(2);
 * });
 * }</pre>
 *
 * <p>Policies:
 * <ul>
 *   <li><b>One thread.</b> Every step runs on the thread that created the scheduler; the test hooks
 *       ({@link #tick()}, {@link #runUntilParked()}, {@link #advanceClock(Duration)},
 *       {@link #endTest()}) must be called there, outside any task.
 *   <li><b>Order.</b> The next step is drawn from the seed, weighted by {@link dev.scheduler.Priority};
 *       foreground steps of one session keep their order; a session inside {@code blockOn} does not
 *       run its own foreground steps; background tasks with a {@linkplain #deprioritize deprioritized}
 *       label run only when nothing else can.
 *   <li><b>Time.</b> {@link #now()} starts at {@link #START} and moves only in
 *       {@link #advanceClock(Duration)} or when a {@code blockOn} finds nothing to run, which jumps
 *       to the next timer. Timers fire in deadline order, each seeing its own deadline as now.
 *   <li><b>Deadlocks.</b> When a {@code blockOn} finds nothing to run, no timer, and parking is
 *       forbidden (the default), it throws {@link IllegalStateException} "Parking forbidden"
 *       listing every pending task: label, id, spawn site, what it waits for (parked, blocked
 *       entering a monitor and who holds it, waiting in {@code Object.wait}) and its stack. A wait
 *       that only ever finds timers to fire (a periodic job's) fails the same way as a livelock
 *       after {@value #MAX_CLOCK_JUMPS_PER_WAIT} jumps of the clock.
 *   <li><b>Plain blocking Java.</b> With the test agent ({@code scheduler-test-agent}) on the
 *       JVM's command line, {@code Thread.sleep}, {@code LockSupport.parkNanos}, timed
 *       {@code Object.wait} and the timed waits of {@code java.util.concurrent} inside tasks are
 *       timers on virtual time, fired in deadline order with the others; a task that a released
 *       monitor lets in ({@code synchronized}, {@code notify}) resumes as a step whose place the
 *       seed decides: before drawing the next step, the scheduler waits until the JDK has handed
 *       over every monitor it owes a task.
 *   <li><b>Preemption.</b> With {@link TestSchedulerConfig#preemption()} on, a task also steps
 *       aside at the preemption points the test agent puts into the application's classes, where
 *       the {@link Preemption.Strategy} says, so that races where nothing parks are interleaved too;
 *       {@link #switches()} lists the switches a run took.
 *   <li><b>Clock reads.</b> With {@link TestSchedulerConfig#virtualClockReads()}, the application's
 *       own {@code System.currentTimeMillis()}, {@code System.nanoTime()}, {@code Instant.now()},
 *       {@code Clock.systemUTC()} and {@code now()} of {@code java.time}'s types inside tasks read
 *       virtual time, where the test agent rewrote them.
 *   <li><b>Threads the code starts.</b> With the test agent, a virtual thread that a task's body
 *       starts ({@code Thread.ofVirtual()}, {@code Executors.newVirtualThreadPerTaskExecutor()}) is
 *       a task of this scheduler, and so is the default asynchronous work of
 *       {@code CompletableFuture} ({@code supplyAsync} without an executor) inside a task; see
 *       {@link TestSchedulerConfig#adoptThreads()}. Platform threads run outside it.
 *   <li><b>Non-determinism.</b> A step or wake-up that arrives from a thread outside the scheduler
 *       while parking is forbidden (a real thread, a JDK timer, a monitor hand-off without the
 *       agent) is accepted, so nothing is lost, and makes {@link #endTest()} fail with
 *       "Your test is not deterministic" and the thread and stack it came from.
 *   <li><b>Failures.</b> A task that fails when nobody observes its outcome (a detached task, or
 *       one never joined), or a {@link TaskObserver} that throws, makes {@link #endTest()} fail,
 *       naming the task.
 * </ul>
 */
/*
 * Implementation Overview
 * =======================
 *
 * The scheduler is the SPI, the driving loop and the test hooks; the rest is in its parts:
 * SeedRun runs seeded tests, Diagnostics keeps the pending tasks and what went wrong and writes the
 * reports, RunQueue holds the runnable steps and draws the next one, TimerHeap the timers.
 *
 * All state is confined to the scheduler's thread except: the inbox (steps, timers and wake-ups
 * from other threads, drained at every step), what Diagnostics records (executors may spawn from
 * any thread), the configuration (read by metrics) and the queue-depth counters.
 *
 * "On the scheduler's thread" means the scheduler's own platform thread, or the virtual thread of
 * the task whose step it is running right now (runningStep). A virtual thread submitting its own
 * continuation after it unmounts does so on the carrier, which is the scheduler's thread.
 */
public final class TestScheduler implements Scheduler, Simulation, AutoCloseable {

    /** The instant virtual time starts at: 2025-01-01T00:00:00Z. */
    public static final Instant START = Instant.parse("2025-01-01T00:00:00Z");

    /**
     * What {@link #nanoTime()} reads at {@link #START}: one second, because some of the JDK's timed
     * waits take a reading of 0 to mean "not yet read" ({@code FutureTask.get} does).
     */
    public static final long NANO_TIME_AT_START = 1_000_000_000L;

    /** A test body that runs with a scheduler on the scheduler's thread. */
    @FunctionalInterface
    public interface Body {

        /**
         * Runs the test.
         *
         * @param scheduler the scheduler for this run
         * @throws Exception anything; it fails the run
         */
        void run(TestScheduler scheduler) throws Exception;
    }

    /**
     * How often one untimed wait may jump the clock to the next timer before it is reported as a
     * livelock: a periodic job always has a timer pending, so time could otherwise run forever.
     */
    public static final int MAX_CLOCK_JUMPS_PER_WAIT = 100_000;

    private static final int TRACE_LIMIT = 1 << 20;
    private static final long MAX_REAL_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final int CLOSE_STEP_LIMIT = 100_000;
    /** How long the JDK's unblocker may take to hand a released monitor over: a hang guard, not a timing rule. */
    private static final long HANDOFF_GUARD_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** The open schedulers with preemption on: a point asks the one whose task's body reached it. */
    private static final Set<TestScheduler> PREEMPTING = ConcurrentHashMap.newKeySet();

    private final Thread thread;
    private final RunQueue runQueue;
    private final ArrayDeque<Step> deprioritizedSteps = new ArrayDeque<>();
    private final Set<TaskLabel> deprioritized = new HashSet<>();
    private final TimerHeap timers = new TimerHeap();
    /** Steps ({@link Step}) and timers ({@link PendingTimer}) handed in from other threads. */
    private final ConcurrentLinkedQueue<Object> inbox = new ConcurrentLinkedQueue<>();
    private final Diagnostics diagnostics = new Diagnostics();
    private final List<SessionId> blockedSessions = new ArrayList<>();
    private final AtomicBoolean unparked = new AtomicBoolean();
    /**
     * Task bodies whose virtual threads unmounted to wait for a monitor, until their next step
     * arrives: a monitor's release may have picked one as its next owner.
     */
    private final Map<TaskMetadata, Thread> monitorWaiters = new IdentityHashMap<>();
    private long monitorWaitsSeen;
    /** The preemption strategy, or null when preemption is off. */
    private final Preemptor preemptor;
    /** The task whose body is stepping aside at a point right now, and the point's site. */
    private TaskMetadata steppingAside;
    private int steppingAsideAt;
    /** The task that stepped aside in the last step, until the next draw tells who ran instead. */
    private TaskMetadata steppedAside;
    private int steppedAsideAt;

    /** The settings, current: the hooks that change one replace the whole configuration. */
    private volatile TestSchedulerConfig config;
    private RandomGenerator rng;
    private List<String> trace;
    private Executor background;

    private volatile long clockNanos;
    private volatile TaskMetadata runningStep;
    private volatile boolean closed;

    /**
     * Creates a scheduler with the default configuration and seed 0, owned by the calling thread.
     */
    public TestScheduler() {
        this(TestSchedulerConfig.defaults());
    }

    /**
     * Creates a scheduler owned by the calling thread.
     *
     * @param config how it behaves
     * @throws NullPointerException if {@code config} is null
     * @throws IllegalStateException if {@code config} turns preemption on and the test agent is not
     *     on the JVM's command line
     */
    public TestScheduler(TestSchedulerConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.thread = Thread.currentThread();
        this.runQueue = new RunQueue(config.randomizeOrder());
        this.preemptor = config.preemption().isOn() ? new Preemptor(config.preemption()) : null;
        if (preemptor != null) {
            requirePreemptionPoints(config.preemption());
        }
        if (adoptsThreads()) {
            ThreadWaits.startJdkPollers();
        }
        if (config.virtualClockReads() && !PreemptionPoints.instrumented()) {
            throw new IllegalStateException("Virtual clock reads make the application's own System.currentTimeMillis(), "
                    + "System.nanoTime(), Instant.now() and Clock.systemUTC() inside tasks read the scheduler's clock, "
                    + "where the scheduler's test agent rewrote them, and the agent is not there: " + JdkHooks.SWITCH + ".");
        }
        reseedState(config.seed());
        if (preemptor != null) {
            synchronized (PREEMPTING) {
                PREEMPTING.add(this);
                PreemptionPoints.install(TestScheduler::preemptionPoint);
            }
        }
    }

    private static void requirePreemptionPoints(Preemption preemption) {
        if (!PreemptionPoints.instrumented()) {
            throw new IllegalStateException("Preemption (" + preemption + ") switches tasks at the preemption points "
                    + "the scheduler's test agent puts into the application's classes, and the agent is not there: "
                    + JdkHooks.SWITCH + ".");
        }
        if (preemption.thorough()) {
            PreemptionPoints.requireThoroughPoints();
        }
    }

    // ---------------------------------------------------------------- running tests

    /**
     * Runs {@code body} once with seed 0, then {@link #endTest()}.
     *
     * @param body the test
     * @throws Exception what the body or {@code endTest} threw
     */
    public static void once(Body body) throws Exception {
        withSeed(0, body);
    }

    /**
     * Runs {@code body} once with {@code seed}, then {@link #endTest()}.
     *
     * @param seed the seed
     * @param body the test
     * @throws Exception what the body or {@code endTest} threw
     */
    public static void withSeed(long seed, Body body) throws Exception {
        run(TestSchedulerConfig.withSeed(seed), body);
    }

    /**
     * Runs {@code body} with seeds 0 to {@code iterations - 1}, a fresh scheduler each; see
     * {@link #many(int, TestSchedulerConfig, Body)}.
     *
     * @param iterations how many seeds; at least 1
     * @param body the test
     * @throws AssertionError {@code Failing seed: N}, caused by what the first failing run threw
     * @throws Exception a test abort, as the run threw it
     */
    public static void many(int iterations, Body body) throws Exception {
        many(iterations, TestSchedulerConfig.defaults(), body);
    }

    /**
     * Runs {@code body} once per seed, starting at {@code template.seed()}, each time with a fresh
     * scheduler configured like {@code template}. {@link Seeds#resolve} lets {@code SEED} and
     * {@code ITERATIONS} override the range. The first failure stops the runs: it prints
     * {@code Failing seed: N} and the command that replays it, and throws an {@link AssertionError}
     * whose message starts with the same text and whose cause is what the run threw (see
     * {@link SeedRun#verdict}). A test abort (a failed JUnit assumption) is rethrown as it is.
     *
     * @param iterations how many seeds; at least 1
     * @param template the configuration; its seed is the first seed
     * @param body the test
     * @throws AssertionError {@code Failing seed: N}, caused by what the first failing run threw
     * @throws Exception a test abort, as the run threw it
     */
    public static void many(int iterations, TestSchedulerConfig template, Body body) throws Exception {
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(body, "body");
        SeedRun.many(Seeds.resolve(template.seed(), iterations), template, body);
    }

    /**
     * Runs {@code body} with a fresh scheduler configured by {@code config}, then
     * {@link #endTest()}; if {@code config.checkDeterminism()}, runs it twice and fails unless both
     * runs took the same steps in the same order.
     *
     * @param config the configuration
     * @param body the test
     * @throws Exception what the body or {@code endTest} threw
     */
    public static void run(TestSchedulerConfig config, Body body) throws Exception {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(body, "body");
        SeedRun.run(config, body);
    }

    /**
     * Fails unless two step traces of one seed are identical, naming the first step where they
     * differ.
     *
     * @param seed the seed both runs used
     * @param first the first run's trace
     * @param second the second run's trace
     * @throws AssertionError if the traces differ
     */
    public static void assertSameTrace(long seed, List<String> first, List<String> second) {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(second, "second");
        int length = Math.min(first.size(), second.size());
        for (int i = 0; i < length; i++) {
            if (!first.get(i).equals(second.get(i))) {
                throw new AssertionError("Your test is not deterministic: seed " + seed + " ran a different step "
                        + "at step " + i + " the second time: first run \"" + first.get(i) + "\", second run \""
                        + second.get(i) + "\". Something outside the scheduler (a real thread, the wall clock, "
                        + "hash order of identities, shared static state) influences the order.");
            }
        }
        if (first.size() != second.size()) {
            throw new AssertionError("Your test is not deterministic: seed " + seed + " ran " + first.size()
                    + (first.size() == 1 ? " step" : " steps") + " the first time and " + second.size()
                    + " the second; the first " + length + " agree.");
        }
    }

    // ---------------------------------------------------------------- executors

    /**
     * {@return a new foreground executor on this scheduler: a new session, confined to the
     * scheduler's thread}
     *
     * @throws IllegalStateException if not called on the scheduler's thread
     */
    public ForegroundExecutor foreground() {
        requireSchedulerThread("foreground");
        return new ForegroundExecutor(this, thread);
    }

    /** {@return this scheduler's background executor (one per scheduler)} */
    public synchronized Executor background() {
        if (background == null) {
            background = new Executor(this);
        }
        return background;
    }

    // ---------------------------------------------------------------- Scheduler

    @Override
    public void schedule(Runnable step, TaskMetadata meta) {
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(meta, "meta");
        enqueue(step, meta);
    }

    @Override
    public void scheduleForeground(Runnable step, TaskMetadata meta) {
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(meta, "meta");
        if (meta.session() == null) {
            throw new IllegalArgumentException("meta.session() must name the foreground session of " + meta.describe());
        }
        enqueue(step, meta);
    }

    @Override
    public Cancellable scheduleAfter(Duration delay, Runnable step) {
        Scheduler.requireDelay(delay, "delay");
        Objects.requireNonNull(step, "step");
        requireOpen("a timer");
        long deadline = saturatedAdd(clockNanos, delay.toNanos());
        if (onSchedulerThread()) {
            return timers.add(deadline, step);
        }
        arrivedFromOutside("a timer");
        PendingTimer pending = new PendingTimer(deadline, step);
        inbox.add(pending);
        LockSupport.unpark(thread);
        return pending;
    }

    /**
     * Runs steps until the unparker fires, as {@code blockWithTimeout} does with {@code timeout};
     * see {@link Scheduler#park(Duration)}.
     *
     * @throws IllegalStateException if not called on the scheduler's thread
     */
    @Override
    public boolean park(Duration timeout) {
        Scheduler.requireDelay(timeout, "timeout");
        return drive(null, () -> unparked.getAndSet(false), timeout);
    }

    /**
     * {@return an unparker for this scheduler's thread (the only thread that can park on it)} Firing
     * it from another thread while parking is forbidden counts as non-determinism.
     */
    @Override
    public Unparker unparker() {
        return () -> {
            unparked.set(true);
            if (!onSchedulerThread()) {
                arrivedFromOutside("an unpark");
            }
            LockSupport.unpark(thread);
        };
    }

    /**
     * {@inheritDoc} Here the scheduler's thread <em>drives</em> the simulation until the future is
     * done: when nothing can run it jumps the clock to the next timer; with no timer either, it
     * waits for real threads if parking is allowed, and otherwise throws the "Parking forbidden"
     * report. With a {@code timeout}, it gives up after a number of steps drawn from the timeout tick
     * range, or when the next timer lies beyond {@code timeout} of virtual time, or when nothing can
     * run; never on wall time, unless parking is allowed.
     *
     * @throws IllegalStateException if not called on the scheduler's thread outside any task, or on
     *     a deadlock while parking is forbidden
     */
    @Override
    public boolean block(SessionId session, Future<?> future, Duration timeout) {
        Objects.requireNonNull(future, "future");
        if (timeout != null) {
            Scheduler.requireDelay(timeout, "timeout");
        }
        return drive(session, future::isDone, timeout);
    }

    /** {@return true on the scheduler's thread outside any task, and inside foreground tasks} */
    @Override
    public boolean isMainThread() {
        Task<?> task = Task.current().orElse(null);
        if (task != null) {
            return task.metadata().isForeground() && onSchedulerThread();
        }
        return Thread.currentThread() == thread;
    }

    @Override
    public Instant now() {
        return START.plusNanos(clockNanos);
    }

    /**
     * {@return virtual time in nanoseconds: {@link #NANO_TIME_AT_START} plus the time since
     * {@link #START}} With the test agent, the timed waits inside this scheduler's tasks
     * ({@code Thread.sleep}, {@code BlockingQueue.poll(timeout)}, {@code Condition.await(timeout)},
     * ...) measure this clock, so they last exactly as long as virtual time says.
     */
    @Override
    public long nanoTime() {
        return NANO_TIME_AT_START + clockNanos;
    }

    /** {@return the scheduler's own thread, which runs every step, foreground ones included} */
    @Override
    public Optional<Thread> mainThread() {
        return Optional.of(thread);
    }

    /** {@return the registry of the tasks spawned on this scheduler, which its reports list} */
    @Override
    public Optional<TaskObserver> taskObserver() {
        return Optional.of(diagnostics);
    }

    /**
     * {@return the waiting steps by queue} Read from another thread, the counts may be a step
     * behind: they are for metrics.
     */
    @Override
    public QueueDepths queueDepths() {
        // Racy reads of int counters: never torn, at worst stale, which a metrics snapshot allows.
        return new QueueDepths(runQueue.backgroundCount(), runQueue.foregroundCount(), timers.pending(),
                deprioritizedSteps.size());
    }

    /**
     * {@return whether the application's own clock reads inside this scheduler's tasks read its
     * virtual clock: {@link TestSchedulerConfig#virtualClockReads()}}
     */
    @Override
    public boolean virtualClockReads() {
        return config.virtualClockReads();
    }

    /**
     * {@return whether virtual threads this scheduler's task bodies start, and the default
     * asynchronous work of {@code CompletableFuture} inside them, become tasks of this scheduler:
     * {@link TestSchedulerConfig#adoptThreads()}, with the test agent}
     */
    @Override
    public boolean adoptsThreads() {
        return config.adoptThreads() && JdkHooks.instrumented();
    }

    @Override
    public boolean capturesSpawnSites() {
        return config.capturePendingTraces();
    }

    /** Records the failure; {@link #endTest()} reports it. */
    @Override
    public void reportFailure(Task<?> task, Throwable failure) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(failure, "failure");
        diagnostics.failed(task);
    }

    /** Records the observer's failure; {@link #endTest()} reports it. */
    @Override
    public void reportObserverFailure(TaskObserver observer, Task<?> task, Throwable failure) {
        Objects.requireNonNull(observer, "observer");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(failure, "failure");
        diagnostics.observerFailed(observer, task, failure);
    }

    // ---------------------------------------------------------------- driving

    /**
     * Runs one step: a timer that is due, else a step drawn from the seed, else a deprioritized
     * step.
     *
     * @return whether a step ran
     * @throws IllegalStateException if not called on the scheduler's thread outside any task
     */
    @Override
    public boolean tick() {
        requireSchedulerThread("tick");
        return step();
    }

    /**
     * Runs steps until none can run without time passing.
     *
     * @throws IllegalStateException if not called on the scheduler's thread outside any task
     */
    @Override
    public void runUntilParked() {
        requireSchedulerThread("runUntilParked");
        boolean ran;
        do {
            ran = step();
        } while (ran);
    }

    /**
     * Moves virtual time forward by {@code duration}: runs until parked, then fires every timer due
     * by the new time in deadline order, each at its own deadline followed by everything it lets
     * run, and finally sets the clock to the new time and runs until parked.
     *
     * @param duration how far; zero or positive
     * @throws IllegalArgumentException if {@code duration} is negative or longer than {@link Scheduler#MAX_DELAY}
     * @throws IllegalStateException if not called on the scheduler's thread outside any task
     */
    @Override
    public void advanceClock(Duration duration) {
        Scheduler.requireDelay(duration, "duration");
        requireSchedulerThread("advanceClock");
        long target = saturatedAdd(clockNanos, duration.toNanos());
        runUntilParked();
        for (long next = nextDeadline(); next != TimerHeap.NONE && next <= target; next = nextDeadline()) {
            clockNanos = Math.max(clockNanos, next);
            runUntilParked();
        }
        clockNanos = target;
        runUntilParked();
    }

    /**
     * Lets a random number of other steps run: inside one of this scheduler's task bodies the body
     * yields that many times; on the scheduler's thread the scheduler ticks that many times.
     * Usually 0 or 1; one time in ten, 10 to 19.
     */
    @Override
    public void simulateRandomDelay() {
        int count = rng.nextInt(10) == 0 ? 10 + rng.nextInt(10) : rng.nextInt(2);
        Task<?> task = Task.current().orElse(null);
        if (task != null && onSchedulerThread()) {
            for (int i = 0; i < count; i++) {
                Thread.yield();
            }
            return;
        }
        requireSchedulerThread("simulateRandomDelay");
        for (int i = 0; i < count; i++) {
            if (!step()) {
                return;
            }
        }
    }

    /** The driving loop of {@link #block} and {@link #park}: runs steps until {@code done} holds. */
    private boolean drive(SessionId session, BooleanSupplier done, Duration timeout) {
        requireSchedulerThread("blockOn");
        if (session != null) {
            blockedSessions.add(session);
        }
        try {
            long budget = timeout == null ? Long.MAX_VALUE : drawTimeoutTicks();
            long deadline = timeout == null ? Long.MAX_VALUE : saturatedAdd(clockNanos, timeout.toNanos());
            long wallDeadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
            int clockJumps = 0;
            for (long ticks = 0; ; ticks++) {
                if (done.getAsBoolean()) {
                    return true;
                }
                if (ticks >= budget) {
                    return false;
                }
                if (step()) {
                    continue;
                }
                long next = nextDeadline();
                if (next != TimerHeap.NONE && next <= deadline) {
                    if (++clockJumps > MAX_CLOCK_JUMPS_PER_WAIT && timeout == null) {
                        throw stuck("Livelock: this wait jumped the clock " + MAX_CLOCK_JUMPS_PER_WAIT + " times, to "
                                + now() + ", and the awaited work is still not done: timers keep firing (a periodic "
                                + "job?) but nothing they run completes it (seed " + seed() + ").");
                    }
                    clockNanos = Math.max(clockNanos, next);
                    continue;
                }
                if (!inbox.isEmpty()) {
                    continue;
                }
                if (config.allowParking()) {
                    long remaining = wallDeadline - System.nanoTime();
                    if (remaining <= 0) {
                        return done.getAsBoolean();
                    }
                    LockSupport.parkNanos(this, Math.min(remaining, MAX_REAL_PARK_NANOS));
                    continue;
                }
                if (timeout != null) {
                    return false;
                }
                throw stuck("Parking forbidden: the awaited work cannot finish, because no step can run and no "
                        + "timer is pending (seed " + seed() + ", virtual time " + now() + ").");
            }
        } finally {
            if (session != null) {
                blockedSessions.removeLast();
            }
        }
    }

    // ---------------------------------------------------------------- test hooks

    /**
     * Holds back background tasks with {@code label} spawned from now on: their steps run only when
     * nothing else can.
     *
     * @param label the label
     */
    @Override
    public void deprioritize(TaskLabel label) {
        Objects.requireNonNull(label, "label");
        requireSchedulerThread("deprioritize");
        deprioritized.add(label);
    }

    /**
     * Returns whether the task with {@code id} was spawned on this scheduler and its body has not
     * finished.
     *
     * @param id the task's id
     * @return whether it is still running or waiting to run
     */
    public boolean isTaskRunning(TaskId id) {
        Objects.requireNonNull(id, "id");
        return diagnostics.isTaskRunning(id);
    }

    /** {@return the tasks spawned on this scheduler whose bodies have not finished, oldest first} */
    public List<Task<?>> pendingTasks() {
        return diagnostics.pendingTasks();
    }

    /** Lets the scheduler wait for real threads when nothing can run. */
    public void allowParking() {
        config = config.toBuilder().allowParking(true).build();
    }

    /** Makes "nothing can run" a deadlock again (the default). */
    public void forbidParking() {
        config = config.toBuilder().allowParking(false).build();
    }

    /**
     * Sets how many steps a {@code blockWithTimeout} may run before giving up: a number drawn from
     * {@code min..max} for each wait.
     *
     * @param min the fewest; zero or more
     * @param max the most; at least {@code min}
     * @throws IllegalArgumentException if the range is negative or empty
     */
    public void setTimeoutTicks(int min, int max) {
        config = config.toBuilder().timeoutTicks(min, max).build();
    }

    /** {@return the seeded random generator behind every choice, for tests that need randomness too} */
    public RandomGenerator rng() {
        return rng;
    }

    /** {@return the seed the current run uses} */
    public long seed() {
        return config.seed();
    }

    /**
     * {@return the configuration now: as built, with the seed of the last {@link #reseed} and what
     * {@link #allowParking()}, {@link #forbidParking()} and {@link #setTimeoutTicks} set since}
     */
    public TestSchedulerConfig config() {
        return config;
    }

    /** {@return the thread that runs every step} */
    public Thread thread() {
        return thread;
    }

    /**
     * Starts a new run with {@code seed}: the random generator and the trace restart; the clock,
     * pending work and tasks carry on. For schedulers shared by several tests, such as a cached
     * Spring context.
     *
     * @param seed the seed
     * @throws IllegalStateException if not called on the scheduler's thread
     */
    public void reseed(long seed) {
        requireSchedulerThread("reseed");
        reseedState(seed);
    }

    private void reseedState(long newSeed) {
        config = config.toBuilder().seed(newSeed).build();
        rng = new SplittableRandom(newSeed);
        if (preemptor != null) {
            preemptor.restart(rng);
        }
        trace = config.recordTrace() ? new ArrayList<>() : null;
        diagnostics.restartOrdinals(config.recordTrace());
    }

    /**
     * {@return the switches preemption took since the scheduler was created or reseeded, in order:
     * which task stepped aside at which point (class, method, file and line, and what follows it
     * there), and which ran instead; the first {@value Preemptor#SWITCHES_KEPT}} Empty when preemption
     * is off.
     */
    public List<Preemption.Switch> switches() {
        return preemptor == null ? List.of() : preemptor.switches();
    }

    /** {@return how many switches preemption took since the scheduler was created or reseeded, all of them} */
    public long switchCount() {
        return preemptor == null ? 0 : preemptor.switchCount();
    }

    /**
     * {@return every step run since the scheduler was created or reseeded, when the configuration
     * records a trace: each entry names the task by spawn order and label, or a timer by deadline}
     */
    public List<String> trace() {
        return trace == null ? List.of() : List.copyOf(trace);
    }

    /**
     * Ends a test: runs until parked, then fails if anything arrived from a thread outside the
     * scheduler while parking was forbidden ("Your test is not deterministic"), if a task failed
     * and nobody observed it, or if a {@link TaskObserver} threw. The records are cleared, so the
     * scheduler can serve another test.
     *
     * @throws AssertionError describing what went wrong
     * @throws IllegalStateException if not called on the scheduler's thread outside any task
     */
    public void endTest() {
        requireSchedulerThread("endTest");
        runUntilParked();
        AssertionError failure = diagnostics.endOfTest(seed());
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Stops accepting work: cancels every pending task and lets their bodies unwind (a bounded
     * number of steps), cancels every pending timer task, then rejects every new step with
     * {@link RejectedExecutionException}.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() == thread) {
            for (Task<?> task : pendingTasks()) {
                task.cancel(true);
            }
            // A bounded number of steps lets the cancelled bodies unwind.
            for (int unwound = 0; unwound < CLOSE_STEP_LIMIT; unwound++) {
                if (!step()) {
                    break;
                }
            }
            monitorWaiters.clear();
        }
        closed = true;
        if (preemptor != null) {
            synchronized (PREEMPTING) {
                PREEMPTING.remove(this);
                if (PREEMPTING.isEmpty()) {
                    PreemptionPoints.install(null);
                }
            }
        }
    }

    // ---------------------------------------------------------------- internals

    private boolean step() {
        awaitMonitorHandoffs();
        drainInbox();
        Runnable due = timers.pollDue(clockNanos);
        if (due != null) {
            if (trace != null) {
                record("timer@" + Duration.ofNanos(clockNanos));
            }
            due.run();
            return true;
        }
        Step step = preemptor != null && preemptor.picksSteps() ? preemptor.poll(runQueue, blockedSessions)
                : runQueue.poll(rng, blockedSessions);
        if (step == null) {
            step = deprioritizedSteps.pollFirst();
        }
        if (step == null) {
            return false;
        }
        if (preemptor != null) {
            if (steppedAside != null) {
                preemptor.switched(steppedAside, steppedAsideAt, step.meta());
                steppedAside = null;
            }
            preemptor.running(step.meta());
        }
        if (trace != null) {
            record(diagnostics.traceName(step.meta()));
        }
        TaskMetadata previous = runningStep;
        runningStep = step.meta();
        try {
            step.runnable().run();
        } finally {
            runningStep = previous;
        }
        if (steppingAside != null) {
            // The body yielded at a point: the next draw says who runs instead.
            steppedAside = steppingAside;
            steppedAsideAt = steppingAsideAt;
            steppingAside = null;
        }
        long monitorWaits = JdkHooks.monitorWaits();
        if (monitorWaits != monitorWaitsSeen) {
            monitorWaitsSeen = monitorWaits;
            trackMonitorWaiter(step.meta());
        }
        return true;
    }

    /** The step of {@code meta}'s task has just ended: if its body now waits for a monitor, follow it. */
    private void trackMonitorWaiter(TaskMetadata meta) {
        Task<?> task = diagnostics.task(meta);
        Thread body = task == null ? null : task.thread().orElse(null);
        if (body != null && ThreadWaits.waitsForMonitor(body)) {
            monitorWaiters.put(meta, body);
        }
    }

    /**
     * Before the next step is drawn, waits until the JDK has delivered every monitor hand-off it owes
     * this scheduler's bodies, so that a body a released monitor lets in is in the draw at the same
     * place on every run of a seed. The JDK delivers them on its own unblocker thread; with the test
     * agent, a hand-off is visible from the moment the release picks its next owner (its
     * {@code onWaitingList}) until the unblocker has submitted the continuation (its count of
     * hand-offs in flight).
     */
    private void awaitMonitorHandoffs() {
        if (monitorWaiters.isEmpty()) {
            return;
        }
        long guard = 0;
        for (int spins = 0; ; spins++) {
            drainInbox();
            if (!handoffPending()) {
                return;
            }
            if (spins < 1_000) {
                Thread.onSpinWait();
                continue;
            }
            long now = System.nanoTime();
            if (guard == 0) {
                guard = now + HANDOFF_GUARD_NANOS;
            } else if (now - guard > 0) {
                throw new IllegalStateException("The JDK's VirtualThread-unblocker has not handed a released monitor "
                        + "to its next owner among " + monitorWaiters.keySet().stream().map(TaskMetadata::describe).toList()
                        + " within " + TimeUnit.NANOSECONDS.toSeconds(HANDOFF_GUARD_NANOS) + " s (seed " + seed()
                        + "). Is the monitor shared with a thread outside the scheduler?");
            }
            LockSupport.parkNanos(this, TimeUnit.MICROSECONDS.toNanos(50));
        }
    }

    private boolean handoffPending() {
        // The flag before the count: the unblocker counts a hand-off before it clears the flag.
        for (Thread body : monitorWaiters.values()) {
            if (ThreadWaits.handoffPending(body)) {
                return true;
            }
        }
        return JdkHooks.unblocksInFlight() > 0;
    }

    private long nextDeadline() {
        drainInbox();
        return timers.nextDeadline();
    }

    private void enqueue(Runnable runnable, TaskMetadata meta) {
        requireOpen(meta.describe());
        if (onSchedulerThread()) {
            accept(runnable, meta);
        } else {
            if (!JdkHooks.isUnblocker(Thread.currentThread())) {
                // The unblocker's hand-offs are awaited before every draw (awaitMonitorHandoffs).
                arrivedFromOutside("a step of " + meta.describe());
            }
            inbox.add(new Step(runnable, meta));
            LockSupport.unpark(thread);
        }
    }

    private void accept(Runnable runnable, TaskMetadata meta) {
        if (!monitorWaiters.isEmpty()) {
            monitorWaiters.remove(meta);
        }
        if (meta == steppingAside && meta.session() != null) {
            runQueue.addFirst(runnable, meta);
            return;
        }
        if (!deprioritized.isEmpty() && meta.session() == null && meta.label() != null
                && deprioritized.contains(meta.label())) {
            deprioritizedSteps.addLast(new Step(runnable, meta));
        } else {
            runQueue.add(runnable, meta);
        }
    }

    private void drainInbox() {
        for (Object arrival = inbox.poll(); arrival != null; arrival = inbox.poll()) {
            if (arrival instanceof Step step) {
                accept(step.runnable(), step.meta());
            } else {
                ((PendingTimer) arrival).arrive();
            }
        }
    }

    private long drawTimeoutTicks() {
        TestSchedulerConfig current = config;
        return current.timeoutTicksMin() == current.timeoutTicksMax() ? current.timeoutTicksMin()
                : rng.nextLong(current.timeoutTicksMin(), (long) current.timeoutTicksMax() + 1);
    }

    /**
     * A preemption point, reached on some thread: if it is the body of a task whose step one of the
     * preempting schedulers runs right now, that scheduler's strategy decides whether it steps aside.
     */
    private static void preemptionPoint(int site) {
        if (!Thread.currentThread().isVirtual()) {
            return;
        }
        for (TestScheduler scheduler : PREEMPTING) {
            if (scheduler.runningStep != null && scheduler.onSchedulerThread()) {
                scheduler.stepAsideIfDrawn(site);
                return;
            }
        }
    }

    /**
     * The body of the task whose step runs reached point {@code site}: if the strategy says so, it
     * yields, so that its continuation goes back into the run queue and the next draw decides who
     * runs. A foreground task goes back to the head of its session (see {@link #accept}): only other
     * sessions and background tasks may run in between, as on a real confined thread.
     */
    private void stepAsideIfDrawn(int site) {
        TaskMetadata running = runningStep;
        if (closed || steppingAside != null || !preemptor.stepsAside(running, site, runQueue, blockedSessions)) {
            return;
        }
        steppingAside = running;
        steppingAsideAt = site;
        Thread.yield();
        if (steppingAside == running) {
            steppingAside = null; // the body could not unmount (a native frame): it went on in the same step
        }
    }

    private boolean onSchedulerThread() {
        Thread current = Thread.currentThread();
        if (current == thread) {
            return true;
        }
        TaskMetadata running = runningStep;
        if (running == null || !current.isVirtual()) {
            return false;
        }
        // Only the body of the task whose step runs now can be mounted on our thread; a foreign
        // virtual thread may carry that task's context (a forked subtask), but not its thread.
        Task<?> task = Task.current().orElse(null);
        return task != null && task.metadata() == running && task.thread().orElse(null) == current;
    }

    private void requireSchedulerThread(String operation) {
        if (Thread.currentThread() == thread) {
            return;
        }
        Task<?> task = Task.current().orElse(null);
        String caller = task != null && onSchedulerThread()
                ? "the body of " + task.metadata().describe() + ", and a task body cannot drive its own scheduler"
                : "thread \"" + Thread.currentThread().getName() + "\"";
        throw new IllegalStateException("TestScheduler." + operation + "() must be called on the scheduler's thread \""
                + thread.getName() + "\" outside any task, but was called from " + caller);
    }

    private void requireOpen(String what) {
        if (closed) {
            throw new RejectedExecutionException("TestScheduler (seed " + seed() + ") is closed and cannot accept " + what);
        }
    }

    private void arrivedFromOutside(String what) {
        if (!config.allowParking()) {
            diagnostics.arrivedFromOutside(what);
        }
    }

    private void record(String entry) {
        if (trace != null && trace.size() < TRACE_LIMIT) {
            trace.add(entry);
        }
    }

    /** A wait that can never end: the headline, then every pending task and where it is parked. */
    private IllegalStateException stuck(String headline) {
        return diagnostics.stuck(headline, blockedSessions, config.capturePendingTraces());
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    @Override
    public String toString() {
        return "TestScheduler[seed=" + seed() + ", now=" + now() + ", thread=\"" + thread.getName() + "\"]";
    }

    /**
     * A timer handed in from another thread: cancellable at once, and added to the heap when the
     * scheduler's thread drains its inbox (unless it was cancelled by then).
     */
    private final class PendingTimer implements Cancellable {

        private final long deadline;
        private Runnable step;
        private Cancellable inHeap;
        private boolean cancelled;

        PendingTimer(long deadline, Runnable step) {
            this.deadline = deadline;
            this.step = step;
        }

        synchronized void arrive() {
            if (!cancelled) {
                inHeap = timers.add(deadline, step);
                step = null;
            }
        }

        @Override
        public synchronized boolean cancel() {
            if (cancelled) {
                return false;
            }
            if (inHeap != null) {
                cancelled = inHeap.cancel();
                return cancelled;
            }
            cancelled = true;
            step = null;
            return true;
        }
    }
}
