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
 * One run of a task's body: its start step, which a scheduler runs like any other, the body, and
 * what the body inherited from its spawner. The body runs on a {@link TaskRunner}'s virtual thread
 * when virtual threads carried by our schedulers are available, and as a plain step when they are
 * not; each continuation of the body comes back here from the runner and goes to the executor as a
 * step of the task. A task pending by the hundred thousand holds no thread: it gets one when its
 * start step runs.
 *
 * <p>Threads a body starts are not the task (see {@link TaskRunner}): their continuations go to the
 * JDK's scheduler of virtual threads, or become tasks of their own where the scheduler adopts
 * threads ({@link AdoptedThreads}), and they go on running after the task ended and after its
 * executor closed. Had they been the task's steps, the JDK's socket pollers, started lazily by the
 * first socket operation in the JVM that has to wait on a virtual thread, would stop with the first
 * executor to close, and every socket read on a virtual thread would hang.
 *
 * <p>Once the body has returned, nothing here is the task's any more: the body's own thread, should
 * it wait while it unwinds, continues on the JDK's scheduler, and this keeps neither the task nor
 * the body. A body whose continuation its executor refused stays dropped: it is not resumed
 * anywhere else.
 */
final class TaskRun<T> implements Runnable {

    private static final System.Logger LOGGER = System.getLogger(Task.class.getName());

    /**
     * The task, until its body is done with it: then null, so that a thread the body started, which
     * keeps the body's runner as its scheduler, does not keep the task and its executor too.
     */
    private Task<T> task;
    /** The body, until it returns (or is dropped unrun): null then. */
    private Callable<? extends T> body;
    /** What the body inherits from its spawner; null when bodies run as plain steps. */
    private final TaskThreads.Context context;

    private TaskRun(Task<T> task, Callable<? extends T> body) {
        this.task = task;
        this.body = body;
        this.context = TaskThreads.available() ? TaskThreads.Context.of(Thread.currentThread()) : null;
    }

    /** Starts the body of {@code task}: its start step goes to the executor now. */
    static <T> void start(Task<T> task, Callable<? extends T> body) {
        task.executor().dispatch(new TaskRun<>(task, body), task.metadata());
    }

    /**
     * Starts the body of {@code task} on a thread made now, which {@link Task#thread()} shows from
     * the start: for a body that stands in for a thread the code started, and must answer for it
     * before its first step. Without virtual threads it starts as {@link #start} does.
     */
    static <T> void startOnItsOwnThread(Task<T> task, Callable<? extends T> body) {
        TaskRun<T> run = new TaskRun<>(task, body);
        if (run.context == null) {
            task.executor().dispatch(run, task.metadata());
            return;
        }
        Thread thread = TaskRunner.forTask(run);
        task.thread(thread);
        thread.start(); // dispatches the first step, or throws the executor's refusal
    }

    /** Completes the timer task {@code task} once {@code delay} has passed on {@code scheduler}'s clock. */
    static void startTimer(Task<Void> task, Scheduler scheduler, Duration delay) {
        task.markTimer();
        task.timer(scheduler.scheduleAfter(delay, new Deadline(task)));
    }

    /** {@return the task, until its body is done with it; then null} */
    Task<T> task() {
        return task;
    }

    /** {@return what the body's thread is called: {@code task-<id> <label>}, as thread dumps, JFR and logs show it} */
    String threadName() {
        TaskMetadata meta = task.metadata();
        return meta.label() == null ? "task-" + meta.id().value() : "task-" + meta.id().value() + " " + meta.label();
    }

    /**
     * {@return the scheduler the body's steps run on, if {@code thread} is the body's own thread
     * (still running it), or null: a thread the body started keeps the JDK's clock}
     */
    Scheduler schedulerOf(Thread thread) {
        Task<T> owner = task;
        return owner != null && owner.bodyThread() == thread ? owner.executor().scheduler() : null;
    }

    // ---------------------------------------------------------------- the body

    /**
     * The start step: the body runs on the pooled runner that runs this step, or on a runner of its
     * own carried by the calling thread, or as a plain step without virtual threads. A task cancelled
     * before it started ends here without a thread.
     */
    @Override
    public void run() {
        TaskRunner pooled = TaskRunner.free();
        if (pooled != null) {
            pooled.runTask(this, true);
        } else if (cancelledBeforeItStarted()) {
            return;
        } else if (context != null) {
            TaskRunner.runOnce(this);
        } else {
            task.markStarted();
            // Complete inside the body's scope, as on a runner: see runOn.
            TaskScope.runAs(task, task.owner(), this::runBody);
        }
    }

    /**
     * Makes {@code thread}, a runner's, the calling thread, the body's, unless the task was
     * cancelled before it started; {@return whether the body may run} The thread is the task's
     * before the check, so that a {@code cancel} either is seen here or finds the thread to
     * interrupt (it settles, then reads the thread).
     */
    boolean begin(Thread thread) {
        task.thread(thread);
        return !cancelledBeforeItStarted();
    }

    /**
     * Runs the body on {@code thread}, the calling thread, which {@link #begin} made the body's and
     * whose runner has made this run its current one; {@code pooled}: it needs its name now.
     */
    void runOn(Thread thread, boolean pooled) {
        if (pooled) {
            thread.setName(threadName());
        }
        context.applyTo(thread);
        task.markStarted();
        // The runner makes this task the code's until runBody ends it: dependents that run as it
        // completes, and wake-ups they cause, still belong to it (its session, and a TestScheduler's
        // view of who is calling).
        runBody();
    }

    /** {@return whether the task was cancelled before its body started, and so ends now, never run} */
    boolean cancelledBeforeItStarted() {
        if (!task.isSettled()) {
            return false;
        }
        body = null;
        task.finished(Future.State.CANCELLED);
        task.thread(null);
        ended();
        return true;
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

    /** The body has returned: from now on, a continuation of its thread goes to the JDK's scheduler. */
    private void ended() {
        task = null;
    }

    // ---------------------------------------------------------------- continuations

    /**
     * The body's thread, parked on {@code runner}, is runnable again: its next step goes to the
     * executor, which runs it by running {@code runner}.
     */
    void continued(TaskRunner runner) {
        Task<T> task = this.task;
        if (task == null) {
            if (body == null) {
                // The body has returned, and its thread waited while it unwound: that runs wherever it can.
                ThreadWaits.defaultScheduler().execute(runner);
            }
            // Otherwise its continuation was refused, and a resubmission (a stack trace of the thread
            // does that) stays dropped.
            return;
        }
        try {
            task.executor().dispatch(runner, task.metadata());
        } catch (RuntimeException refused) {
            if (!task.isStarted()) {
                throw refused; // the first step of a thread made at the spawn: spawn() reports it
            }
            if (body == null || AdoptedThreads.isStandIn(task.bodyThread())) {
                // The body has returned, and its thread waited while it told observers and
                // dependents: the task is done, so the rest runs wherever it can. Or the body runs a
                // platform thread the code started, which must go on running as such a thread does.
                ThreadWaits.defaultScheduler().execute(runner);
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

    @Override
    public String toString() {
        Task<T> owner = task;
        return owner == null ? "TaskRun[ended]" : "TaskRun[" + owner.metadata().describe() + "]";
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
