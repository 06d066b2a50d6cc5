package dev.scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

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
 *       until the task is done, exactly like {@link dev.scheduler.Executor#blockOn(Task)}.
 *   <li><b>Cancellation.</b> {@link #cancel()} completes the task as cancelled at once and wakes
 *       its body if it is parked; the body's next blocking point throws
 *       {@link CancellationException}. A body that has not started never starts. Whatever a body
 *       throws after its task was cancelled is a consequence of the cancellation and is ignored.
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
public final class Task<T> implements Future<T>, CompletionStage<T>, AutoCloseable {

    /** What the running code belongs to: the task it runs in, and the observer in scope. */
    record Context(Task<?> task, TaskObserver owner) {
    }

    static final ScopedValue<Context> CONTEXT = ScopedValue.newInstance();

    /** The observer in scope on a thread outside tasks and scoped calls; see TaskObserver.setThreadScope. */
    static final ThreadLocal<TaskObserver> THREAD_SCOPE = new ThreadLocal<>();

    /** Whether any thread ever set a {@link #THREAD_SCOPE}; until then there is none to look up. */
    static volatile boolean threadScopeUsed;

    private static final int DETACHED = 1;
    private static final int OBSERVED = 1 << 1;
    private static final int STARTED = 1 << 2;
    private static final int FINISHED = 1 << 3;
    private static final int FAILURE_REPORTED = 1 << 4;
    private static final int TIMER = 1 << 5;
    /**
     * The outcome is decided: set once, by whichever of completion and cancellation comes first.
     * The winner publishes the result just after (a body's completion once observers have heard of
     * it); a cancel that lost waits for that publication, so that when it returns the task is done.
     */
    private static final int SETTLED = 1 << 6;

    private static final int DUMP_DEPTH = 16;

    private static final System.Logger LOGGER = System.getLogger(Task.class.getName());

    private static final VarHandle FLAGS;

    static {
        try {
            FLAGS = MethodHandles.lookup().findVarHandle(Task.class, "flags", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final TaskMetadata meta;
    private final CompletableFuture<T> result;
    private final AbstractExecutor executor;
    private final TaskObserver owner;
    private Callable<? extends T> body;
    private volatile Thread thread;
    /** The task this task's body waits for without a timeout, if any: the edges of join cycles. */
    private volatile Task<?> awaiting;
    /** The thread that settles the body's outcome, which a losing cancel must not wait for. */
    private volatile Thread settler;
    private volatile Cancellable timer;
    @SuppressWarnings("unused") // updated through FLAGS
    private volatile int flags;

    Task(TaskMetadata meta, AbstractExecutor executor, TaskObserver owner, Callable<? extends T> body) {
        this.meta = meta;
        this.result = new CompletableFuture<>();
        this.executor = executor;
        this.owner = owner;
        this.body = body;
    }

    /**
     * Returns a task that is already complete with {@code value}.
     *
     * @param value the result; may be null
     * @param <T> the result type
     * @return a completed task
     */
    public static <T> Task<T> ready(T value) {
        Task<T> task = new Task<>(new TaskMetadata(TaskId.next(), null, Priority.MEDIUM, null, null), null, null, null);
        task.result.complete(value);
        task.setFlag(STARTED | FINISHED | SETTLED);
        return task;
    }

    /** {@return the task whose body the calling code runs in, if any} */
    public static Optional<Task<?>> current() {
        return Optional.ofNullable(currentOrNull());
    }

    /** {@return the context of the calling code, or null outside any task and scope} */
    static Context context() {
        return CONTEXT.isBound() ? CONTEXT.get() : null;
    }

    static Task<?> currentOrNull() {
        Context context = context();
        return context == null ? null : context.task();
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
        Thread body = thread;
        if (body == null || body.getState() != Thread.State.WAITING && body.getState() != Thread.State.TIMED_WAITING) {
            return List.of();
        }
        List<StackTraceElement> frames = new ArrayList<>();
        for (StackTraceElement frame : body.getStackTrace()) {
            String type = frame.getClassName();
            if (!type.startsWith("java.lang.VirtualThread") && !type.startsWith("jdk.internal.")
                    && !type.startsWith("java.lang.System$") && !type.equals("java.util.concurrent.locks.LockSupport")) {
                frames.add(frame);
            }
        }
        return List.copyOf(frames);
    }

    /**
     * Describes this task for deadlock and leak reports, as a thread dump describes a thread: id,
     * label, where it runs, priority, spawn site, and where its body is parked now. Lines after the
     * first are indented by two spaces.
     *
     * @return the description
     */
    public String dump() {
        String lineBreak = System.lineSeparator();
        StringBuilder out = new StringBuilder(meta.describe()).append(" (")
                .append(meta.isForeground() ? "foreground, " + meta.session() : "background").append(", ")
                .append(meta.priority()).append(')');
        if (meta.spawnSite() != null) {
            out.append(", spawned at ").append(meta.spawnSite());
        }
        List<StackTraceElement> stack = parkedAt();
        if (!stack.isEmpty()) {
            out.append(lineBreak).append("  parked at:");
            for (StackTraceElement frame : stack.subList(0, Math.min(stack.size(), DUMP_DEPTH))) {
                out.append(lineBreak).append("    at ").append(frame);
            }
        } else if (isDone() && hasFlag(FINISHED)) {
            out.append(lineBreak).append("  finished: ").append(state().name().toLowerCase(Locale.ROOT));
        } else {
            out.append(lineBreak).append(hasFlag(STARTED) ? "  running" : "  has not started");
        }
        return out.toString();
    }

    /** {@return whether the outcome was observed: joined, awaited, or handed to a dependent stage} */
    public boolean isObserved() {
        return hasFlag(OBSERVED);
    }

    void markObserved() {
        setFlag(OBSERVED);
    }

    /** Settles a task none of whose steps will ever run, because its scheduler refused the first. */
    void abandon() {
        cancelResult();
        finished(State.CANCELLED);
    }

    AbstractExecutor executor() {
        return executor;
    }

    TaskObserver owner() {
        return owner;
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
            running.interrupt();
        }
        return true;
    }

    /**
     * Settles the task as cancelled and completes the result so; {@return whether this call did}
     * (not the body's completion, nor an earlier cancel).
     */
    private boolean cancelResult() {
        if (!settle()) {
            return false;
        }
        result.completeExceptionally(new CancellationException(meta.describe() + " was cancelled"));
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
     * @throws IllegalStateException if waiting here is impossible, such as a deadlock under a
     *     {@code TestScheduler} that forbids parking
     */
    public T join() {
        setFlag(OBSERVED);
        if (!result.isDone()) {
            awaitingExecutor().await(this, null, null);
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
            awaitingExecutor().await(this, null, null);
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
        if (!result.isDone() && !awaitingExecutor().await(this, wait, null)) {
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

    // ---------------------------------------------------------------- running the body

    /** Starts the body: on a virtual thread carried by the executor's scheduler when possible. */
    void start() {
        Carrier carrier = new Carrier(this);
        if (TaskThreads.available()) {
            Thread carried = TaskThreads.newThread(carrier, carrier);
            thread = carried;
            carried.start();
        } else {
            executor.dispatch(carrier, meta);
        }
    }

    /**
     * The body's runnable and its virtual thread's scheduler in one small object (a task pending by
     * the hundred thousand should not carry two lambdas): it runs the body, and hands each
     * continuation of the body to the executor as a step of this task.
     */
    private record Carrier(Task<?> task) implements Runnable, java.util.concurrent.Executor {

        @Override
        public void run() {
            task.run();
        }

        @Override
        public void execute(Runnable step) {
            try {
                task.executor.dispatch(step, task.meta);
            } catch (RuntimeException refused) {
                if (!task.isStarted()) {
                    throw refused; // the first step: spawn() reports the refusal to its caller
                }
                // A continuation, resumed by whatever woke the body: an unpark, a JDK unblocker or
                // timer thread. The exception must not land on that thread; the task ends here.
                task.continuationRefused(refused);
            }
        }
    }

    /**
     * The scheduler refused a continuation of the body (it was closed, or it failed): the body can
     * never resume, so the task ends as cancelled, and is named in the log unless its scheduler had
     * cancelled it already while closing.
     */
    private void continuationRefused(RuntimeException refused) {
        boolean cancelledNow = cancelResult();
        finished(State.CANCELLED);
        thread = null;
        LOGGER.log(cancelledNow ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
                () -> "Dropped a continuation of " + meta.describe() + ", which is cancelled: " + refused);
    }

    private void run() {
        if (hasFlag(SETTLED)) {
            // Cancelled before it started: the body never runs.
            finished(State.CANCELLED);
            thread = null;
            return;
        }
        setFlag(STARTED);
        executor.taskStarted(this);
        // Complete inside the body's scope: dependents that run now, and wake-ups they cause, still
        // belong to this task (its session, and a TestScheduler's view of who is calling).
        ScopedValue.where(CONTEXT, new Context(this, owner)).run(this::runBody);
    }

    private void runBody() {
        T value = null;
        Throwable failure = null;
        try {
            value = body.call();
        } catch (Throwable e) {
            failure = e;
        }
        State outcome = failure == null ? State.SUCCESS
                : failure instanceof CancellationException ? State.CANCELLED : State.FAILED;
        if (!settle()) {
            // Cancelled while it ran: the result says so already, and what the body did is dropped.
            finished(State.CANCELLED);
        } else {
            // Observers learn the outcome before anyone waiting for the result wakes: whoever joins
            // this task never finds it still running in a session, a registry or a gauge.
            finished(outcome);
            if (failure == null) {
                result.complete(value);
            } else {
                result.completeExceptionally(failure);
            }
        }
        thread = null;
        reportFailureIfUnjoinable();
    }

    /** Completes a timer task when its deadline passes. */
    void startTimer(Scheduler scheduler, Duration delay) {
        setFlag(STARTED | TIMER);
        @SuppressWarnings("unchecked")
        Task<Void> self = (Task<Void>) this;
        timer = scheduler.scheduleAfter(delay, new Deadline(self));
    }

    /**
     * A timer task's step. It is a {@link Future} of the task too, so that a scheduler that drops it
     * unrun (closing) cancels it, as the {@link Scheduler#scheduleAfter} contract asks, and whoever
     * waits for the timer wakes instead of waiting forever.
     */
    private record Deadline(Task<Void> task) implements java.util.concurrent.RunnableFuture<Void> {

        @Override
        public void run() {
            if (task.settle()) {
                task.finished(State.SUCCESS);
                task.result.complete(null);
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return task.cancel(false);
        }

        @Override
        public boolean isCancelled() {
            return task.isCancelled();
        }

        @Override
        public boolean isDone() {
            return task.isDone();
        }

        @Override
        public Void get() throws InterruptedException, ExecutionException {
            return task.result.get();
        }

        @Override
        public Void get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
            return task.result.get(timeout, unit);
        }
    }

    private void finished(State outcome) {
        if (!trySetFlag(FINISHED)) {
            return;
        }
        body = null;
        timer = null;
        if (executor != null && !hasFlag(TIMER)) {
            executor.taskFinished(this, outcome);
        }
    }

    private void reportFailureIfUnjoinable() {
        if (hasFlag(DETACHED) && hasFlag(FINISHED) && result.isCompletedExceptionally() && !result.isCancelled()
                && trySetFlag(FAILURE_REPORTED)) {
            Throwable failure = result.exceptionNow();
            if (executor != null) {
                executor.reportFailure(this, failure);
            }
        }
    }

    private AbstractExecutor awaitingExecutor() {
        // Only a ready task has no executor, and it is done, so no path that waits reaches here with it.
        return executor;
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

    /**
     * Decides the outcome, once; {@return whether this call did} The caller that wins publishes the
     * result next. A caller that loses returns only once the winner has published (a few quick
     * observer callbacks at most), so that every call that lost happens after the task is done;
     * the winner's own thread, re-entering from an observer, does not wait for itself.
     */
    private boolean settle() {
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

    /** {@return the task this task's body waits for without a timeout, or null} */
    Task<?> awaiting() {
        return awaiting;
    }

    void awaiting(Task<?> target) {
        awaiting = target;
    }

    /** The task's result, for waiting without counting as an observation of its outcome. */
    CompletableFuture<T> result() {
        return result;
    }

    @Override
    public String toString() {
        String state = isDone() ? state().name().toLowerCase(Locale.ROOT)
                : hasFlag(STARTED) ? "running" : "scheduled";
        return meta.describe() + " (" + state + ")";
    }

    // ---------------------------------------------------------------- CompletionStage

    private CompletableFuture<T> dependent() {
        setFlag(OBSERVED);
        return result;
    }

    private Executor asyncExecutor() {
        return executor == null ? ForkJoinPoolHolder.COMMON : executor.background();
    }

    /** Keeps the common pool out of class initialization unless a ready task needs it. */
    private static final class ForkJoinPoolHolder {
        static final Executor COMMON = java.util.concurrent.ForkJoinPool.commonPool();
    }

    @Override
    public <U> CompletableFuture<U> thenApply(Function<? super T, ? extends U> fn) {
        Objects.requireNonNull(fn, "fn");
        return dependent().thenApply(fn);
    }

    @Override
    public <U> CompletableFuture<U> thenApplyAsync(Function<? super T, ? extends U> fn) {
        Objects.requireNonNull(fn, "fn");
        return dependent().thenApplyAsync(fn, asyncExecutor());
    }

    @Override
    public <U> CompletableFuture<U> thenApplyAsync(Function<? super T, ? extends U> fn, Executor executor) {
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(executor, "executor");
        return dependent().thenApplyAsync(fn, executor);
    }

    @Override
    public CompletableFuture<Void> thenAccept(Consumer<? super T> action) {
        Objects.requireNonNull(action, "action");
        return dependent().thenAccept(action);
    }

    @Override
    public CompletableFuture<Void> thenAcceptAsync(Consumer<? super T> action) {
        Objects.requireNonNull(action, "action");
        return dependent().thenAcceptAsync(action, asyncExecutor());
    }

    @Override
    public CompletableFuture<Void> thenAcceptAsync(Consumer<? super T> action, Executor executor) {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(executor, "executor");
        return dependent().thenAcceptAsync(action, executor);
    }

    @Override
    public CompletableFuture<Void> thenRun(Runnable action) {
        Objects.requireNonNull(action, "action");
        return dependent().thenRun(action);
    }

    @Override
    public CompletableFuture<Void> thenRunAsync(Runnable action) {
        Objects.requireNonNull(action, "action");
        return dependent().thenRunAsync(action, asyncExecutor());
    }

    @Override
    public CompletableFuture<Void> thenRunAsync(Runnable action, Executor executor) {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(executor, "executor");
        return dependent().thenRunAsync(action, executor);
    }

    @Override
    public <U, V> CompletableFuture<V> thenCombine(
            CompletionStage<? extends U> other, BiFunction<? super T, ? super U, ? extends V> fn) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(fn, "fn");
        return dependent().thenCombine(other, fn);
    }

    @Override
    public <U, V> CompletableFuture<V> thenCombineAsync(
            CompletionStage<? extends U> other, BiFunction<? super T, ? super U, ? extends V> fn) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(fn, "fn");
        return dependent().thenCombineAsync(other, fn, asyncExecutor());
    }

    @Override
    public <U, V> CompletableFuture<V> thenCombineAsync(
            CompletionStage<? extends U> other, BiFunction<? super T, ? super U, ? extends V> fn, Executor executor) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(executor, "executor");
        return dependent().thenCombineAsync(other, fn, executor);
    }

    @Override
    public <U> CompletableFuture<Void> thenAcceptBoth(
            CompletionStage<? extends U> other, BiConsumer<? super T, ? super U> action) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(action, "action");
        return dependent().thenAcceptBoth(other, action);
    }

    @Override
    public <U> CompletableFuture<Void> thenAcceptBothAsync(
            CompletionStage<? extends U> other, BiConsumer<? super T, ? super U> action) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(action, "action");
        return dependent().thenAcceptBothAsync(other, action, asyncExecutor());
    }

    @Override
    public <U> CompletableFuture<Void> thenAcceptBothAsync(
            CompletionStage<? extends U> other, BiConsumer<? super T, ? super U> action, Executor executor) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(executor, "executor");
        return dependent().thenAcceptBothAsync(other, action, executor);
    }

    @Override
    public CompletableFuture<Void> runAfterBoth(CompletionStage<?> other, Runnable action) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(action, "action");
        return dependent().runAfterBoth(other, action);
    }

    @Override
    public CompletableFuture<Void> runAfterBothAsync(CompletionStage<?> other, Runnable action) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(action, "action");
        return dependent().runAfterBothAsync(other, action, asyncExecutor());
    }

    @Override
    public CompletableFuture<Void> runAfterBothAsync(CompletionStage<?> other, Runnable action, Executor executor) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(executor, "executor");
        return dependent().runAfterBothAsync(other, action, executor);
    }

    @Override
    public <U> CompletableFuture<U> applyToEither(CompletionStage<? extends T> other, Function<? super T, U> fn) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(fn, "fn");
        return dependent().applyToEither(other, fn);
    }

    @Override
    public <U> CompletableFuture<U> applyToEitherAsync(CompletionStage<? extends T> other, Function<? super T, U> fn) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(fn, "fn");
        return dependent().applyToEitherAsync(other, fn, asyncExecutor());
    }

    @Override
    public <U> CompletableFuture<U> applyToEitherAsync(
            CompletionStage<? extends T> other, Function<? super T, U> fn, Executor executor) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(executor, "executor");
        return dependent().applyToEitherAsync(other, fn, executor);
    }

    @Override
    public CompletableFuture<Void> acceptEither(CompletionStage<? extends T> other, Consumer<? super T> action) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(action, "action");
        return dependent().acceptEither(other, action);
    }

    @Override
    public CompletableFuture<Void> acceptEitherAsync(CompletionStage<? extends T> other, Consumer<? super T> action) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(action, "action");
        return dependent().acceptEitherAsync(other, action, asyncExecutor());
    }

    @Override
    public CompletableFuture<Void> acceptEitherAsync(
            CompletionStage<? extends T> other, Consumer<? super T> action, Executor executor) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(executor, "executor");
        return dependent().acceptEitherAsync(other, action, executor);
    }

    @Override
    public CompletableFuture<Void> runAfterEither(CompletionStage<?> other, Runnable action) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(action, "action");
        return dependent().runAfterEither(other, action);
    }

    @Override
    public CompletableFuture<Void> runAfterEitherAsync(CompletionStage<?> other, Runnable action) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(action, "action");
        return dependent().runAfterEitherAsync(other, action, asyncExecutor());
    }

    @Override
    public CompletableFuture<Void> runAfterEitherAsync(CompletionStage<?> other, Runnable action, Executor executor) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(executor, "executor");
        return dependent().runAfterEitherAsync(other, action, executor);
    }

    @Override
    public <U> CompletableFuture<U> thenCompose(Function<? super T, ? extends CompletionStage<U>> fn) {
        Objects.requireNonNull(fn, "fn");
        return dependent().thenCompose(fn);
    }

    @Override
    public <U> CompletableFuture<U> thenComposeAsync(Function<? super T, ? extends CompletionStage<U>> fn) {
        Objects.requireNonNull(fn, "fn");
        return dependent().thenComposeAsync(fn, asyncExecutor());
    }

    @Override
    public <U> CompletableFuture<U> thenComposeAsync(
            Function<? super T, ? extends CompletionStage<U>> fn, Executor executor) {
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(executor, "executor");
        return dependent().thenComposeAsync(fn, executor);
    }

    @Override
    public <U> CompletableFuture<U> handle(BiFunction<? super T, Throwable, ? extends U> fn) {
        Objects.requireNonNull(fn, "fn");
        return dependent().handle(fn);
    }

    @Override
    public <U> CompletableFuture<U> handleAsync(BiFunction<? super T, Throwable, ? extends U> fn) {
        Objects.requireNonNull(fn, "fn");
        return dependent().handleAsync(fn, asyncExecutor());
    }

    @Override
    public <U> CompletableFuture<U> handleAsync(BiFunction<? super T, Throwable, ? extends U> fn, Executor executor) {
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(executor, "executor");
        return dependent().handleAsync(fn, executor);
    }

    @Override
    public CompletableFuture<T> whenComplete(BiConsumer<? super T, ? super Throwable> action) {
        Objects.requireNonNull(action, "action");
        return dependent().whenComplete(action);
    }

    @Override
    public CompletableFuture<T> whenCompleteAsync(BiConsumer<? super T, ? super Throwable> action) {
        Objects.requireNonNull(action, "action");
        return dependent().whenCompleteAsync(action, asyncExecutor());
    }

    @Override
    public CompletableFuture<T> whenCompleteAsync(BiConsumer<? super T, ? super Throwable> action, Executor executor) {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(executor, "executor");
        return dependent().whenCompleteAsync(action, executor);
    }

    @Override
    public CompletableFuture<T> exceptionally(Function<Throwable, ? extends T> fn) {
        Objects.requireNonNull(fn, "fn");
        return dependent().exceptionally(fn);
    }

    @Override
    public CompletableFuture<T> exceptionallyAsync(Function<Throwable, ? extends T> fn) {
        Objects.requireNonNull(fn, "fn");
        return dependent().exceptionallyAsync(fn, asyncExecutor());
    }

    @Override
    public CompletableFuture<T> exceptionallyAsync(Function<Throwable, ? extends T> fn, Executor executor) {
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(executor, "executor");
        return dependent().exceptionallyAsync(fn, executor);
    }

    @Override
    public CompletableFuture<T> exceptionallyCompose(Function<Throwable, ? extends CompletionStage<T>> fn) {
        Objects.requireNonNull(fn, "fn");
        return dependent().exceptionallyCompose(fn);
    }

    @Override
    public CompletableFuture<T> exceptionallyComposeAsync(Function<Throwable, ? extends CompletionStage<T>> fn) {
        Objects.requireNonNull(fn, "fn");
        return dependent().exceptionallyComposeAsync(fn, asyncExecutor());
    }

    @Override
    public CompletableFuture<T> exceptionallyComposeAsync(
            Function<Throwable, ? extends CompletionStage<T>> fn, Executor executor) {
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(executor, "executor");
        return dependent().exceptionallyComposeAsync(fn, executor);
    }

    /**
     * {@return a {@link CompletableFuture} that completes as this task does} Completing or
     * cancelling the returned future does not affect this task.
     */
    @Override
    public CompletableFuture<T> toCompletableFuture() {
        return dependent().copy();
    }
}
