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
 */
final class TaskRun<T> implements Runnable, java.util.concurrent.Executor {

    private static final System.Logger LOGGER = System.getLogger(Task.class.getName());

    private final Task<T> task;
    private Callable<? extends T> body;

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

    /** {@return the scheduler the body's steps run on} */
    Scheduler scheduler() {
        return task.executor().scheduler();
    }

    // ---------------------------------------------------------------- the body

    @Override
    public void run() {
        if (task.isSettled()) {
            // Cancelled before it started: the body never runs.
            body = null;
            task.finished(Future.State.CANCELLED);
            task.thread(null);
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
    }

    // ---------------------------------------------------------------- continuations

    @Override
    public void execute(Runnable step) {
        try {
            task.executor().dispatch(step, task.metadata());
        } catch (RuntimeException refused) {
            if (!task.isStarted()) {
                throw refused; // the first step: spawn() reports the refusal to its caller
            }
            // A continuation, resumed by whatever woke the body: an unpark, a JDK unblocker or
            // timer thread. The exception must not land on that thread; the task ends here.
            continuationRefused(refused);
        }
    }

    /**
     * The scheduler refused a continuation of the body (it was closed, or it failed): the body can
     * never resume, so the task ends as cancelled, and is named in the log unless its scheduler had
     * cancelled it already while closing.
     */
    private void continuationRefused(RuntimeException refused) {
        boolean cancelledNow = task.cancelResult();
        task.finished(Future.State.CANCELLED);
        task.thread(null);
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
