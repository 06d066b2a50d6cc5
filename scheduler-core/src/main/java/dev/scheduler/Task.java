package dev.scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The handle of spawned work: a {@link Future} and a {@link CompletionStage} of the body's result.
 *
 * <p>Spawn a task on an {@link dev.scheduler.Executor} or a {@link ForegroundExecutor}; its body is
 * plain blocking Java. The body runs on a virtual thread carried by the executor's
 * {@link Scheduler}, so {@code otherTask.join()}, {@code executor.timer(d).join()}, locks and
 * {@code java.util.concurrent} queues inside it park only that body, and it resumes as another step
 * on the same scheduler (on the confined thread, for a foreground task).
 *
 * <p>Policies:
 * <ul>
 *   <li><b>Outcome.</b> {@link #join()} returns the body's result, or throws
 *       {@link CancellationException} if the task was cancelled, or {@link CompletionException}
 *       wrapping what the body threw. {@link #get()} follows {@link Future}.
 *   <li><b>Blocking.</b> Waiting for a task parks the waiting body at once (no spinning). On a
 *       {@code TestScheduler}'s own thread outside any task, waiting <em>drives</em> the scheduler
 *       until the task is done, exactly like {@link dev.scheduler.Executor#blockOn(Task)}. A task
 *       that waits for itself, or closes a cycle of tasks each waiting for the next, fails at once
 *       with {@link IllegalStateException} naming the cycle.
 *   <li><b>Cancellation.</b> {@link #cancel()} completes the task as cancelled at once and wakes
 *       its body if it is parked; the body's next blocking point throws
 *       {@link CancellationException}. A body that has not started never starts. Whatever a body
 *       throws after its task was cancelled is a consequence of the cancellation and is ignored.
 *       Completion and cancellation race cleanly: exactly one wins, and a {@code cancel} that
 *       returns has the task done.
 *   <li><b>Ownership.</b> A task is {@link AutoCloseable}: {@link #close()} cancels it unless it
 *       was {@linkplain #detach() detached}, so try-with-resources bounds its lifetime. A detached
 *       task runs on; if it fails, nobody can join it, so its failure goes to
 *       {@link Scheduler#reportFailure(Task, Throwable)} and is never lost.
 *   <li><b>Dependents.</b> Non-async dependents run on the thread that completes the task (its
 *       scheduler's thread, or the thread that cancelled it). Async dependents without an executor
 *       run as background tasks on the task's scheduler.
 * </ul>
 *
 * @param <T> the result type
 */
/*
 * Implementation Overview
 * =======================
 *
 * A task is a handle over a CompletableFuture (the result) and a word of flags. Its helpers each
 * own one side of it: TaskRun runs the body and hands its continuations to the executor, Blocking
 * waits for it, TaskStage forwards the CompletionStage methods, TaskReport describes it, TaskScope
 * holds what the running code belongs to.
 *
 * Settling: completion (the body returning or throwing, a timer firing) and cancellation each try
 * to set SETTLED; whichever wins publishes the result, a body's completion only after its
 * observers have heard of the outcome, so that whoever joins never finds an observer that counts
 * the task as running. A loser waits out the winner's publication (a few quick observer callbacks)
 * before it returns, so a cancel that returned false means done.
 *
 * A ready task (Task.ready) is settled and finished from the start and has no executor; READY says
 * so, rather than a null executor.
 */
public final class Task<T> extends TaskStage<T> implements Future<T>, AutoCloseable {

    private static final int DETACHED = 1;
    private static final int OBSERVED = 1 << 1;
    private static final int STARTED = 1 << 2;
    private static final int FINISHED = 1 << 3;
    private static final int FAILURE_REPORTED = 1 << 4;
    private static final int TIMER = 1 << 5;
    private static final int SETTLED = 1 << 6;
    private static final int READY = 1 << 7;

    private static final VarHandle FLAGS;

    static {
        try {
            FLAGS = MethodHandles.lookup().findVarHandle(Task.class, "flags", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final TaskMetadata meta;
    private final CompletableFuture<T> result = new CompletableFuture<>();
    private final AbstractExecutor executor;
    private final TaskObserver owner;
    private volatile Thread thread;
    /** The task this task's body waits for without a timeout, if any: the edges of join cycles. */
    private volatile Task<?> awaiting;
    /** The thread that settled the outcome, which a losing call must not wait for. */
    private volatile Thread settler;
    private volatile Cancellable timer;
    @SuppressWarnings("unused") // updated through FLAGS
    private volatile int flags;

    Task(TaskMetadata meta, AbstractExecutor executor, TaskObserver owner) {
        this.meta = meta;
        this.executor = executor;
        this.owner = owner;
    }

    /**
     * Returns a task that is already complete with {@code value}.
     *
     * @param value the result; may be null
     * @param <T> the result type
     * @return a completed task
     */
    public static <T> Task<T> ready(T value) {
        Task<T> task = new Task<>(new TaskMetadata(TaskId.next(), null, Priority.MEDIUM, null, null), null, null);
        task.setFlag(READY | STARTED | FINISHED | SETTLED);
        task.result.complete(value);
        return task;
    }

    /** {@return the task whose body the calling code runs in, if any} */
    public static Optional<Task<?>> current() {
        return Optional.ofNullable(TaskScope.currentTask());
    }

    // ---------------------------------------------------------------- identity

    /** {@return this task's id} */
    public TaskId id() {
        return meta.id();
    }

    /** {@return this task's label, if it was spawned with one} */
    public Optional<TaskLabel> label() {
        return meta.labelIfAny();
    }

    /** {@return what the scheduler knows about this task: id, label, priority, session, spawn site} */
    public TaskMetadata metadata() {
        return meta;
    }

    /**
     * {@return whether this task's body has started} A task that was cancelled before its body
     * started never starts.
     */
    public boolean isStarted() {
        return hasFlag(STARTED);
    }

    /** {@return whether this task was {@linkplain #detach() detached}} */
    public boolean isDetached() {
        return hasFlag(DETACHED);
    }

    /**
     * {@return whether this task's body is still running or has yet to run: false once the body has
     * returned or thrown, or once the task was cancelled before the body started} A cancelled task
     * whose body has not yet reached a blocking point is still running.
     */
    public boolean isRunning() {
        return !hasFlag(FINISHED);
    }

    /**
     * {@return the virtual thread running this task's body, while it runs on one: its stack shows
     * where the body is parked}
     */
    public Optional<Thread> thread() {
        return Optional.ofNullable(thread);
    }

    /**
     * {@return the stack where this task's body is parked now, without the JDK's own frames; empty
     * if the body has not started, has finished, or is running at this moment}
     */
    public List<StackTraceElement> parkedAt() {
        return TaskReport.parkedAt(thread);
    }

    /**
     * Describes this task for deadlock and leak reports, as a thread dump describes a thread: id,
     * label, where it runs, priority, spawn site, and where its body is parked now. Lines after the
     * first are indented by two spaces.
     *
     * @return the description
     */
    public String dump() {
        return TaskReport.describe(this);
    }

    /** {@return whether the outcome was observed: joined, awaited, or handed to a dependent stage} */
    public boolean isObserved() {
        return hasFlag(OBSERVED);
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Lets this task run on after its handle is closed or forgotten. Its failure, if any, is then
     * reported through {@link Scheduler#reportFailure(Task, Throwable)}.
     */
    public void detach() {
        setFlag(DETACHED);
        reportFailureIfUnjoinable();
    }

    /** {@return whether this task has completed: returned, failed or been cancelled} */
    public boolean isReady() {
        return result.isDone();
    }

    /**
     * Cancels this task and wakes its body if it is parked; same as {@code cancel(true)}.
     *
     * @return {@code true} if this call cancelled the task
     */
    public boolean cancel() {
        return cancel(true);
    }

    /**
     * Cancels this task: it completes as cancelled at once. A body that has not started never
     * starts; a running body's next blocking point throws {@link CancellationException}, and if
     * {@code mayInterruptIfRunning} it is interrupted so that a parked body wakes now.
     *
     * @param mayInterruptIfRunning whether to interrupt a running body
     * @return {@code true} if this call cancelled the task
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (!cancelResult()) {
            return false;
        }
        Cancellable pending = timer;
        if (pending != null) {
            pending.cancel();
            finished(State.CANCELLED);
        }
        Thread running = thread;
        if (mayInterruptIfRunning && running != null) {
            TaskRunner.interrupt(this, running);
        }
        return true;
    }

    /** Cancels this task unless it was {@linkplain #detach() detached}. */
    @Override
    public void close() {
        if (!isDetached()) {
            cancel(true);
        }
    }

    // ---------------------------------------------------------------- outcome

    /**
     * Waits for this task and returns its result. Inside a task body this parks the body; on a
     * {@code TestScheduler}'s thread it drives the scheduler until this task is done.
     *
     * @return the body's result
     * @throws CancellationException if this task was cancelled, or the waiting task was cancelled
     *     while it waited
     * @throws CompletionException wrapping what the body threw
     * @throws IllegalStateException if waiting here is impossible, such as a join cycle, or a
     *     deadlock under a {@code TestScheduler} that forbids parking
     */
    public T join() {
        setFlag(OBSERVED);
        if (!result.isDone()) {
            executor.await(this, null, null);
        }
        return result.join();
    }

    /**
     * Waits for this task and returns its result, as {@link #join()} does.
     *
     * @throws CancellationException if this task was cancelled
     * @throws ExecutionException wrapping what the body threw
     * @throws InterruptedException if the waiting thread was interrupted while it waited
     */
    @Override
    public T get() throws InterruptedException, ExecutionException {
        setFlag(OBSERVED);
        if (!result.isDone()) {
            executor.await(this, null, null);
        }
        return result.get();
    }

    /**
     * Waits up to {@code timeout} for this task and returns its result. Under a
     * {@code TestScheduler} the wait is bounded by virtual time and a tick budget, never wall time.
     * As with every {@link Future}, a timeout of zero or less does not wait, and one longer than
     * {@link Scheduler#MAX_DELAY} waits that long, which is as good as for ever.
     *
     * @throws TimeoutException if the task was not done in time (it is not cancelled)
     */
    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        Objects.requireNonNull(unit, "unit");
        setFlag(OBSERVED);
        Duration wait = Duration.ofNanos(Math.clamp(unit.toNanos(timeout), 0, Scheduler.MAX_DELAY.toNanos()));
        if (!result.isDone() && !executor.await(this, wait, null)) {
            throw new TimeoutException(this + " was not done within " + timeout + " " + unit);
        }
        return result.get();
    }

    @Override
    public boolean isDone() {
        return result.isDone();
    }

    @Override
    public boolean isCancelled() {
        return result.isCancelled();
    }

    @Override
    public T resultNow() {
        setFlag(OBSERVED);
        return result.resultNow();
    }

    @Override
    public Throwable exceptionNow() {
        setFlag(OBSERVED);
        return result.exceptionNow();
    }

    @Override
    public State state() {
        return result.state();
    }

    /**
     * {@return a {@link CompletableFuture} that completes as this task does} Completing or
     * cancelling the returned future does not affect this task.
     */
    @Override
    public CompletableFuture<T> toCompletableFuture() {
        return dependent().copy();
    }

    @Override
    public String toString() {
        String state = result.isDone() ? result.state().name().toLowerCase(Locale.ROOT)
                : hasFlag(STARTED) ? "running" : "scheduled";
        return meta.describe() + " (" + state + ")";
    }

    // ---------------------------------------------------------------- CompletionStage

    @Override
    CompletableFuture<T> dependent() {
        setFlag(OBSERVED);
        return result;
    }

    @Override
    Executor asyncExecutor() {
        return hasFlag(READY) ? CommonPool.EXECUTOR : executor.background();
    }

    /** Keeps the common pool out of class initialization unless a ready task needs it. */
    private static final class CommonPool {
        static final Executor EXECUTOR = java.util.concurrent.ForkJoinPool.commonPool();
    }

    // ---------------------------------------------------------------- what the helpers share

    AbstractExecutor executor() {
        return executor;
    }

    TaskObserver owner() {
        return owner;
    }

    /** The task's result, for waiting without counting as an observation of its outcome. */
    CompletableFuture<T> result() {
        return result;
    }

    void markObserved() {
        setFlag(OBSERVED);
    }

    /** The body starts on {@code body}, or it has returned ({@code null}). */
    void thread(Thread body) {
        thread = body;
    }

    /** {@return the thread running the body now, or null} */
    Thread bodyThread() {
        return thread;
    }

    /** The body starts running: observers hear of it. */
    void markStarted() {
        setFlag(STARTED);
        executor.taskStarted(this);
    }

    /**
     * The task is a timer, which never has a body nor observers: marked before its timer is set, so
     * that a timer firing at once finds it so.
     */
    void markTimer() {
        setFlag(STARTED | TIMER);
    }

    /** {@return whether this task is a timer, with no body} */
    boolean isTimer() {
        return hasFlag(TIMER);
    }

    /** The timer is set: cancelling the task withdraws {@code pending}. */
    void timer(Cancellable pending) {
        timer = pending;
    }

    /** {@return the task this task's body waits for without a timeout, or null} */
    Task<?> awaiting() {
        return awaiting;
    }

    void awaiting(Task<?> target) {
        awaiting = target;
    }

    /**
     * Decides the outcome, once; {@return whether this call did} The caller that wins publishes the
     * result next. A caller that loses returns only once the winner has published, so that every
     * call that lost happens after the task is done; the winner's own thread, re-entering from an
     * observer, does not wait for itself.
     */
    boolean settle() {
        if (trySetFlag(SETTLED)) {
            settler = Thread.currentThread();
            return true;
        }
        if (settler != Thread.currentThread()) {
            while (!result.isDone()) {
                Thread.onSpinWait();
            }
        }
        return false;
    }

    /** {@return whether the outcome is decided, though perhaps not yet published} */
    boolean isSettled() {
        return hasFlag(SETTLED);
    }

    /** Publishes the outcome this caller settled: the value, or what the body threw. */
    void publish(T value, Throwable failure) {
        if (failure == null) {
            result.complete(value);
        } else {
            result.completeExceptionally(failure);
        }
    }

    /**
     * Settles the task as cancelled and completes the result so; {@return whether this call did}
     * (not the body's completion, nor an earlier cancel).
     */
    boolean cancelResult() {
        if (!settle()) {
            return false;
        }
        result.completeExceptionally(new CancellationException(meta.describe() + " was cancelled"));
        return true;
    }

    /** Settles a task none of whose steps will ever run, because its scheduler refused the first. */
    void abandon() {
        cancelResult();
        finished(State.CANCELLED);
    }

    /** The body no longer runs anything: observers hear the outcome, once. */
    void finished(State outcome) {
        if (!trySetFlag(FINISHED)) {
            return;
        }
        timer = null;
        if (!hasFlag(READY) && !hasFlag(TIMER)) {
            executor.taskFinished(this, outcome);
        }
    }

    /** Reports the failure of a detached, finished task to its scheduler, once. */
    void reportFailureIfUnjoinable() {
        if (hasFlag(DETACHED) && hasFlag(FINISHED) && result.isCompletedExceptionally() && !result.isCancelled()
                && !hasFlag(READY) && trySetFlag(FAILURE_REPORTED)) {
            executor.reportFailure(this, result.exceptionNow());
        }
    }

    private boolean hasFlag(int flag) {
        return (flags & flag) != 0;
    }

    private void setFlag(int flag) {
        int current;
        do {
            current = flags;
            if ((current & flag) == flag) {
                return;
            }
        } while (!FLAGS.compareAndSet(this, current, current | flag));
    }

    private boolean trySetFlag(int flag) {
        int current;
        do {
            current = flags;
            if ((current & flag) != 0) {
                return false;
            }
        } while (!FLAGS.compareAndSet(this, current, current | flag));
        return true;
    }
}
