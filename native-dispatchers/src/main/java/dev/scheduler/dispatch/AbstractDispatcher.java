package dev.scheduler.dispatch;

import dev.scheduler.Cancellable;
import dev.scheduler.QueueDepths;
import dev.scheduler.Scheduler;
import dev.scheduler.Step;
import dev.scheduler.Task;
import dev.scheduler.TaskId;
import dev.scheduler.TaskMetadata;
import dev.scheduler.TaskObserver;
import dev.scheduler.TaskRunner;
import dev.scheduler.Unparker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What every dispatcher shares: admission and the lifecycle, a lane for background steps, a lane
 * for foreground steps, and timers. The dispatchers differ only in those parts:
 *
 * <ul>
 *   <li>Any of them, with {@link DispatcherOptions.Foreground#EVENT_DISPATCH_THREAD}: foreground
 *       steps on AWT's event dispatch thread ({@link EventDispatchLane}); the rest as below.
 *   <li>Linux and portable: Java worker threads ({@link WorkerPool}) for background steps, and a
 *       {@link MainLoop} for foreground steps and timers, sleeping in {@code epoll} on Linux and in
 *       {@link java.util.concurrent.locks.LockSupport} elsewhere.
 *   <li>macOS and Windows: the operating system's thread pool and timers ({@link NativePool}), and
 *       for foreground steps either a {@link MainLoop} or, on macOS, the main dispatch queue.
 * </ul>
 */
abstract sealed class AbstractDispatcher implements Dispatcher
        permits LinuxDispatcher, PortableDispatcher, MacDispatcher, WindowsDispatcher {

    private static final System.Logger LOGGER = System.getLogger(Dispatcher.class.getName());

    private final String name;
    private final DispatcherOptions options;
    private final Admission admission;
    private final Lane background;
    private final Lane foreground;
    private final Lane.Timers timers;
    private final WorkerPool pool;
    private final NativePool nativePool;
    private final MainLoop loop;
    private final EventDispatchLane eventDispatch;
    private final Object closeLock = new Object();
    private boolean closed;

    /**
     * A dispatcher on Java worker threads and a main loop sleeping in {@code waiter}'s way.
     *
     * @throws NullPointerException if {@code options} is null
     * @throws IllegalArgumentException if {@code options} asks for a main queue
     */
    AbstractDispatcher(String name, DispatcherOptions options, Supplier<LoopWaiter> waiter) {
        this(name, options, waiter, null);
    }

    /**
     * A dispatcher on the operating system's thread pool through {@code binding}; foreground steps
     * go to the main queue or to a main loop, as {@code options} say.
     */
    AbstractDispatcher(String name, DispatcherOptions options, PoolBinding binding) {
        this(name, options, LoopWaiter.Parking::new, Objects.requireNonNull(binding, "binding"));
    }

    private AbstractDispatcher(String name, DispatcherOptions options, Supplier<LoopWaiter> waiter, PoolBinding binding) {
        this.name = name;
        this.options = Objects.requireNonNull(options, "options");
        boolean mainQueue = options.foreground() == DispatcherOptions.Foreground.MAIN_QUEUE;
        if (mainQueue && (binding == null || !binding.hasMainQueue())) {
            throw new IllegalArgumentException("options.foreground() is MAIN_QUEUE, which only the macOS dispatcher "
                    + "has; the " + name + " dispatcher runs its main loop on a DEDICATED_THREAD or the CALLER_THREAD");
        }
        boolean onEventDispatchThread = options.foreground() == DispatcherOptions.Foreground.EVENT_DISPATCH_THREAD;
        this.admission = new Admission(name);
        Thread.UncaughtExceptionHandler failures = options.uncaughtExceptionHandler();
        // With AWT's thread as the foreground, a main loop remains only where the timers need one.
        this.loop = mainQueue || onEventDispatchThread && binding != null ? null
                : new MainLoop(options.threadNamePrefix() + (onEventDispatchThread ? "-timers" : "-main"),
                        options.foreground() != DispatcherOptions.Foreground.CALLER_THREAD, waiter.get(), admission,
                        failures);
        if (binding == null) {
            this.nativePool = null;
            this.pool = new WorkerPool(options.backgroundThreads(), options.threadNamePrefix(), admission, failures);
            this.background = pool;
            this.timers = loop;
        } else {
            this.pool = null;
            this.nativePool = new NativePool(binding, admission, failures, options.threadNamePrefix() + "-pool");
            this.background = nativePool;
            this.timers = nativePool;
        }
        // Last: the lane keeps AWT's thread alive, which must not outlive a dispatcher that failed to start.
        this.eventDispatch = onEventDispatchThread ? eventDispatchLane(failures) : null;
        this.foreground = mainQueue ? nativePool.mainQueue() : onEventDispatchThread ? eventDispatch : loop;
        if (loop != null) {
            admission.onTermination(loop::wakeAlways);
        }
    }

    private EventDispatchLane eventDispatchLane(Thread.UncaughtExceptionHandler failures) {
        try {
            return new EventDispatchLane(admission, failures);
        } catch (RuntimeException | Error e) {
            stopThreads();
            throw e;
        }
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final DispatcherOptions options() {
        return options;
    }

    // ---------------------------------------------------------------- Scheduler

    @Override
    public final void schedule(Runnable step, TaskMetadata meta) {
        admission.admit(step, meta);
        background.submit(step, meta);
    }

    @Override
    public final void scheduleForeground(Runnable step, TaskMetadata meta) {
        admission.admit(step, meta);
        foreground.submit(step, meta);
    }

    @Override
    public final Cancellable scheduleAfter(Duration delay, Runnable step) {
        long nanos = Scheduler.requireDelay(delay, "delay").toNanos();
        Objects.requireNonNull(step, "step");
        admission.admitTimer();
        return timers.scheduleAt(System.nanoTime() + nanos, step);
    }

    /**
     * {@inheritDoc} On the main loop thread, the loop's timers keep firing while it is parked;
     * foreground steps wait, as on a blocked UI thread.
     */
    @Override
    public final boolean park(Duration timeout) {
        return loop != null && Thread.currentThread() == loop.thread() ? loop.park(timeout) : Parking.park(timeout);
    }

    @Override
    public final Unparker unparker() {
        return loop != null && Thread.currentThread() == loop.thread() ? loop.unparker() : Parking.unparker();
    }

    /** {@return true on the main loop thread (or the process's main thread) and inside the foreground tasks it carries} */
    @Override
    public final boolean isMainThread() {
        if (eventDispatch != null) {
            return eventDispatch.isMainThread(Task.current().map(task -> task.id().value()).orElse(0L));
        }
        if (loop == null) {
            return nativePool.isMainThread();
        }
        if (Thread.currentThread() == loop.thread()) {
            return true;
        }
        Task<?> task = Task.current().orElse(null);
        return task != null && task.metadata().isForeground() && loop.isRunningTask(task.id().value());
    }

    /**
     * {@return the thread that runs foreground steps} With the macOS main queue it is known once
     * the dispatcher was created on the process's main thread, or the queue has run a step.
     */
    @Override
    public final Optional<Thread> mainThread() {
        return Optional.ofNullable(eventDispatch != null ? eventDispatch.thread()
                : loop != null ? loop.thread() : nativePool.mainThread());
    }

    @Override
    public final Instant now() {
        return Instant.now();
    }

    /** {@inheritDoc} It tells the dispatcher which tasks still run, so that it can drain them and cancel the rest. */
    @Override
    public final Optional<TaskObserver> taskObserver() {
        return Optional.of(admission);
    }

    @Override
    public final QueueDepths queueDepths() {
        return new QueueDepths(background.queued(), foreground.queued(), timers.pending(), 0);
    }

    // ---------------------------------------------------------------- the main loop on the caller's thread

    /**
     * Runs the main loop on the calling thread, which must be the thread that created this
     * dispatcher with {@link DispatcherOptions.Foreground#CALLER_THREAD}. Returns when the
     * dispatcher is closed, or is shut down and has terminated.
     *
     * @throws IllegalStateException if the main loop does not run on the caller's thread, if the
     *     calling thread is not the one that created the dispatcher (naming both), or if the loop is
     *     already running
     */
    public final void runMainLoop() {
        if (loop == null || loop.isDedicated()) {
            throw new IllegalStateException("The " + name + " dispatcher runs its foreground steps on "
                    + (eventDispatch != null ? "AWT's event dispatch thread"
                            : loop == null ? "the main dispatch queue" : "its own thread \"" + loop.thread().getName() + "\"")
                    + "; runMainLoop() is for DispatcherOptions.Foreground.CALLER_THREAD");
        }
        loop.run(admission::isTerminated);
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public final void shutdown() {
        admission.shutdown();
    }

    @Override
    public final boolean isShutdown() {
        return admission.isShutdown();
    }

    @Override
    public final boolean awaitTermination(Duration timeout) throws InterruptedException {
        return admission.awaitTermination(timeout);
    }

    @Override
    public final boolean isTerminated() {
        return admission.isTerminated();
    }

    @Override
    public final ShutdownReport shutdownNow() {
        admission.shutdown();
        return giveUp();
    }

    /**
     * Cancels every unfinished task and drops the plain steps and timers that are left. The steps of
     * the cancelled tasks stay queued: they let the bodies unwind, and a task whose first step has
     * not run settles as cancelled when it does.
     */
    private ShutdownReport giveUp() {
        List<TaskMetadata> cancelled = admission.giveUp(this::queuedAndPooledTasks);
        return new ShutdownReport(dropSteps(step -> TaskRunner.taskOf(step.runnable()) == null), dropTimers(), cancelled);
    }

    /** {@return the tasks whose start steps wait in the lanes, and those running or waiting on the pool's runners} */
    private List<Task<?>> queuedAndPooledTasks() {
        List<Task<?>> tasks = new ArrayList<>();
        Predicate<Step> collect = step -> {
            Task<?> task = TaskRunner.taskOf(step.runnable());
            if (task != null) {
                tasks.add(task);
            }
            return false; // each stays queued
        };
        background.drain(collect);
        foreground.drain(collect);
        if (pool != null) {
            tasks.addAll(pool.runnersTasks());
        }
        return tasks;
    }

    /** Drops the queued steps {@code which} accepts, cancelling each that is a Future; {@return their tasks} */
    private List<TaskMetadata> dropSteps(Predicate<Step> which) {
        List<Step> steps = new ArrayList<>(background.drain(which));
        steps.addAll(foreground.drain(which));
        steps.forEach(step -> admission.done(step.runnable()));
        steps.forEach(step -> cancelIfFuture(step.runnable()));
        return steps.stream().map(Step::meta).toList();
    }

    /** Drops every pending timer, cancelling each that is a Future (a timer task); {@return how many} */
    private int dropTimers() {
        List<Runnable> dropped = timers.dropAll();
        dropped.forEach(AbstractDispatcher::cancelIfFuture);
        return dropped.size();
    }

    private static void cancelIfFuture(Runnable step) {
        if (step instanceof Future<?> future) {
            future.cancel(false);
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if called from one of this dispatcher's own threads, which
     *     could not wait for the steps it runs: call {@link #shutdown()} there instead
     */
    @Override
    public final void close() {
        ShutdownReport report = close(options.shutdownTimeout());
        if (!report.isEmpty()) {
            LOGGER.log(System.Logger.Level.WARNING, "The " + name + " dispatcher closed with work left"
                    + (report.waitedInVain() ? " after waiting " + options.shutdownTimeout() : "") + ": " + report);
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if called from one of this dispatcher's own threads, which
     *     could not wait for the steps it runs: call {@link #shutdown()} there instead
     */
    @Override
    public final ShutdownReport close(Duration timeout) {
        Scheduler.requireDelay(timeout, "timeout");
        Thread caller = Thread.currentThread();
        if (runsOnThisDispatcher(caller)) {
            String where = Task.current().map(task -> task.metadata().describe())
                    .orElse("thread \"" + caller.getName() + "\"");
            throw new IllegalStateException("close() was called from " + where + ", which runs on the " + name
                    + " dispatcher and so cannot wait for its own steps: call shutdown() there; runMainLoop() "
                    + "returns once the dispatcher has terminated, and close() from another thread waits for it");
        }
        synchronized (closeLock) {
            if (closed) {
                return ShutdownReport.NOTHING;
            }
            closed = true;
        }
        // Accepted tasks run on for the timeout (after shutdownNow: the cancelled ones unwind) ...
        awaitQuietly(timeout);
        ShutdownReport report = ShutdownReport.NOTHING;
        if (!isTerminated()) {
            // ... then what is left is cancelled, and its bodies get the timeout again to unwind.
            report = giveUp();
            if (!report.cancelledTasks().isEmpty()) {
                awaitQuietly(timeout);
            }
        }
        admission.stop();
        stopThreads();
        // What could not unwind in time, and what running steps queued while the threads stopped.
        report = report.and(new ShutdownReport(dropSteps(step -> true), dropTimers(), List.of()));
        admission.closed();
        return report;
    }

    /** Stops the lanes' threads (and hands AWT's back); the ones not built yet are null. */
    private void stopThreads() {
        if (pool != null) {
            pool.stop();
        }
        if (loop != null) {
            loop.stop();
        }
        if (eventDispatch != null) {
            eventDispatch.stop();
        }
        if (nativePool != null) {
            nativePool.close();
        }
    }

    /** Whether {@code caller} is one of this dispatcher's threads, or a task body that one of them carries now. */
    private boolean runsOnThisDispatcher(Thread caller) {
        Task<?> task = Task.current().orElse(null);
        long taskId = task == null ? 0 : task.id().value();
        return pool != null && pool.runsHere(caller, taskId)
                || nativePool != null && taskId != 0 && nativePool.isRunningTask(taskId)
                || loop != null && (caller == loop.thread() && loop.isRunning() || taskId != 0 && loop.isRunningTask(taskId))
                || eventDispatch != null && (caller == eventDispatch.thread() || taskId != 0 && eventDispatch.isRunningTask(taskId));
    }

    private void awaitQuietly(Duration timeout) {
        shutdown();
        try {
            awaitTermination(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + (pool != null ? options.backgroundThreads() + " background threads"
                : "the operating system's thread pool") + ", foreground on " + (eventDispatch != null
                ? "AWT's event dispatch thread" : loop != null ? "\"" + loop.thread().getName() + "\"" : "the main queue")
                + (isShutdown() ? ", shut down" : "") + "]";
    }
}
