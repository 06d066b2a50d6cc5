package dev.scheduler.test;

import dev.scheduler.Cancellable;
import dev.scheduler.Executor;
import dev.scheduler.ForegroundExecutor;
import dev.scheduler.QueueDepths;
import dev.scheduler.Scheduler;
import dev.scheduler.SessionId;
import dev.scheduler.Task;
import dev.scheduler.TaskId;
import dev.scheduler.TaskLabel;
import dev.scheduler.TaskMetadata;
import dev.scheduler.TaskObserver;
import dev.scheduler.Unparker;
import dev.scheduler.test.RunQueue.Step;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
 *       listing every pending task: label, id, spawn site and the stack where it is parked. A wait
 *       that only ever finds timers to fire (a periodic job's) fails the same way as a livelock
 *       after {@value #MAX_CLOCK_JUMPS_PER_WAIT} jumps of the clock.
 *   <li><b>Non-determinism.</b> A step or wake-up that arrives from a thread outside the scheduler
 *       while parking is forbidden (a real thread, {@code Thread.sleep} inside a task, a JDK timer)
 *       is accepted, so nothing is lost, and makes {@link #endTest()} fail with
 *       "Your test is not deterministic" and the thread and stack it came from.
 *   <li><b>Failures.</b> A task that fails when nobody observes its outcome (a detached task, or
 *       one never joined) makes {@link #endTest()} fail, naming the task.
 * </ul>
 */
/*
 * Implementation Overview
 * =======================
 *
 * All state is confined to the scheduler's thread except: the inbox (steps, timers and wake-ups
 * from other threads, drained at every step), the list of non-deterministic arrivals, the live-task
 * map (executors may spawn from any thread) and the queue-depth counters (read by metrics).
 *
 * "On the scheduler's thread" means the scheduler's own platform thread, or the virtual thread of
 * the task whose step it is running right now (runningStep). A virtual thread submitting its own
 * continuation after it unmounts does so on the carrier, which is the scheduler's thread.
 *
 * Timers sit in a heap ordered by (deadline, sequence). Cancelled timers are dropped lazily when
 * they reach the top, and the heap is compacted when they make up most of it.
 */
public final class TestScheduler implements Scheduler, AutoCloseable {

    /** The instant virtual time starts at: 2025-01-01T00:00:00Z. */
    public static final Instant START = Instant.parse("2025-01-01T00:00:00Z");

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

    private static final int TRACE_LIMIT = 1 << 20;
    private static final long MAX_REAL_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /**
     * How often one untimed wait may jump the clock to the next timer before it is reported as a
     * livelock: a periodic job always has a timer pending, so time could otherwise run forever.
     */
    public static final int MAX_CLOCK_JUMPS_PER_WAIT = 100_000;
    private static final int CLOSE_STEP_LIMIT = 100_000;

    private final Thread thread;
    private final TestSchedulerConfig config;
    private final RunQueue runQueue;
    private final ArrayDeque<Step> deprioritizedSteps = new ArrayDeque<>();
    private final Set<TaskLabel> deprioritized = new HashSet<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final ConcurrentLinkedQueue<Object> inbox = new ConcurrentLinkedQueue<>();
    private final List<Throwable> outsideArrivals = Collections.synchronizedList(new ArrayList<>());
    private final List<Throwable> observerFailures = Collections.synchronizedList(new ArrayList<>());
    // An identity set (open addressing): no node object per task, and no neighbours to touch when
    // tasks finish in random order. Reports sort by id, which is spawn order.
    private final Set<Task<?>> live = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Set<Task<?>> failed = new LinkedHashSet<>();
    private final List<SessionId> blockedSessions = new ArrayList<>();
    private final AtomicBoolean unparked = new AtomicBoolean();
    private final TaskObserver observer = new LiveTasks();

    private RandomGenerator rng;
    private long seed;
    private boolean allowParking;
    private int timeoutTicksMin;
    private int timeoutTicksMax;
    private long timerSequence;
    private final AtomicInteger cancelledTimers = new AtomicInteger();
    private List<String> trace;
    private Map<TaskId, Integer> ordinals;
    private int spawned;
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
     */
    public TestScheduler(TestSchedulerConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.thread = Thread.currentThread();
        this.runQueue = new RunQueue(config.randomizeOrder());
        this.allowParking = config.allowParking();
        this.timeoutTicksMin = config.timeoutTicksMin();
        this.timeoutTicksMax = config.timeoutTicksMax();
        reseedState(config.seed());
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
     * {@link Seeds#failingSeed}). A test abort (a failed JUnit assumption) is rethrown as it is.
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
        Seeds seeds = Seeds.resolve(template.seed(), iterations);
        for (long seed : seeds.stream().toArray()) {
            try {
                run(template.toBuilder().seed(seed).build(), body);
            } catch (Exception | Error failure) {
                if (Seeds.isTestAbort(failure)) {
                    throw failure;
                }
                StackWalker.StackFrame caller = StackWalker.getInstance()
                        .walk(frames -> frames.filter(frame -> !frame.getClassName().equals(TestScheduler.class.getName()))
                                .findFirst().orElse(null));
                String testClass = caller == null ? null : caller.getClassName();
                String testMethod = caller == null ? null : testMethodOf(caller);
                // Printed too, so the seed reaches the build log even if a caller catches or rewraps the error.
                System.err.println(Seeds.failureMessage(seed, testClass, testMethod));
                throw Seeds.failingSeed(seed, testClass, testMethod, failure);
            }
        }
    }

    /** The test method a frame belongs to: for a lambda {@code lambda$name$0}, the method it is in. */
    private static String testMethodOf(StackWalker.StackFrame frame) {
        String name = frame.getMethodName();
        if (name.startsWith("lambda$")) {
            int end = name.indexOf('$', "lambda$".length());
            return end < 0 ? name : name.substring("lambda$".length(), end);
        }
        return name;
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
        if (!config.checkDeterminism()) {
            runOnce(config, body);
            return;
        }
        TestSchedulerConfig traced = config.toBuilder().recordTrace(true).build();
        List<String> first = runOnce(traced, body);
        List<String> second = runOnce(traced, body);
        assertSameTrace(config.seed(), first, second);
    }

    private static List<String> runOnce(TestSchedulerConfig config, Body body) throws Exception {
        try (TestScheduler scheduler = new TestScheduler(config)) {
            try {
                body.run(scheduler);
            } catch (Exception | Error failure) {
                try {
                    scheduler.endTest();
                } catch (RuntimeException | Error more) {
                    failure.addSuppressed(more);
                }
                throw failure;
            }
            scheduler.endTest();
            return scheduler.trace();
        }
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
        Timer timer = new Timer(saturatedAdd(clockNanos, delay.toNanos()), step);
        if (onSchedulerThread()) {
            acceptTimer(timer);
        } else {
            arrivedFromOutside("a timer");
            inbox.add(timer);
            LockSupport.unpark(thread);
        }
        return timer;
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
        return block(null, () -> unparked.getAndSet(false), timeout);
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

    /** {@return the scheduler's own thread, which runs every step, foreground ones included} */
    @Override
    public Optional<Thread> mainThread() {
        return Optional.of(thread);
    }

    @Override
    public <T> Optional<T> as(Class<T> type) {
        if (type == TaskObserver.class) {
            return Optional.of(type.cast(observer));
        }
        return Scheduler.super.as(type);
    }

    /**
     * {@return the waiting steps by queue} Read from another thread, the counts may be a step
     * behind: they are for metrics.
     */
    @Override
    public QueueDepths queueDepths() {
        // Racy reads of int counters: never torn, at worst stale, which a metrics snapshot allows.
        return new QueueDepths(runQueue.backgroundCount(), runQueue.foregroundCount(),
                Math.max(0, timers.size() - cancelledTimers.get()), deprioritizedSteps.size());
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
        synchronized (live) {
            failed.add(task);
        }
    }

    /** Records the observer's failure; {@link #endTest()} reports it. */
    @Override
    public void reportObserverFailure(TaskObserver observer, Task<?> task, Throwable failure) {
        Objects.requireNonNull(observer, "observer");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(failure, "failure");
        observerFailures.add(new IllegalStateException("TaskObserver " + observer + " failed while it was told about "
                + task.metadata().describe(), failure));
    }

    // ---------------------------------------------------------------- driving

    /**
     * Runs one step: a timer that is due, else a step drawn from the seed, else a deprioritized
     * step.
     *
     * @return whether a step ran
     * @throws IllegalStateException if not called on the scheduler's thread outside any task
     */
    public boolean tick() {
        requireSchedulerThread("tick");
        return step();
    }

    /**
     * Runs steps until none can run without time passing.
     *
     * @throws IllegalStateException if not called on the scheduler's thread outside any task
     */
    public void runUntilParked() {
        requireSchedulerThread("runUntilParked");
        while (step()) {
            // keep going
        }
    }

    /**
     * Moves virtual time forward by {@code duration}: runs until parked, then fires every timer due
     * by the new time in deadline order, each at its own deadline followed by everything it lets
     * run, and finally sets the clock to the new time and runs until parked.
     *
     * @param duration how far; zero or positive
     * @throws IllegalArgumentException if {@code duration} is negative
     * @throws IllegalStateException if not called on the scheduler's thread outside any task
     */
    public void advanceClock(Duration duration) {
        Scheduler.requireDelay(duration, "duration");
        requireSchedulerThread("advanceClock");
        long target = saturatedAdd(clockNanos, duration.toNanos());
        runUntilParked();
        for (Timer next = nextTimer(); next != null && next.deadline <= target; next = nextTimer()) {
            clockNanos = Math.max(clockNanos, next.deadline);
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
        for (int i = 0; i < count && step(); i++) {
            // tick
        }
    }

    /**
     * Runs steps until {@code done} holds, on behalf of {@code blockOn} and {@code join} called on
     * the scheduler's thread. When nothing can run it jumps the clock to the next timer; with no
     * timer either, it waits for real threads if parking is allowed, and otherwise throws the
     * "Parking forbidden" report.
     *
     * <p>With a {@code timeout}, it gives up after a number of steps drawn from the timeout tick
     * range, or when the next timer lies beyond {@code timeout} of virtual time, or when nothing
     * can run; never on wall time, unless parking is allowed.
     *
     * @param session the foreground session that is blocking, whose own steps must not run, or null
     * @param done whether the awaited work is done
     * @param timeout the longest to wait, or null for no limit
     * @return whether {@code done} holds
     * @throws IllegalStateException if not called on the scheduler's thread outside any task, or on
     *     a deadlock while parking is forbidden
     */
    public boolean block(SessionId session, BooleanSupplier done, Duration timeout) {
        Objects.requireNonNull(done, "done");
        if (timeout != null) {
            Scheduler.requireDelay(timeout, "timeout");
        }
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
                Timer next = nextTimer();
                if (next != null && next.deadline <= deadline) {
                    if (++clockJumps > MAX_CLOCK_JUMPS_PER_WAIT && timeout == null) {
                        throw stuck("Livelock: this wait jumped the clock " + MAX_CLOCK_JUMPS_PER_WAIT + " times, to "
                                + now() + ", and the awaited work is still not done: timers keep firing (a periodic "
                                + "job?) but nothing they run completes it (seed " + seed + ").");
                    }
                    clockNanos = Math.max(clockNanos, next.deadline);
                    continue;
                }
                if (!inbox.isEmpty()) {
                    continue;
                }
                if (allowParking) {
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
                        + "timer is pending (seed " + seed + ", virtual time " + now() + ").");
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
    public void deprioritize(TaskLabel label) {
        Objects.requireNonNull(label, "label");
        requireSchedulerThread("deprioritize");
        deprioritized.add(label);
    }

    /**
     * Returns whether the task with {@code id} was spawned on this scheduler and its body has not
     * finished. It looks through the pending tasks, so it costs time in their number.
     *
     * @param id the task's id
     * @return whether it is still running or waiting to run
     */
    public boolean isTaskRunning(TaskId id) {
        Objects.requireNonNull(id, "id");
        synchronized (live) {
            for (Task<?> task : live) {
                if (task.id().equals(id)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** {@return the tasks spawned on this scheduler whose bodies have not finished, oldest first} */
    public List<Task<?>> pendingTasks() {
        List<Task<?>> pending;
        synchronized (live) {
            pending = new ArrayList<>(live);
        }
        pending.sort(Comparator.comparing(Task::id));
        return List.copyOf(pending);
    }

    /** Lets the scheduler wait for real threads when nothing can run. */
    public void allowParking() {
        allowParking = true;
    }

    /** Makes "nothing can run" a deadlock again (the default). */
    public void forbidParking() {
        allowParking = false;
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
        TestSchedulerConfig.requireTickRange(min, max);
        timeoutTicksMin = min;
        timeoutTicksMax = max;
    }

    /** {@return the seeded random generator behind every choice, for tests that need randomness too} */
    public RandomGenerator rng() {
        return rng;
    }

    /** {@return the seed the current run uses} */
    public long seed() {
        return seed;
    }

    /** {@return the configuration the scheduler was built with} */
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
        this.seed = newSeed;
        this.rng = new SplittableRandom(newSeed);
        this.trace = config.recordTrace() ? new ArrayList<>() : null;
        synchronized (live) {
            this.ordinals = config.recordTrace() ? new HashMap<>() : null;
            this.spawned = 0;
        }
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
        AssertionError failure = null;
        for (AssertionError found : new AssertionError[] {nondeterminismFailure(), unobservedFailures(), observerFailure()}) {
            if (failure == null) {
                failure = found;
            } else if (found != null) {
                failure.addSuppressed(found);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private AssertionError nondeterminismFailure() {
        List<Throwable> arrivals;
        synchronized (outsideArrivals) {
            arrivals = List.copyOf(outsideArrivals);
            outsideArrivals.clear();
        }
        if (arrivals.isEmpty()) {
            return null;
        }
        AssertionError error = new AssertionError("Your test is not deterministic: " + arrivals.size()
                + (arrivals.size() == 1 ? " wake-up" : " wake-ups") + " came from outside the TestScheduler (seed "
                + seed + ") while parking was forbidden. The first: " + arrivals.getFirst().getMessage()
                + ". Its stack is the cause below. Use executor.timer(...) instead of Thread.sleep, and keep real "
                + "threads out of the test, or call allowParking() if the test really waits for them.",
                arrivals.getFirst());
        arrivals.stream().skip(1).forEach(error::addSuppressed);
        return error;
    }

    private AssertionError observerFailure() {
        List<Throwable> failures;
        synchronized (observerFailures) {
            failures = List.copyOf(observerFailures);
            observerFailures.clear();
        }
        if (failures.isEmpty()) {
            return null;
        }
        AssertionError error = new AssertionError(failures.size() + (failures.size() == 1 ? " task observer" : " task observers")
                + " failed (seed " + seed + "). The first: " + failures.getFirst().getMessage() + ".", failures.getFirst());
        failures.stream().skip(1).forEach(error::addSuppressed);
        return error;
    }

    private AssertionError unobservedFailures() {
        List<Task<?>> unobserved = new ArrayList<>();
        synchronized (live) {
            for (Task<?> task : failed) {
                if (task.isDetached() || !task.isObserved()) {
                    unobserved.add(task);
                }
            }
            failed.clear();
        }
        if (unobserved.isEmpty()) {
            return null;
        }
        StringBuilder message = new StringBuilder().append(unobserved.size())
                .append(unobserved.size() == 1 ? " task" : " tasks")
                .append(" failed and nobody joined or handled the failure (seed ").append(seed).append("):");
        for (Task<?> task : unobserved) {
            message.append(System.lineSeparator()).append("  ").append(task.metadata().describe())
                    .append(task.isDetached() ? " (detached)" : "").append(" failed with ")
                    .append(task.exceptionNow()).append(spawnedAt(task.metadata()));
        }
        AssertionError error = new AssertionError(message.toString(), unobserved.getFirst().exceptionNow());
        unobserved.stream().skip(1).forEach(task -> error.addSuppressed(task.exceptionNow()));
        return error;
    }

    /**
     * Stops accepting work: cancels every pending task and lets their bodies unwind (a bounded
     * number of steps), then rejects every new step with {@link RejectedExecutionException}.
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
            for (int i = 0; i < CLOSE_STEP_LIMIT && step(); i++) {
                // let cancelled bodies unwind
            }
        }
        closed = true;
    }

    // ---------------------------------------------------------------- internals

    private boolean step() {
        drainInbox();
        Timer due = pollDueTimer();
        if (due != null) {
            if (trace != null) {
                record("timer@" + Duration.ofNanos(due.deadline));
            }
            due.step.run();
            return true;
        }
        Step step = runQueue.poll(rng, blockedSessions);
        if (step == null) {
            step = deprioritizedSteps.pollFirst();
        }
        if (step == null) {
            return false;
        }
        if (trace != null) {
            record(traceName(step.meta()));
        }
        TaskMetadata previous = runningStep;
        runningStep = step.meta();
        try {
            step.runnable().run();
        } finally {
            runningStep = previous;
        }
        return true;
    }

    private void enqueue(Runnable runnable, TaskMetadata meta) {
        requireOpen(meta.describe());
        if (onSchedulerThread()) {
            accept(runnable, meta);
        } else {
            arrivedFromOutside("a step of " + meta.describe());
            inbox.add(new Step(runnable, meta));
            LockSupport.unpark(thread);
        }
    }

    private void accept(Runnable runnable, TaskMetadata meta) {
        if (!deprioritized.isEmpty() && meta.session() == null && meta.label() != null
                && deprioritized.contains(meta.label())) {
            deprioritizedSteps.addLast(new Step(runnable, meta));
        } else {
            runQueue.add(runnable, meta);
        }
    }

    private void acceptTimer(Timer timer) {
        timer.sequence = timerSequence++;
        timers.add(timer);
    }

    private void drainInbox() {
        for (Object arrival = inbox.poll(); arrival != null; arrival = inbox.poll()) {
            if (arrival instanceof Step step) {
                accept(step.runnable(), step.meta());
            } else {
                acceptTimer((Timer) arrival);
            }
        }
    }

    private Timer nextTimer() {
        Timer head = timers.peek();
        while (head != null && head.isCancelled()) {
            timers.poll();
            cancelledTimers.decrementAndGet();
            head = timers.peek();
        }
        return head;
    }

    private Timer pollDueTimer() {
        for (Timer head = nextTimer(); head != null && head.deadline <= clockNanos; head = nextTimer()) {
            timers.poll();
            if (head.fire()) {
                return head;
            }
        }
        return null;
    }

    private void timerCancelled() {
        cancelledTimers.incrementAndGet();
        // Only the scheduler's thread touches the heap; other threads leave the entry for nextTimer().
        int cancelled = cancelledTimers.get();
        if (cancelled > 64 && cancelled > timers.size() / 2 && onSchedulerThread()) {
            int before = timers.size();
            timers.removeIf(Timer::isCancelled);
            cancelledTimers.addAndGet(timers.size() - before);
        }
    }

    private long drawTimeoutTicks() {
        return timeoutTicksMin == timeoutTicksMax ? timeoutTicksMin
                : rng.nextLong(timeoutTicksMin, (long) timeoutTicksMax + 1);
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
            throw new RejectedExecutionException("TestScheduler (seed " + seed + ") is closed and cannot accept " + what);
        }
    }

    private void arrivedFromOutside(String what) {
        if (!allowParking) {
            outsideArrivals.add(new OutsideArrival(what + " from thread \"" + Thread.currentThread().getName() + "\""));
        }
    }

    private void record(String entry) {
        if (trace != null && trace.size() < TRACE_LIMIT) {
            trace.add(entry);
        }
    }

    private String traceName(TaskMetadata meta) {
        Integer ordinal;
        synchronized (live) {
            ordinal = ordinals == null ? null : ordinals.get(meta.id());
        }
        String name = ordinal == null ? "task ?" : "task " + ordinal;
        String where = meta.isForeground() ? " fg" : "";
        return meta.label() == null ? name + where : name + " \"" + meta.label() + "\"" + where;
    }

    /** A wait that can never end: the headline, then every pending task and where it is parked. */
    private IllegalStateException stuck(String headline) {
        String lineBreak = System.lineSeparator();
        StringBuilder out = new StringBuilder(headline);
        List<Task<?>> pending = pendingTasks();
        if (pending.isEmpty()) {
            out.append(" No task is pending, so nothing this scheduler runs will ever complete it.");
        } else {
            out.append(' ').append(pending.size()).append(pending.size() == 1 ? " task is" : " tasks are")
                    .append(" pending:");
            for (Task<?> task : pending) {
                out.append(lineBreak).append("  ").append(task.dump().replace(lineBreak, lineBreak + "  "));
            }
        }
        if (!blockedSessions.isEmpty()) {
            out.append(lineBreak).append("Foreground sessions inside blockOn, whose own steps cannot run until it returns: ")
                    .append(blockedSessions).append('.');
        }
        out.append(lineBreak).append("If the test really waits for other threads or I/O, call allowParking().");
        if (!config.capturePendingTraces()) {
            out.append(" Spawn sites were not recorded: build the scheduler with capturePendingTraces(true).");
        }
        return new IllegalStateException(out.toString());
    }

    private static String spawnedAt(TaskMetadata meta) {
        return meta.spawnSite() == null ? "" : ", spawned at " + meta.spawnSite();
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    @Override
    public String toString() {
        return "TestScheduler[seed=" + seed + ", now=" + now() + ", thread=\"" + thread.getName() + "\"]";
    }

    /** Tracks the tasks spawned on this scheduler until their bodies finish. */
    private final class LiveTasks implements TaskObserver {

        @Override
        public void taskSpawned(Task<?> task) {
            synchronized (live) {
                live.add(task);
                if (ordinals != null) {
                    ordinals.put(task.id(), ++spawned);
                }
            }
        }

        @Override
        public void taskFinished(Task<?> task, Future.State outcome) {
            synchronized (live) {
                live.remove(task);
                if (outcome == Future.State.FAILED) {
                    failed.add(task);
                }
            }
        }
    }

    /** A step or timer waiting for its deadline; cancellable from any thread. */
    private final class Timer implements Cancellable, Comparable<Timer> {

        private static final VarHandle STATE;
        private static final int PENDING = 0;
        private static final int FIRED = 1;
        private static final int CANCELLED = 2;

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(Timer.class, "state", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final long deadline;
        final Runnable step;
        long sequence;
        @SuppressWarnings("unused") // through STATE
        private volatile int state;

        Timer(long deadline, Runnable step) {
            this.deadline = deadline;
            this.step = step;
        }

        boolean fire() {
            return STATE.compareAndSet(this, PENDING, FIRED);
        }

        boolean isCancelled() {
            return state == CANCELLED;
        }

        @Override
        public boolean cancel() {
            if (!STATE.compareAndSet(this, PENDING, CANCELLED)) {
                return false;
            }
            timerCancelled();
            return true;
        }

        @Override
        public int compareTo(Timer other) {
            int byDeadline = Long.compare(deadline, other.deadline);
            return byDeadline != 0 ? byDeadline : Long.compare(sequence, other.sequence);
        }
    }

    /** Where a wake-up from outside the scheduler came from: its stack is the arrival's stack. */
    private static final class OutsideArrival extends RuntimeException {

        OutsideArrival(String message) {
            super(message);
        }
    }
}
