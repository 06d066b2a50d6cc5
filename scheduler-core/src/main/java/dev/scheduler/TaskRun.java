package dev.scheduler;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a task's body: on a virtual thread carried by the executor's scheduler when it can, as a
 * plain step when it cannot, and hands each continuation of the body back to the executor as a
 * step of the task. It is the body's runnable and its virtual thread's scheduler in one small
 * object: a task pending by the hundred thousand should not carry two.
 *
 * <p>The JDK gives a virtual thread started on a virtual thread the scheduler of the thread that
 * started it, so every virtual thread a body starts has this as its scheduler too: the body's own
 * {@code Thread.ofVirtual().start(...)}, a virtual-thread-per-task executor it opens, and the
 * JDK's own, such as its socket pollers, started lazily by the first socket operation in the JVM
 * that has to wait on a virtual thread. Such a thread is not the task: its continuations go to the
 * JDK's scheduler of virtual threads, and it goes on running after the task ended and after its
 * executor closed. Had they been the task's steps, the pollers of the whole JVM would stop with the
 * first executor to close, and every socket read on a virtual thread would hang.
 *
 * <p>A scheduler that adopts threads ({@link Simulation#adoptsThreads()}, the {@code TestScheduler}
 * with the test agent) makes each such thread a task of its own instead: see {@link AdoptedThreads}.
 *
 * <p>Once the body has returned, nothing here is the task's any more: the body's own thread, should
 * it wait while it unwinds, and every thread it started continue on the JDK's scheduler, and this
 * keeps neither the task nor the body's thread. A body whose continuation its executor refused stays
 * dropped: it is not resumed anywhere else.
 */
final class TaskRun<T> implements Runnable, java.util.concurrent.Executor {

    private static final System.Logger LOGGER = System.getLogger(Task.class.getName());

    /** Stands for the body's thread's continuation once the body has returned, so that none is kept. */
    private static final Runnable ENDED = () -> { };

    /**
     * The task, until its body's thread is done with it: then null, so that a thread the body
     * started, which keeps this as its scheduler, does not keep the task and its executor too.
     */
    private Task<T> task;
    /** The body, until it returns (or is dropped unrun): null then. */
    private Callable<? extends T> body;
    /**
     * The continuation of the body's own thread: the first one handed to {@link #execute}, by the
     * thread's start; {@link #ENDED} once the body has returned. Written before the body runs, so
     * read after it by whoever resumes the body or a thread the body started.
     */
    private Runnable ownContinuation;

    private TaskRun(Task<T> task, Callable<? extends T> body) {
        this.task = task;
        this.body = body;
    }

    /** Starts the body of {@code task}; its first step goes to the executor now. */
    static <T> void start(Task<T> task, Callable<? extends T> body) {
        TaskRun<T> run = new TaskRun<>(task, body);
        if (TaskThreads.available()) {
            // Unnamed until its first step names it (see run()): a task waiting to start holds no name.
            Thread carried = TaskThreads.newThread(run, "", run);
            task.thread(carried);
            carried.start();
        } else {
            task.executor().dispatch(run, task.metadata());
        }
    }

    /** Completes the timer task {@code task} once {@code delay} has passed on {@code scheduler}'s clock. */
    static void startTimer(Task<Void> task, Scheduler scheduler, Duration delay) {
        task.markTimer();
        task.timer(scheduler.scheduleAfter(delay, new Deadline(task)));
    }

    /**
     * {@return the scheduler the body's steps run on, if {@code thread} is the body's own thread
     * (still running it), or null: a thread the body started keeps the JDK's clock}
     */
    Scheduler schedulerOf(Thread thread) {
        Task<T> owner = task;
        return owner != null && owner.thread().orElse(null) == thread ? owner.executor().scheduler() : null;
    }

    // ---------------------------------------------------------------- the body

    @Override
    public void run() {
        if (task.isSettled()) {
            // Cancelled before it started: the body never runs.
            body = null;
            task.finished(Future.State.CANCELLED);
            task.thread(null);
            ended();
            return;
        }
        Thread current = Thread.currentThread();
        if (task.thread().orElse(null) == current) {
            // Named for the task, so that thread dumps, JFR and %thread in log patterns say which task
            // it is; named now rather than at the spawn, so that a backlog of tasks waiting to start
            // costs no string each.
            TaskMetadata meta = task.metadata();
            current.setName(meta.label() == null ? "task-" + meta.id().value()
                    : "task-" + meta.id().value() + " " + meta.label());
        }
        task.markStarted();
        // Complete inside the body's scope: dependents that run now, and wake-ups they cause, still
        // belong to this task (its session, and a TestScheduler's view of who is calling).
        TaskScope.runAs(task, task.owner(), this::runBody);
    }

    private void runBody() {
        T value = null;
        Throwable failure = null;
        try {
            value = body.call();
        } catch (Throwable e) {
            failure = e;
        }
        body = null;
        if (!task.settle()) {
            // Cancelled while it ran: the result says so already, and what the body did is dropped.
            task.finished(Future.State.CANCELLED);
        } else {
            // Observers learn the outcome before anyone waiting for the result wakes: whoever joins
            // this task never finds it still running in a session, a registry or a gauge.
            task.finished(failure == null ? Future.State.SUCCESS
                    : failure instanceof CancellationException ? Future.State.CANCELLED : Future.State.FAILED);
            task.publish(value, failure);
        }
        task.thread(null);
        task.reportFailureIfUnjoinable();
        ended();
    }

    /** The body has returned: from now on, every continuation goes to the JDK's scheduler. */
    private void ended() {
        task = null;
        ownContinuation = ENDED;
    }

    // ---------------------------------------------------------------- continuations

    @Override
    public void execute(Runnable step) {
        if (ownContinuation == null) {
            ownContinuation = step;
        }
        Task<T> task = this.task;
        if (step != ownContinuation) {
            // A thread the body started (see the class comment), or the body's own thread unwinding
            // after the body returned: a task of its own if the scheduler adopts it.
            Task<Void> adopted = AdoptedThreads.of(step, task);
            if (adopted != null) {
                AdoptedThreads.dispatch(adopted, step);
            } else {
                ThreadWaits.defaultScheduler().execute(step);
            }
            return;
        }
        if (task == null) {
            // The body's thread, whose continuation was refused, resubmitted by the JDK (a stack
            // trace of it does that): it was dropped, and stays dropped.
            return;
        }
        try {
            task.executor().dispatch(step, task.metadata());
        } catch (RuntimeException refused) {
            if (!task.isStarted()) {
                throw refused; // the first step: spawn() reports the refusal to its caller
            }
            if (body == null || AdoptedThreads.isStandIn(task.thread().orElse(null))) {
                // The body has returned, and its thread waited while it told observers and
                // dependents: the task is done, so the rest runs wherever it can. Or the body runs a
                // platform thread the code started, which must go on running as such a thread does.
                ThreadWaits.defaultScheduler().execute(step);
                return;
            }
            // A continuation, resumed by whatever woke the body: an unpark, a JDK unblocker or
            // timer thread. The exception must not land on that thread; the task ends here.
            continuationRefused(task, refused);
        }
    }

    /**
     * The scheduler refused a continuation of the body (it was closed, or it failed): the body can
     * never resume, so the task ends as cancelled, and is named in the log unless its scheduler had
     * cancelled it already while closing.
     */
    private void continuationRefused(Task<T> task, RuntimeException refused) {
        boolean cancelledNow = task.cancelResult();
        task.finished(Future.State.CANCELLED);
        task.thread(null);
        this.task = null;
        LOGGER.log(cancelledNow ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
                () -> "Dropped a continuation of " + task.metadata().describe() + ", which is cancelled: " + refused);
    }

    // ---------------------------------------------------------------- timers

    /**
     * A timer task's step. It is a {@link Future} of the task too, so that a scheduler that drops it
     * unrun (closing) cancels it, as the {@link Scheduler#scheduleAfter} contract asks, and whoever
     * waits for the timer wakes instead of waiting forever.
     */
    private record Deadline(Task<Void> task) implements RunnableFuture<Void> {

        @Override
        public void run() {
            if (task.settle()) {
                task.finished(Future.State.SUCCESS);
                task.publish(null, null);
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
            return task.result().get();
        }

        @Override
        public Void get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
            return task.result().get(timeout, unit);
        }
    }
}
