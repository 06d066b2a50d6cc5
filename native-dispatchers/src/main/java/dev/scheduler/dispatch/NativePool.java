package dev.scheduler.dispatch;

import dev.scheduler.Cancellable;
import dev.scheduler.Priority;
import dev.scheduler.Step;
import dev.scheduler.TaskMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntUnaryOperator;
import java.util.function.Predicate;

/**
 * Background steps and timers on an operating system's thread pool (through a {@link PoolBinding}),
 * and, where the system has one, its main queue: the Java logic of the macOS and Windows
 * dispatchers.
 */
/*
 * Implementation Overview
 * =======================
 *
 * Contexts: native code cannot hold Java objects, so what the system calls back for is registered
 * under an integer context, and the context is what the binding hands to the system. Every callback
 * comes back through one static trampoline, run(context), which looks the context up. A context is
 * released exactly once, by whoever removes it from CONTEXTS first: the callback, a cancel, or a
 * shutdown that drops it. A callback that finds its context gone does nothing; contexts are never
 * reused, so a late callback can never run someone else's step.
 *
 * Background steps keep the Priority contract (a 60/30/10 draw in which no level starves) on pools
 * that do not: Windows runs higher callback priorities strictly first, GCD schedules by quality of
 * service. Each step goes into a PriorityQueues and one work item goes to the system, at the QoS or
 * callback priority of the step's level, for the pool's single drain context. Whatever work item
 * runs draws from the queues by weight and drains them until empty, so every step runs, in the
 * order the weights give, even if the system ran the work items in another order, and a work item
 * the system refused costs no step.
 *
 * Timers: registration and arming happen under the timer's lock, and so do re-arming and release,
 * so a cancel or a shutdown that races scheduleAt waits until the native timer exists and releases
 * that, never a NULL handle, and never leaves an armed timer behind an entry already released.
 * Timers never fire early: a callback before the deadline re-arms for the rest. The native release
 * itself runs outside the lock: a Windows cancel waits for a callback in flight, which may want it.
 *
 * The system's threads: upcalls arrive on threads the JVM attaches for them (daemon "Thread-N",
 * no context class loader). While one runs a step or a timer of ours it carries the dispatcher's
 * name and its creator's context class loader, as the Linux workers do, so that code relying on the
 * class loader (ServiceLoader, Spring Boot's jar launcher) works the same everywhere; both are put
 * back afterwards. The main queue's thread is the application's own main thread and is left alone.
 *
 * Failures: an exception escaping an upcall ends the JVM, so run() catches everything. What a step
 * throws goes to the dispatcher's handler (Admission.run); what escapes even that is logged, and if
 * logging throws too, the failure is only counted (LOST_FAILURES), which allocates nothing.
 *
 * JVM exit: the JVM cannot attach a thread once it is shutting down, so a callback that arrives
 * then would abort the process. A shutdown hook (beforeExit) stops every pool taking new work,
 * cancels every pending timer natively (Windows waits for callbacks in flight), and waits a moment
 * for the work items already handed to the system to call back; each that does finds its step
 * dropped or runs it quickly. Work items the system still holds after that wait are the residual
 * risk, documented in the README.
 */
final class NativePool implements Lane, Lane.Timers {

    private static final Map<Long, Entry> CONTEXTS = new ConcurrentHashMap<>();
    private static final AtomicLong NEXT_CONTEXT = new AtomicLong();
    private static final AtomicLong LOST_FAILURES = new AtomicLong();
    private static final Set<NativePool> POOLS = ConcurrentHashMap.newKeySet();
    /** How long the shutdown hook waits for work items already handed to the system. */
    static final Duration EXIT_WAIT = Duration.ofSeconds(1);
    private static final IntUnaryOperator RANDOM = bound -> ThreadLocalRandom.current().nextInt(bound);

    static {
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("scheduler-native-exit").unstarted(() -> {
            for (NativePool pool : POOLS) {
                pool.beforeExit(EXIT_WAIT);
            }
        }));
    }

    private final PoolBinding binding;
    private final Admission admission;
    private final Thread.UncaughtExceptionHandler failures;
    private final ClassLoader contextClassLoader;
    private final String threadName;
    private final PriorityQueues background = new PriorityQueues();
    private final long drainContext;
    private final LongAdder queuedMain = new LongAdder();
    private final LongAdder pendingTimers = new LongAdder();
    /** Work items handed to the system whose callback has not started yet. */
    private final AtomicLong outstanding = new AtomicLong();
    private final Lane mainQueue = new MainQueue();
    private final Set<Long> runningTasks = ConcurrentHashMap.newKeySet();
    private volatile boolean exiting;
    private volatile Thread mainThread;
    /** Runs once a timer is registered, before it is armed: a test can hold it there. */
    volatile Runnable afterRegistration = () -> { };

    /**
     * A pool on {@code binding}. The calling thread's context class loader is the one the system's
     * threads carry while they run this pool's steps; {@code threadName} is the name they carry.
     */
    NativePool(PoolBinding binding, Admission admission, Thread.UncaughtExceptionHandler failures, String threadName) {
        this.binding = binding;
        this.admission = admission;
        this.failures = failures;
        this.threadName = threadName;
        this.contextClassLoader = Thread.currentThread().getContextClassLoader();
        this.drainContext = register(new DrainEntry(this));
        if (binding.hasMainQueue() && binding.isMainThread()) {
            mainThread = Thread.currentThread();
        }
        POOLS.add(this);
    }

    /** What a context stands for. */
    private sealed interface Entry permits DrainEntry, StepEntry, TimerEntry {
        NativePool pool();
    }

    /** The pool's one background context: a work item that drains the priority queues. */
    private record DrainEntry(NativePool pool) implements Entry {
    }

    /** A step on the main queue, which runs steps in the order they were given. */
    private record StepEntry(NativePool pool, Step step) implements Entry {
    }

    // ---------------------------------------------------------------- the trampoline

    /**
     * Runs what {@code context} stands for, if it is still registered. The binding's upcall calls
     * this; it never throws, since an exception escaping an upcall would end the JVM.
     *
     * @param context the context given to the binding
     */
    static void run(long context) {
        try {
            Entry entry = CONTEXTS.get(context);
            if (entry != null) {
                entry.pool().callback(context, entry);
            }
        } catch (Throwable failure) {
            try {
                // Only a failure of our own bookkeeping, or of a handler that threw, reaches here.
                DispatcherOptions.LOG_FAILURES.uncaughtException(Thread.currentThread(), failure);
            } catch (Throwable lost) {
                LOST_FAILURES.incrementAndGet();
            }
        }
    }

    /** {@return how many failures escaped even the log, across every pool, since the JVM started} */
    static long lostFailures() {
        return LOST_FAILURES.get();
    }

    /** {@return how many contexts are registered, across every pool} */
    static int liveContexts() {
        return CONTEXTS.size();
    }

    private static long register(Entry entry) {
        long context = NEXT_CONTEXT.incrementAndGet();
        CONTEXTS.put(context, entry);
        return context;
    }

    private void callback(long context, Entry entry) {
        if (entry instanceof StepEntry step) {
            outstanding.decrementAndGet();
            runMainStep(context, step);
            return;
        }
        Thread thread = Thread.currentThread();
        ClassLoader loader = thread.getContextClassLoader();
        String name = thread.getName();
        boolean rename = !threadName.equals(name);
        thread.setContextClassLoader(contextClassLoader);
        if (rename) {
            thread.setName(threadName);
        }
        try {
            if (entry instanceof TimerEntry timer) {
                timer.fire();
            } else {
                outstanding.decrementAndGet();
                drain();
            }
        } finally {
            thread.setContextClassLoader(loader);
            if (rename) {
                thread.setName(name);
            }
        }
    }

    /** A work item's body: runs queued steps, drawn by weight, until none is left. */
    private void drain() {
        for (Step step; (step = background.poll(RANDOM)) != null; ) {
            runStep(step);
        }
    }

    private void runStep(Step step) {
        long task = step.meta().id().value();
        runningTasks.add(task);
        try {
            admission.run(step.runnable(), Thread.currentThread(), failures);
        } finally {
            runningTasks.remove(task);
        }
    }

    private void runMainStep(long context, StepEntry entry) {
        if (CONTEXTS.remove(context) == null) {
            return; // dropped by a shutdown meanwhile
        }
        queuedMain.decrement();
        mainThread = Thread.currentThread();
        runStep(entry.step());
    }

    /** {@return whether a step of the task with {@code taskId} runs on this pool now} */
    boolean isRunningTask(long taskId) {
        return runningTasks.contains(taskId);
    }

    // ---------------------------------------------------------------- background

    @Override
    public void submit(Runnable step, TaskMetadata meta) {
        requireNotExiting();
        Step queued = new Step(step, meta);
        background.offer(queued);
        outstanding.incrementAndGet();
        try {
            binding.submit(meta.priority(), drainContext);
        } catch (RuntimeException | Error e) {
            outstanding.decrementAndGet();
            if (background.withdraw(queued)) {
                admission.done(step);
                throw e;
            }
            // A work item already running drains the step: it was accepted after all.
        }
    }

    private void requireNotExiting() {
        if (exiting) {
            throw new RejectedExecutionException("The JVM is shutting down, so the operating system's pool takes no more work");
        }
    }

    @Override
    public int queued() {
        return background.queued();
    }

    @Override
    public List<Step> drain(Predicate<Step> which) {
        List<Step> dropped = background.drain(which);
        if (background.hasWork()) {
            // A work item that ran while the kept steps were out of the queues found it empty and
            // left: one more drains them (a work item drains until the queues are empty).
            outstanding.incrementAndGet();
            try {
                binding.submit(Priority.MEDIUM, drainContext);
            } catch (RuntimeException | Error e) {
                outstanding.decrementAndGet();
                DispatcherOptions.LOG_FAILURES.uncaughtException(Thread.currentThread(), e);
            }
        }
        return dropped;
    }

    // ---------------------------------------------------------------- the main queue

    /** {@return the operating system's main queue as a lane, if it has one} */
    Lane mainQueue() {
        return mainQueue;
    }

    /** {@return whether the calling code runs on the process's main thread} */
    boolean isMainThread() {
        return binding.isMainThread();
    }

    /** {@return the Java thread of the process's main thread, once it is known} */
    Thread mainThread() {
        return mainThread;
    }

    private final class MainQueue implements Lane {

        @Override
        public void submit(Runnable step, TaskMetadata meta) {
            requireNotExiting();
            long context = register(new StepEntry(NativePool.this, new Step(step, meta)));
            queuedMain.increment();
            outstanding.incrementAndGet();
            try {
                binding.submitMain(context);
            } catch (RuntimeException | Error e) {
                outstanding.decrementAndGet();
                if (CONTEXTS.remove(context) != null) {
                    queuedMain.decrement();
                    admission.done(step);
                }
                throw e;
            }
        }

        @Override
        public int queued() {
            return Math.max(0, queuedMain.intValue());
        }

        @Override
        public List<Step> drain(Predicate<Step> which) {
            List<Step> dropped = new ArrayList<>();
            for (Map.Entry<Long, Entry> registered : CONTEXTS.entrySet()) {
                if (registered.getValue() instanceof StepEntry step && step.pool() == NativePool.this
                        && which.test(step.step()) && CONTEXTS.remove(registered.getKey(), step)) {
                    queuedMain.decrement();
                    dropped.add(step.step());
                }
            }
            return dropped;
        }
    }

    // ---------------------------------------------------------------- timers

    @Override
    public Cancellable scheduleAt(long deadline, Runnable step) {
        requireNotExiting();
        TimerEntry timer = new TimerEntry(this, deadline, step);
        synchronized (timer) {
            // Registered and armed under the timer's lock: a cancel that finds it meanwhile waits for the handle.
            timer.context = register(timer);
            pendingTimers.increment();
            try {
                afterRegistration.run();
                timer.handle = binding.armTimer(0, Math.max(0, deadline - System.nanoTime()), timer.context);
            } catch (RuntimeException | Error e) {
                CONTEXTS.remove(timer.context);
                pendingTimers.decrement();
                timer.released = true;
                throw e;
            }
        }
        return timer;
    }

    @Override
    public int pending() {
        return Math.max(0, pendingTimers.intValue());
    }

    @Override
    public List<Runnable> dropAll() {
        List<Runnable> dropped = new ArrayList<>();
        for (Entry entry : CONTEXTS.values()) {
            if (entry instanceof TimerEntry timer && timer.pool == this && timer.cancel()) {
                dropped.add(timer.step);
            }
        }
        return dropped;
    }

    /** A timer: its context, its native handle, and whether the handle was released. */
    private static final class TimerEntry implements Entry, Cancellable {

        private final NativePool pool;
        private final long deadline;
        private final Runnable step;
        private long context;
        private long handle;
        private boolean released;

        TimerEntry(NativePool pool, long deadline, Runnable step) {
            this.pool = pool;
            this.deadline = deadline;
            this.step = step;
        }

        @Override
        public NativePool pool() {
            return pool;
        }

        /** The timer's callback: re-arm if early, else release the handle and run the step. */
        void fire() {
            synchronized (this) {
                if (released) {
                    return;
                }
                long early = deadline - System.nanoTime();
                if (early > 0) {
                    handle = pool.binding.armTimer(handle, early, context);
                    return;
                }
                if (CONTEXTS.remove(context) == null) {
                    return;
                }
                released = true;
                pool.binding.releaseTimer(handle, false);
            }
            pool.pendingTimers.decrement();
            try {
                step.run();
            } catch (Throwable failure) {
                pool.failures.uncaughtException(Thread.currentThread(), failure);
            }
        }

        @Override
        public boolean cancel() {
            long armed;
            synchronized (this) {
                if (released || CONTEXTS.remove(context) == null) {
                    return false;
                }
                released = true;
                armed = handle;
            }
            pool.pendingTimers.decrement();
            // Outside the lock: a Windows cancel waits for a callback in flight, which may want the lock.
            pool.binding.releaseTimer(armed, true);
            return true;
        }
    }

    // ---------------------------------------------------------------- closing and JVM exit

    /**
     * The dispatcher closed and dropped what was queued: the JVM's exit no longer waits for this
     * pool, and work items that call back late find nothing.
     */
    void close() {
        POOLS.remove(this);
        CONTEXTS.remove(drainContext);
    }

    /**
     * Makes the pool ready for the JVM to exit: it takes no more work, every pending timer is
     * cancelled with the system, and it waits up to {@code wait} for the work items already handed
     * to the system to call back. {@return whether none was left outstanding}
     */
    boolean beforeExit(Duration wait) {
        exiting = true;
        dropAll();
        long deadline = System.nanoTime() + wait.toNanos();
        while (outstanding.get() > 0) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return true;
    }
}
