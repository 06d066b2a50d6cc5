package dev.scheduler.dispatch;

import dev.scheduler.Cancellable;
import dev.scheduler.TaskMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
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
 * Native code cannot hold Java objects, so each step or timer is registered under a fresh integer
 * context, and the context is what the binding hands to the operating system. Every callback comes
 * back through one static trampoline, run(context), which looks the context up. Contexts are
 * released exactly once, by whoever removes them from CONTEXTS first: the callback that runs the
 * step, a cancel, or a shutdown that drops it. A callback that finds its context gone (its timer
 * was cancelled, or its step dropped) does nothing; contexts are never reused, so a late callback
 * can never run someone else's step.
 *
 * Timers never fire early: a callback that arrives before its deadline re-arms its timer for the
 * rest. Re-arming and releasing a timer's native handle are serialized on the timer, so a cancel
 * racing an early callback cannot re-arm a released handle.
 */
final class NativePool implements Lane, Lane.Timers {

    private static final Map<Long, Entry> CONTEXTS = new ConcurrentHashMap<>();
    private static final AtomicLong NEXT_CONTEXT = new AtomicLong();

    private final PoolBinding binding;
    private final Admission admission;
    private final Thread.UncaughtExceptionHandler failures;
    private final LongAdder queuedBackground = new LongAdder();
    private final LongAdder queuedMain = new LongAdder();
    private final LongAdder pendingTimers = new LongAdder();
    private final Lane mainQueue = new MainQueue();
    private final Set<Long> runningTasks = ConcurrentHashMap.newKeySet();
    private volatile Thread mainThread;

    NativePool(PoolBinding binding, Admission admission, Thread.UncaughtExceptionHandler failures) {
        this.binding = binding;
        this.admission = admission;
        this.failures = failures;
        if (binding.hasMainQueue() && binding.isMainThread()) {
            mainThread = Thread.currentThread();
        }
    }

    /** What a context stands for. */
    private sealed interface Entry permits StepEntry, TimerEntry {
        NativePool pool();
    }

    private record StepEntry(NativePool pool, Step step, boolean main) implements Entry {
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
            if (entry instanceof StepEntry step) {
                entry.pool().runStep(context, step);
            } else if (entry instanceof TimerEntry timer) {
                timer.fire();
            }
        } catch (Throwable failure) {
            // Only a failure of our own bookkeeping (an OutOfMemoryError, say) reaches here.
            DispatcherOptions.LOG_FAILURES.uncaughtException(Thread.currentThread(), failure);
        }
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

    private void runStep(long context, StepEntry entry) {
        if (CONTEXTS.remove(context) == null) {
            return; // dropped by a shutdown meanwhile
        }
        (entry.main() ? queuedMain : queuedBackground).decrement();
        if (entry.main()) {
            mainThread = Thread.currentThread();
        }
        long task = entry.step().meta().id().value();
        runningTasks.add(task);
        try {
            admission.run(entry.step().runnable(), Thread.currentThread(), failures);
        } finally {
            runningTasks.remove(task);
        }
    }

    /** {@return whether a step of the task with {@code taskId} runs on this pool now} */
    boolean isRunningTask(long taskId) {
        return runningTasks.contains(taskId);
    }

    // ---------------------------------------------------------------- background

    @Override
    public void submit(Runnable step, TaskMetadata meta) {
        long context = register(new StepEntry(this, new Step(step, meta), false));
        queuedBackground.increment();
        submitted(context, () -> binding.submit(meta.priority(), context));
    }

    /** Hands a registered context to the binding; if the binding refuses, the step is not lost silently. */
    private void submitted(long context, Runnable submit) {
        try {
            submit.run();
        } catch (RuntimeException | Error e) {
            Entry entry = CONTEXTS.remove(context);
            if (entry instanceof StepEntry step) {
                (step.main() ? queuedMain : queuedBackground).decrement();
                admission.done(1);
            }
            throw e;
        }
    }

    @Override
    public int queued() {
        return Math.max(0, queuedBackground.intValue());
    }

    @Override
    public List<Step> drain(Predicate<Step> which) {
        return drain(false, which);
    }

    private List<Step> drain(boolean main, Predicate<Step> which) {
        List<Step> dropped = new ArrayList<>();
        for (Map.Entry<Long, Entry> registered : CONTEXTS.entrySet()) {
            if (registered.getValue() instanceof StepEntry step && step.pool() == this && step.main() == main
                    && which.test(step.step()) && CONTEXTS.remove(registered.getKey(), step)) {
                (main ? queuedMain : queuedBackground).decrement();
                dropped.add(step.step());
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
            long context = register(new StepEntry(NativePool.this, new Step(step, meta), true));
            queuedMain.increment();
            submitted(context, () -> binding.submitMain(context));
        }

        @Override
        public int queued() {
            return Math.max(0, queuedMain.intValue());
        }

        @Override
        public List<Step> drain(Predicate<Step> which) {
            return NativePool.this.drain(true, which);
        }
    }

    // ---------------------------------------------------------------- timers

    @Override
    public Cancellable scheduleAt(long deadline, Runnable step) {
        TimerEntry timer = new TimerEntry(this, deadline, step);
        timer.context = register(timer);
        pendingTimers.increment();
        synchronized (timer) {
            try {
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
            synchronized (this) {
                if (released || CONTEXTS.remove(context) == null) {
                    return false;
                }
                released = true;
            }
            pool.pendingTimers.decrement();
            // Outside the lock: a Windows cancel waits for a callback in flight, which may want the lock.
            pool.binding.releaseTimer(handle, true);
            return true;
        }
    }
}
