package dev.scheduler;

import dev.scheduler.test.TestScheduler;
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

/**
 * What {@link Executor} and {@link ForegroundExecutor} share: turning bodies into tasks, waiting for
 * futures, timers, the clock and the test hooks. The two public handles differ only in where steps
 * go and which threads may use them.
 */
/*
 * Implementation Overview
 * =======================
 *
 * Spawning: a task gets metadata (id, label, priority, the foreground session if any, and a spawn
 * site when the scheduler asks for one), the observer in scope, and a virtual thread whose
 * continuations come back through dispatch(). Observers hear of it before its first step can run.
 *
 * Waiting (await): there are four situations, tried in order.
 *   1. The future is done: nothing to do.
 *   2. The caller is a task body on its own virtual thread: park that thread at once (never spin:
 *      on a single carrier, spinning only delays the step that would complete the future) and let
 *      the future's completion unpark it. A timeout is a timer on the body's own scheduler, so it is
 *      virtual time under a TestScheduler.
 *   3. The caller is a plain-step body (virtual threads unavailable): it cannot park without
 *      blocking its carrier, so fail with the flag that fixes it.
 *   4. Otherwise the caller is an ordinary thread. Under a TestScheduler it drives the simulation
 *      (TestScheduler.block); elsewhere it parks through Scheduler.park/unparker.
 */
abstract sealed class AbstractExecutor permits Executor, ForegroundExecutor {

    /** How far a join chain is followed looking for a cycle; longer chains are not checked. */
    private static final int MAX_JOIN_CHAIN = 1_000;

    final Scheduler scheduler;
    private final String name;
    private final TaskObserver schedulerObserver;
    private final List<TaskObserver> observers = new CopyOnWriteArrayList<>();

    AbstractExecutor(Scheduler scheduler, String name) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.name = Objects.requireNonNull(name, "name");
        this.schedulerObserver = scheduler.as(TaskObserver.class).orElse(null);
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
        Objects.requireNonNull(body, "body");
        checkAccess(operation);
        TaskMetadata meta = new TaskMetadata(TaskId.next(), label, priority, session(),
                scheduler.capturesSpawnSites() ? SpawnSites.caller() : null);
        Task<T> task = new Task<>(meta, this, TaskObserver.inScope(), body);
        taskSpawned(task);
        try {
            task.start();
        } catch (RuntimeException | Error e) {
            // Nothing of the task will run: settle it so that no observer waits for it forever.
            task.abandon();
            throw e;
        }
        return task;
    }

    private static Callable<Void> callable(Runnable body) {
        Objects.requireNonNull(body, "body");
        return () -> {
            body.run();
            return null;
        };
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
        Task<Void> task = new Task<>(new TaskMetadata(TaskId.next(), null, Priority.MEDIUM, session(), null),
                this, null, null);
        task.startTimer(scheduler, duration);
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

    /** Arranges for {@code wake} to run when {@code future} completes; false if it cannot tell. */
    private static boolean onDone(Future<?> future, Runnable wake) {
        CompletableFuture<?> completable = future instanceof Task<?> task ? task.result()
                : future instanceof CompletableFuture<?> cf ? cf : null;
        if (completable == null) {
            return false;
        }
        completable.whenComplete((value, failure) -> wake.run());
        return true;
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

    /**
     * Waits until {@code future} is done or {@code timeout} (null: none) passes; see the overview.
     * {@code blockingSession} is the foreground session that waits, whose own steps a
     * {@code TestScheduler} then holds back, or null.
     *
     * @return whether the future is done
     */
    final boolean await(Future<?> future, Duration timeout, SessionId blockingSession) {
        if (future.isDone()) {
            return true;
        }
        Task<?> current = Task.currentOrNull();
        Thread caller = Thread.currentThread();
        if (current != null && current.thread().orElse(null) == caller) {
            return parkBody(current, future, timeout);
        }
        if (current != null && !caller.isVirtual()) {
            throw TaskThreads.carrierRequired("Waiting for " + describe(future));
        }
        Optional<TestScheduler> test = scheduler.as(TestScheduler.class);
        if (test.isPresent()) {
            return test.get().block(blockingSession, future::isDone, timeout);
        }
        if (timeout == null && future instanceof Task<?> target && target.metadata().isForeground()
                && target.executor().scheduler.mainThread().orElse(null) == caller) {
            throw new IllegalStateException("Waiting for " + target + " on thread \"" + caller.getName()
                    + "\" could never end: it is a foreground task, and this thread, which runs the foreground "
                    + "steps, would be the one blocked. Wait inside a foreground task instead (it parks only the "
                    + "task), or from another thread.");
        }
        return parkThread(future, timeout);
    }

    private static boolean parkBody(Task<?> current, Future<?> future, Duration timeout) {
        if (timeout == null && future instanceof Task<?> target) {
            current.awaiting(target);
            try {
                refuseJoinCycle(current, target);
                return parkBodyOn(current, future, null);
            } finally {
                current.awaiting(null);
            }
        }
        return parkBodyOn(current, future, timeout);
    }

    /**
     * Fails at once if {@code waiter}, which now waits for {@code target}, closes a cycle of tasks
     * each waiting for the next: none of them could ever finish. Each waiter records its edge
     * before it follows the chain, so of two tasks that close a cycle at the same moment at least
     * one sees the other's edge.
     */
    private static void refuseJoinCycle(Task<?> waiter, Task<?> target) {
        Task<?> next = target;
        for (int hops = 0; next != null && hops < MAX_JOIN_CHAIN; hops++) {
            if (next == waiter) {
                throw new IllegalStateException(describeCycle(waiter, target));
            }
            next = next.isDone() ? null : next.awaiting();
        }
    }

    private static String describeCycle(Task<?> waiter, Task<?> target) {
        StringBuilder cycle = new StringBuilder("Join cycle: ").append(waiter.metadata().describe());
        if (target == waiter) {
            return cycle.append(" waits for itself, so it can never finish").toString();
        }
        // The edges may change while we read them (another task of the cycle may give up): stop at a gap.
        Task<?> next = target;
        for (int hops = 0; next != null && hops < MAX_JOIN_CHAIN; hops++) {
            cycle.append(" waits for ").append(next.metadata().describe());
            if (next == waiter) {
                break;
            }
            next = next.awaiting();
        }
        return cycle.append(", so none of them can ever finish").toString();
    }

    private static boolean parkBodyOn(Task<?> current, Future<?> future, Duration timeout) {
        Thread body = Thread.currentThread();
        if (!onDone(future, () -> LockSupport.unpark(body))) {
            // A plain Future cannot wake us; its own get() parks this virtual thread instead.
            return getBlocking(future, timeout);
        }
        boolean[] timedOut = new boolean[1];
        Cancellable timer = null;
        if (timeout != null) {
            timer = current.executor().scheduler.scheduleAfter(timeout, () -> {
                timedOut[0] = true;
                LockSupport.unpark(body);
            });
        }
        boolean interrupted = false;
        try {
            while (!future.isDone()) {
                if (current.isCancelled()) {
                    throw new CancellationException(current + " was cancelled while waiting for " + describe(future));
                }
                if (timedOut[0]) {
                    return false;
                }
                LockSupport.park(future);
                if (Thread.interrupted()) {
                    interrupted = true;
                }
            }
            return true;
        } finally {
            if (timer != null) {
                timer.cancel();
            }
            if (interrupted) {
                body.interrupt();
            }
        }
    }

    private boolean parkThread(Future<?> future, Duration timeout) {
        Unparker unparker = scheduler.unparker();
        if (!onDone(future, unparker::unpark)) {
            return getBlocking(future, timeout);
        }
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        boolean interrupted = false;
        try {
            while (!future.isDone()) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                scheduler.park(Duration.ofNanos(Math.min(remaining, TimeUnit.DAYS.toNanos(1))));
                if (Thread.interrupted()) {
                    interrupted = true;
                }
            }
            return true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static boolean getBlocking(Future<?> future, Duration timeout) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (timeout == null) {
                        future.get();
                    } else {
                        future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
                    }
                    return true;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (TimeoutException e) {
                    return false;
                } catch (ExecutionException | CancellationException e) {
                    return true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String describe(Future<?> future) {
        return future instanceof Task<?> ? future.toString() : future.getClass().getName();
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
        tell(task, TaskObserver::taskSpawned);
    }

    final void taskStarted(Task<?> task) {
        tell(task, TaskObserver::taskStarted);
    }

    final void taskFinished(Task<?> task, Future.State outcome) {
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
        testScheduler("deprioritize").deprioritize(label);
    }

    /**
     * Runs one step (test schedulers only).
     *
     * @return whether a step ran
     * @throws IllegalStateException if the scheduler is not a {@code TestScheduler}
     */
    public final boolean tick() {
        return testScheduler("tick").tick();
    }

    /**
     * Runs steps until none can run without time passing (test schedulers only).
     *
     * @throws IllegalStateException if the scheduler is not a {@code TestScheduler}
     */
    public final void runUntilParked() {
        testScheduler("runUntilParked").runUntilParked();
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
        testScheduler("advanceClock").advanceClock(duration);
    }

    /**
     * Lets a random number of other steps run first (test schedulers only): inside a task body the
     * body yields; elsewhere the scheduler ticks.
     *
     * @throws IllegalStateException if the scheduler is not a {@code TestScheduler}
     */
    public final void simulateRandomDelay() {
        testScheduler("simulateRandomDelay").simulateRandomDelay();
    }

    private TestScheduler testScheduler(String operation) {
        return scheduler.as(TestScheduler.class).orElseThrow(() -> new IllegalStateException(
                operation + "() is a test hook and needs a TestScheduler, but this executor runs on "
                        + scheduler.getClass().getName()));
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + name + " on " + scheduler.getClass().getSimpleName() + "]";
    }
}
