package dev.scheduler;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

/**
 * Any executor: what {@link Executor} and {@link ForegroundExecutor} share, turning bodies into
 * tasks, waiting for futures, timers, the clock, observers and the test hooks. The two differ only
 * in where steps go and which threads may use them, so code that only spawns, waits or watches
 * (metrics, a session context) can take either as this type.
 */
/*
 * Implementation Overview
 * =======================
 *
 * Spawning: a task gets metadata (id, label, priority, the foreground session if any, and a spawn
 * site when the scheduler asks for one), the observer in scope, and a start step (TaskRun) whose
 * body runs on a virtual thread of a TaskRunner, whose continuations come back through dispatch().
 * Observers hear of it before its first step can run: the scheduler's own observer, this
 * executor's, then the one in scope.
 *
 * Waiting: Blocking decides how the caller waits; a thread outside any task blocks in
 * Scheduler.block, which the TestScheduler overrides. No executor code knows which scheduler it is on.
 */
public abstract sealed class AbstractExecutor permits Executor, ForegroundExecutor {

    final Scheduler scheduler;
    private final String name;
    private final TaskObserver schedulerObserver;
    private final List<TaskObserver> observers = new CopyOnWriteArrayList<>();
    private final List<UnaryOperator<Runnable>> decorators = new CopyOnWriteArrayList<>();

    AbstractExecutor(Scheduler scheduler, String name) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.name = Objects.requireNonNull(name, "name");
        this.schedulerObserver = scheduler.taskObserver().orElse(null);
    }

    // ---------------------------------------------------------------- what the handles decide

    /** Hands a step of one of this executor's tasks to the scheduler. */
    abstract void dispatch(Runnable step, TaskMetadata meta);

    /** The foreground session of this executor, or null for background. */
    abstract SessionId session();

    /** Throws unless the calling thread may use this executor. */
    abstract void checkAccess(String operation);

    /** A background executor on the same scheduler, for async dependents. */
    abstract Executor background();

    // ---------------------------------------------------------------- spawning

    /**
     * Spawns {@code body} as a task with medium priority and no label.
     *
     * @param body the work; may block
     * @param <T> the result type
     * @return the task's handle
     * @throws NullPointerException if {@code body} is null
     * @throws RejectedExecutionException if the scheduler is closed
     */
    public final <T> Task<T> spawn(Callable<T> body) {
        return spawn(null, Priority.MEDIUM, body, "spawn");
    }

    /**
     * Spawns {@code body} as a task with medium priority and no label.
     *
     * @param body the work; may block
     * @return the task's handle, completing with {@code null}
     * @throws NullPointerException if {@code body} is null
     * @throws RejectedExecutionException if the scheduler is closed
     */
    public final Task<Void> spawn(Runnable body) {
        return spawn(null, Priority.MEDIUM, callable(body), "spawn");
    }

    /**
     * Spawns {@code body} as a task carrying {@code label}, which shows in reports and metrics and
     * is what {@link #deprioritize(TaskLabel)} matches.
     *
     * @param label the label
     * @param body the work; may block
     * @param <T> the result type
     * @return the task's handle
     * @throws NullPointerException if {@code label} or {@code body} is null
     * @throws RejectedExecutionException if the scheduler is closed
     */
    public final <T> Task<T> spawnLabeled(TaskLabel label, Callable<T> body) {
        return spawn(Objects.requireNonNull(label, "label"), Priority.MEDIUM, body, "spawnLabeled");
    }

    /**
     * Spawns {@code body} as a task carrying {@code label}.
     *
     * @param label the label
     * @param body the work; may block
     * @return the task's handle, completing with {@code null}
     * @throws NullPointerException if {@code label} or {@code body} is null
     * @throws RejectedExecutionException if the scheduler is closed
     */
    public final Task<Void> spawnLabeled(TaskLabel label, Runnable body) {
        return spawn(Objects.requireNonNull(label, "label"), Priority.MEDIUM, callable(body), "spawnLabeled");
    }

    /**
     * Spawns {@code body} as a task whose steps are drawn with {@code priority}'s weight.
     *
     * @param priority the priority
     * @param body the work; may block
     * @param <T> the result type
     * @return the task's handle
     * @throws NullPointerException if {@code priority} or {@code body} is null
     * @throws RejectedExecutionException if the scheduler is closed
     */
    public final <T> Task<T> spawnWithPriority(Priority priority, Callable<T> body) {
        return spawn(null, Objects.requireNonNull(priority, "priority"), body, "spawnWithPriority");
    }

    /**
     * Spawns {@code body} as a task whose steps are drawn with {@code priority}'s weight.
     *
     * @param priority the priority
     * @param body the work; may block
     * @return the task's handle, completing with {@code null}
     * @throws NullPointerException if {@code priority} or {@code body} is null
     * @throws RejectedExecutionException if the scheduler is closed
     */
    public final Task<Void> spawnWithPriority(Priority priority, Runnable body) {
        return spawn(null, Objects.requireNonNull(priority, "priority"), callable(body), "spawnWithPriority");
    }

    /**
     * Spawns {@code body} with an optional label and a priority: the general form of the other
     * spawn methods.
     *
     * @param label the label, or {@code null} for none
     * @param priority the priority
     * @param body the work; may block
     * @param <T> the result type
     * @return the task's handle
     * @throws NullPointerException if {@code priority} or {@code body} is null
     * @throws RejectedExecutionException if the scheduler is closed
     */
    public final <T> Task<T> spawn(TaskLabel label, Priority priority, Callable<T> body) {
        return spawn(label, Objects.requireNonNull(priority, "priority"), body, "spawn");
    }

    private <T> Task<T> spawn(TaskLabel label, Priority priority, Callable<? extends T> body, String operation) {
        return spawn(label, priority, body, operation, false);
    }

    /**
     * Spawns a task whose body has its thread from the spawn on, as {@link Task#thread()} shows:
     * for a body that stands in for a thread the code started (see {@code AdoptedThreads}).
     */
    final Task<Void> spawnOnItsOwnThread(TaskLabel label, Runnable body) {
        return spawn(Objects.requireNonNull(label, "label"), Priority.MEDIUM, callable(body), "spawn", true);
    }

    private <T> Task<T> spawn(TaskLabel label, Priority priority, Callable<? extends T> body, String operation,
            boolean onItsOwnThread) {
        Objects.requireNonNull(body, "body");
        checkAccess(operation);
        TaskMetadata meta = new TaskMetadata(TaskId.next(), label, priority, session(),
                scheduler.capturesSpawnSites() ? SpawnSites.of(body instanceof RunnableBody plain ? plain.body() : body)
                        : null);
        Callable<? extends T> decorated = decorate(body);
        Task<T> task = new Task<>(meta, this, TaskScope.inScope());
        taskSpawned(task);
        try {
            if (onItsOwnThread) {
                TaskRun.startOnItsOwnThread(task, decorated);
            } else {
                TaskRun.start(task, decorated);
            }
        } catch (RuntimeException | Error e) {
            // Nothing of the task will run: settle it so that no observer waits for it forever.
            task.abandon();
            throw e;
        }
        return task;
    }

    private static Callable<Void> callable(Runnable body) {
        return new RunnableBody(Objects.requireNonNull(body, "body"));
    }

    /** A {@code Runnable} body as a {@code Callable}, which keeps it so that its spawn site is its own. */
    private record RunnableBody(Runnable body) implements Callable<Void> {

        @Override
        public Void call() {
            body.run();
            return null;
        }
    }

    /**
     * Returns a task that completes once {@code duration} has passed on the scheduler's clock
     * (virtual time under a {@code TestScheduler}). Cancelling it withdraws the timer.
     *
     * @param duration how long; zero or positive
     * @return a task completing with {@code null} at the deadline
     * @throws NullPointerException if {@code duration} is null
     * @throws IllegalArgumentException if {@code duration} is negative or longer than {@link Scheduler#MAX_DELAY}
     * @throws RejectedExecutionException if the scheduler is closed
     */
    public final Task<Void> timer(Duration duration) {
        Scheduler.requireDelay(duration, "duration");
        checkAccess("timer");
        Task<Void> task = new Task<>(new TaskMetadata(TaskId.next(), null, Priority.MEDIUM, session(), null), this, null);
        TaskRun.startTimer(task, scheduler, duration);
        return task;
    }

    // ---------------------------------------------------------------- blocking

    /**
     * Waits for {@code task} and returns its result. Inside a task body this parks the body; on a
     * {@code TestScheduler}'s thread it drives the scheduler; elsewhere it blocks the thread.
     *
     * @param task what to wait for
     * @param <T> the result type
     * @return the task's result
     * @throws CancellationException if the task was cancelled
     * @throws CompletionException wrapping the task's failure
     * @throws IllegalStateException if a {@code TestScheduler} that forbids parking finds nothing
     *     left to run (a deadlock), naming every pending task
     */
    public final <T> T blockOn(Task<T> task) {
        Objects.requireNonNull(task, "task");
        checkAccess("blockOn");
        task.markObserved();
        await(task, null, session());
        return task.join();
    }

    /**
     * Waits for {@code future} and returns its result, as {@link #blockOn(Task)} does.
     *
     * @param future what to wait for
     * @param <T> the result type
     * @return the future's result
     * @throws CancellationException if the future was cancelled
     * @throws CompletionException wrapping the future's failure
     */
    public final <T> T blockOn(CompletableFuture<T> future) {
        return blockOnStage(Objects.requireNonNull(future, "future"));
    }

    /**
     * Waits for {@code stage} and returns its result, as {@link #blockOn(Task)} does.
     *
     * @param stage what to wait for
     * @param <T> the result type
     * @return the stage's result
     * @throws CancellationException if the stage was cancelled
     * @throws CompletionException wrapping the stage's failure
     */
    public final <T> T blockOn(CompletionStage<T> stage) {
        return blockOnStage(Objects.requireNonNull(stage, "stage"));
    }

    /**
     * Waits for {@code future} and returns its result, as {@link #blockOn(Task)} does.
     *
     * @param future what to wait for
     * @param <T> the result type
     * @return the future's result
     * @throws CancellationException if the future was cancelled
     * @throws CompletionException wrapping the future's failure
     */
    public final <T> T blockOn(Future<T> future) {
        Objects.requireNonNull(future, "future");
        if (future instanceof CompletionStage<?>) {
            @SuppressWarnings("unchecked")
            CompletionStage<T> stage = (CompletionStage<T>) future;
            return blockOnStage(stage);
        }
        checkAccess("blockOn");
        await(future, null, session());
        return outcomeOf(future);
    }

    /**
     * Waits up to {@code timeout} for {@code task}. A task that is not done in time is not
     * cancelled. Under a {@code TestScheduler} the wait gives up after a tick budget drawn from the
     * configured timeout ticks, or when virtual time would pass {@code timeout}; never on wall time.
     *
     * @param timeout the longest to wait; zero or positive
     * @param task what to wait for
     * @param <T> the result type
     * @return the result, or empty if the task was not done in time (or its result is null)
     * @throws CancellationException if the task was cancelled
     * @throws CompletionException wrapping the task's failure
     */
    public final <T> Optional<T> blockWithTimeout(Duration timeout, Task<T> task) {
        Scheduler.requireDelay(timeout, "timeout");
        Objects.requireNonNull(task, "task");
        checkAccess("blockWithTimeout");
        task.markObserved();
        return await(task, timeout, session()) ? Optional.ofNullable(task.join()) : Optional.empty();
    }

    /**
     * Waits up to {@code timeout} for {@code future}, as {@link #blockWithTimeout(Duration, Task)}.
     *
     * @param timeout the longest to wait; zero or positive
     * @param future what to wait for
     * @param <T> the result type
     * @return the result, or empty if the future was not done in time (or its result is null)
     */
    public final <T> Optional<T> blockWithTimeout(Duration timeout, CompletableFuture<T> future) {
        return blockWithTimeoutOnStage(timeout, Objects.requireNonNull(future, "future"));
    }

    /**
     * Waits up to {@code timeout} for {@code stage}, as {@link #blockWithTimeout(Duration, Task)}.
     *
     * @param timeout the longest to wait; zero or positive
     * @param stage what to wait for
     * @param <T> the result type
     * @return the result, or empty if the stage was not done in time (or its result is null)
     */
    public final <T> Optional<T> blockWithTimeout(Duration timeout, CompletionStage<T> stage) {
        return blockWithTimeoutOnStage(timeout, Objects.requireNonNull(stage, "stage"));
    }

    /**
     * Waits up to {@code timeout} for {@code future}, as {@link #blockWithTimeout(Duration, Task)}.
     *
     * @param timeout the longest to wait; zero or positive
     * @param future what to wait for
     * @param <T> the result type
     * @return the result, or empty if the future was not done in time (or its result is null)
     */
    public final <T> Optional<T> blockWithTimeout(Duration timeout, Future<T> future) {
        Objects.requireNonNull(future, "future");
        if (future instanceof CompletionStage<?>) {
            @SuppressWarnings("unchecked")
            CompletionStage<T> stage = (CompletionStage<T>) future;
            return blockWithTimeoutOnStage(timeout, stage);
        }
        Scheduler.requireDelay(timeout, "timeout");
        checkAccess("blockWithTimeout");
        return await(future, timeout, session()) ? Optional.ofNullable(outcomeOf(future)) : Optional.empty();
    }

    private <T> T blockOnStage(CompletionStage<T> stage) {
        if (stage instanceof Task<T> task) {
            return blockOn(task);
        }
        checkAccess("blockOn");
        CompletableFuture<T> future = asFuture(stage);
        await(future, null, session());
        return future.join();
    }

    private <T> Optional<T> blockWithTimeoutOnStage(Duration timeout, CompletionStage<T> stage) {
        if (stage instanceof Task<T> task) {
            return blockWithTimeout(timeout, task);
        }
        Scheduler.requireDelay(timeout, "timeout");
        checkAccess("blockWithTimeout");
        CompletableFuture<T> future = asFuture(stage);
        return await(future, timeout, session()) ? Optional.ofNullable(future.join()) : Optional.empty();
    }

    /** Views any stage as a future that can be polled and can wake a waiter. */
    private static <T> CompletableFuture<T> asFuture(CompletionStage<T> stage) {
        if (stage instanceof CompletableFuture<T> future) {
            // Itself for a plain CompletableFuture; a pollable copy for a minimal stage, whose isDone throws.
            return future.toCompletableFuture();
        }
        CompletableFuture<T> future = new CompletableFuture<>();
        stage.whenComplete((value, failure) -> {
            if (failure == null) {
                future.complete(value);
            } else {
                future.completeExceptionally(failure);
            }
        });
        return future;
    }

    /**
     * Waits until {@code future} is done or {@code timeout} (null: none) passes; see
     * {@link Blocking}. {@code blockingSession} is the foreground session that waits, or null.
     *
     * @return whether the future is done
     */
    final boolean await(Future<?> future, Duration timeout, SessionId blockingSession) {
        return Blocking.await(scheduler, future, timeout, blockingSession);
    }

    private static <T> T outcomeOf(Future<T> future) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw new CompletionException(e.getCause());
        } catch (InterruptedException e) {
            // Unreachable for a done future; keep the interrupt for the caller.
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        }
    }

    // ---------------------------------------------------------------- clock and environment

    /** {@return the current time on the scheduler's clock (virtual under a {@code TestScheduler})} */
    public final Instant now() {
        return scheduler.now();
    }

    /** {@return whether the caller runs on the scheduler's main (foreground) thread} */
    public final boolean isMainThread() {
        return scheduler.isMainThread();
    }

    /** {@return the number of processors available to the JVM} */
    public final int numCpus() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** {@return the scheduler this executor hands its steps to} */
    public final Scheduler scheduler() {
        return scheduler;
    }

    /** {@return this executor's name, which tags its metrics} */
    public final String name() {
        return name;
    }

    // ---------------------------------------------------------------- decorators

    /**
     * Adds a decorator of the body of every task this executor spawns from now on, as Spring's
     * {@code TaskDecorator} decorates what an executor runs. It is called on the spawning thread
     * when the task is spawned, which is where a decorator captures context (MDC, a security
     * context, the current observation); the runnable it returns runs once, on the task's own
     * thread, around the whole body, so what it sets there holds in every step of the body, after
     * each park too, and what it restores is restored when the body ends. Decorators apply in the
     * order they were added: the first wraps the body, the next wraps that.
     *
     * <p>A decorator must run the runnable it is given exactly once: a task whose decorators did not
     * run its body, or ran it twice, fails with {@link IllegalStateException}. What the body throws is
     * the task's outcome even if a decorator catches it.
     *
     * @param decorator the decorator
     * @throws NullPointerException if {@code decorator} is null
     */
    public final void addDecorator(UnaryOperator<Runnable> decorator) {
        decorators.add(Objects.requireNonNull(decorator, "decorator"));
    }

    /**
     * Removes a decorator added with {@link #addDecorator(UnaryOperator)}; tasks spawned already
     * keep it.
     *
     * @param decorator the decorator
     * @return whether it was present
     * @throws NullPointerException if {@code decorator} is null
     */
    public final boolean removeDecorator(UnaryOperator<Runnable> decorator) {
        return decorators.remove(Objects.requireNonNull(decorator, "decorator"));
    }

    /** {@return {@code body} wrapped in the decorators, or {@code body} itself when there are none} */
    private <T> Callable<? extends T> decorate(Callable<? extends T> body) {
        if (decorators.isEmpty()) {
            return body;
        }
        DecoratedBody<T> decorated = new DecoratedBody<>(body);
        Runnable runnable = decorated;
        for (UnaryOperator<Runnable> decorator : decorators) {
            runnable = Objects.requireNonNull(decorator.apply(runnable), () -> "decorator " + decorator + " returned null");
        }
        decorated.outermost = runnable;
        return decorated;
    }

    /**
     * A body as the runnable decorators wrap: it keeps the body's result, and carries a checked
     * exception through the decorators unchanged, to be thrown again as the body's own.
     */
    private static final class DecoratedBody<T> implements Runnable, Callable<T> {

        private final Callable<? extends T> body;
        private Runnable outermost;
        private boolean ran;
        private T result;
        private Throwable failure;

        DecoratedBody(Callable<? extends T> body) {
            this.body = body;
        }

        @Override
        public void run() {
            if (ran) {
                throw new IllegalStateException("A task decorator ran the task's body twice: " + outermost);
            }
            ran = true;
            try {
                result = body.call();
            } catch (RuntimeException | Error e) {
                failure = e;
                throw e;
            } catch (Exception e) {
                failure = e;
                throw new CheckedFailure(e);
            }
        }

        @Override
        public T call() throws Exception {
            try {
                outermost.run();
            } catch (CheckedFailure e) {
                throw e.checked;
            }
            if (!ran) {
                throw new IllegalStateException("A task decorator did not run the task's body: " + outermost);
            }
            // A decorator that caught the body's failure (to log it, say) does not make the task succeed.
            if (failure instanceof Exception checked) {
                throw checked;
            }
            if (failure instanceof Error error) {
                throw error;
            }
            return result;
        }
    }

    /** A checked exception of a body, on its way through the decorators. */
    private static final class CheckedFailure extends RuntimeException {

        private final Exception checked;

        CheckedFailure(Exception checked) {
            super(checked.toString(), checked, false, false);
            this.checked = checked;
        }
    }

    // ---------------------------------------------------------------- observers

    /**
     * Adds an observer told about every task this executor spawns from now on.
     *
     * @param observer the observer
     * @throws NullPointerException if {@code observer} is null
     */
    public final void addObserver(TaskObserver observer) {
        observers.add(Objects.requireNonNull(observer, "observer"));
    }

    /**
     * Removes an observer added with {@link #addObserver(TaskObserver)}.
     *
     * @param observer the observer
     * @return whether it was present
     * @throws NullPointerException if {@code observer} is null
     */
    public final boolean removeObserver(TaskObserver observer) {
        return observers.remove(Objects.requireNonNull(observer, "observer"));
    }

    private void taskSpawned(Task<?> task) {
        TaskEvents.spawned(task);
        tell(task, TaskObserver::taskSpawned);
    }

    /** A thread a body started became {@code task} (see {@code AdoptedThreads}): observers hear of it as of a spawn. */
    final void adopted(Task<?> task) {
        taskSpawned(task);
    }

    final void taskStarted(Task<?> task) {
        TaskEvents.started(task);
        tell(task, TaskObserver::taskStarted);
    }

    final void taskFinished(Task<?> task, Future.State outcome) {
        TaskEvents.finished(task, outcome);
        tell(task, (observer, watched) -> observer.taskFinished(watched, outcome));
    }

    /**
     * Tells every observer of {@code task} one thing, in order: the scheduler, this executor's
     * observers, the observer in scope where it was spawned. One that throws is reported, and the
     * rest are told all the same: an observer never breaks the task it watches.
     */
    private void tell(Task<?> task, BiConsumer<TaskObserver, Task<?>> event) {
        if (schedulerObserver != null) {
            tell(schedulerObserver, task, event);
        }
        for (TaskObserver observer : observers) {
            tell(observer, task, event);
        }
        TaskObserver owner = task.owner();
        if (owner != null) {
            tell(owner, task, event);
        }
    }

    private void tell(TaskObserver observer, Task<?> task, BiConsumer<TaskObserver, Task<?>> event) {
        try {
            event.accept(observer, task);
        } catch (RuntimeException | Error failure) {
            scheduler.reportObserverFailure(observer, task, failure);
        }
    }

    final void reportFailure(Task<?> task, Throwable failure) {
        scheduler.reportFailure(task, failure);
    }

    // ---------------------------------------------------------------- test hooks

    /**
     * Makes tasks with {@code label} run only when nothing else can (test schedulers only).
     *
     * @param label the label to hold back
     * @throws IllegalStateException if the scheduler is not a {@code TestScheduler}
     */
    public final void deprioritize(TaskLabel label) {
        Objects.requireNonNull(label, "label");
        simulation("deprioritize").deprioritize(label);
    }

    /**
     * Runs one step (test schedulers only).
     *
     * @return whether a step ran
     * @throws IllegalStateException if the scheduler is not a {@code TestScheduler}
     */
    public final boolean tick() {
        return simulation("tick").tick();
    }

    /**
     * Runs steps until none can run without time passing (test schedulers only).
     *
     * @throws IllegalStateException if the scheduler is not a {@code TestScheduler}
     */
    public final void runUntilParked() {
        simulation("runUntilParked").runUntilParked();
    }

    /**
     * Moves virtual time forward by {@code duration}, firing every timer that falls due in
     * deadline order (test schedulers only).
     *
     * @param duration how far; zero or positive
     * @throws IllegalStateException if the scheduler is not a {@code TestScheduler}
     */
    public final void advanceClock(Duration duration) {
        Scheduler.requireDelay(duration, "duration");
        simulation("advanceClock").advanceClock(duration);
    }

    /**
     * Lets a random number of other steps run first (test schedulers only): inside a task body the
     * body yields; elsewhere the scheduler ticks.
     *
     * @throws IllegalStateException if the scheduler is not a {@code TestScheduler}
     */
    public final void simulateRandomDelay() {
        simulation("simulateRandomDelay").simulateRandomDelay();
    }

    private Simulation simulation(String operation) {
        return scheduler.as(Simulation.class).orElseThrow(() -> new IllegalStateException(
                operation + "() is a test hook and needs a TestScheduler, but this executor runs on "
                        + scheduler.getClass().getName()));
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + name + " on " + scheduler.getClass().getSimpleName() + "]";
    }
}
