package dev.scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A virtual thread that runs task bodies, carried by a scheduler's threads, and the carrier
 * scheduler of that thread: every continuation of the thread comes here, and goes back to the
 * scheduler as a step of the task whose body it runs.
 *
 * <p>Every body runs on one, in one of two ways:
 * <ul>
 *   <li><b>Once.</b> A task's start step run by any scheduler's thread makes a runner for that
 *       task alone and carries it at once; it ends with the body. A {@code TestScheduler}, a main
 *       loop and the operating system's pools start every task so.
 *   <li><b>Pooled.</b> A dispatcher's worker thread that takes a task's start step
 *       ({@link #isStart(Runnable)}) {@linkplain #drive drives} its runner, which runs the body and
 *       then takes the next steps from the worker's queues itself ({@link Source}): start after start,
 *       without a thread per task. A runner whose body parks stays with that task until the body
 *       returns, and the worker drives another one meanwhile.
 * </ul>
 *
 * <p>Nothing of one body reaches the next on a pooled runner: each body gets its spawner's context
 * class loader and inheritable thread locals, as a thread started at its spawn would, and its own
 * name ({@code task-<id> <label>}); its thread locals, uncaught-exception handler and interrupt
 * status are cleared when it returns, and cancelling a task interrupts its body only while that
 * body is the runner's. What stays is the thread's identity: {@code Thread.currentThread()} and its
 * id are the runner's, so a lock a body fails to release stays held by the runner.
 */
/*
 * Implementation Overview
 * =======================
 *
 * A runner's thread is a virtual thread whose scheduler is the runner itself, so the JDK hands it
 * every continuation of the thread (own) and of the virtual threads a body starts (which inherit
 * their starter's scheduler; they are not the task, see TaskRun and AdoptedThreads).
 *
 * Mounting: a carrier mounts the runner by running own itself (drive). The thread's start hands own
 * to the runner on the starting carrier, which then drives it. A pooled runner with nothing it can
 * run hands the carrier back (handBack): it notes the step it polled, if any (a continuation must
 * run on a platform thread), and yields; the JDK hands own back here, where it is dropped, and the
 * carrier's drive returns, finds the runner handed back to it, and runs the step.
 *
 * Parking: a body that parks unmounts the runner with it, and the carrier's drive returns without a
 * hand-back: the runner is the task's now. Its next continuation comes here while a body is current
 * and goes to the task's executor as a step (the runner itself, whose run() mounts it); the worker
 * that takes it drives the runner, which finishes the body and then takes steps from that worker's
 * queues. A continuation that comes while no body is current (the runner waited for a monitor while
 * its dispatcher counted a step out, say) sends the runner to the JDK's scheduler, off its
 * dispatcher: it ends there once it returns to its loop.
 *
 * Who drove it last: handedBackTo, written by the runner before it yields and cleared by each
 * drive, tells a drive whose runner parked in a body (and may be carried by another worker by now)
 * from one whose runner came back to it.
 *
 * Interrupts: cancelling a task interrupts its body's thread. On a pooled runner the body may have
 * returned and the next begun between the canceller's read of the thread and its interrupt, so the
 * canceller counts itself in (interrupting) and interrupts only if the task still has the thread,
 * and the runner, after the task let go of the thread, waits until no canceller is counted in
 * before it clears the interrupt status: a Dekker pair on two volatile variables.
 */
public final class TaskRunner implements Runnable, java.util.concurrent.Executor {

    /**
     * Where a pooled runner takes its next steps: the queues of the dispatcher thread that carries
     * it now. A worker thread is its own source.
     */
    public interface Source {

        /**
         * {@return the next queued step for this carrier, or null if none is queued} It runs on the
         * runner between two bodies and must neither park nor yield: that would unmount the runner,
         * which then leaves its dispatcher.
         */
        Step poll();

        /**
         * Runs {@code start}, a task's start step polled from here, on the calling runner, as the
         * dispatcher runs a step: counted out when it ends, and whatever it throws reported. Its
         * body may park, and the call then ends on another carrier.
         *
         * @param start the step
         */
        void run(Step start);

        /** {@return whether the dispatcher stops: a runner carried from here ends after its task} */
        boolean stopped();
    }

    private static final String IDLE_NAME = "idle task runner";
    private static final VarHandle INTERRUPTING;
    private static final VarHandle CURRENT;

    static {
        try {
            INTERRUPTING = MethodHandles.lookup().findVarHandle(TaskRunner.class, "interrupting", int.class);
            CURRENT = MethodHandles.lookup().findVarHandle(TaskRunner.class, "current", TaskRun.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Thread thread;
    /** The one task a runner made for it runs, until it starts; null for a pooled runner. */
    private TaskRun<?> only;
    /** Whether the thread's start is carried by the thread that starts it, rather than dispatched. */
    private final boolean carriedByStarter;
    /** The thread's continuation: the one Runnable the JDK hands its scheduler every time. */
    private Runnable own;
    /**
     * The task whose body runs now, from its start until it returns; null between bodies. Volatile,
     * so that a dispatcher giving up on its tasks finds it, or the task finds the dispatcher giving
     * up (see {@code Admission}).
     */
    private volatile TaskRun<?> current;
    /** The source of the carrier that drove it last; null when a plain step mounted it, or off its dispatcher. */
    private Source source;
    /** The start step its carrier handed it. */
    private Step next;
    /** The step it polled and could not run, for the carrier it hands back to. */
    private Step handedBack;
    /** Whether it yields to hand its carrier back: its own continuation then stays with that carrier. */
    private boolean handingBack;
    /** The source it handed back to, until the next drive. */
    private volatile Source handedBackTo;
    /** Whether the carrier that drives it next asks it to end. */
    private boolean ending;
    /** Cancellers about to interrupt the body that runs now; see the overview. */
    @SuppressWarnings("unused") // updated through INTERRUPTING
    private volatile int interrupting;

    private TaskRunner(TaskRun<?> only, String name, boolean carriedByStarter) {
        this.only = only;
        this.carriedByStarter = carriedByStarter;
        this.thread = TaskThreads.newThread(this, name, () -> TaskScope.runAsRunner(this, this::loop));
    }

    /**
     * Starts a runner for a dispatcher's worker thread to {@linkplain #drive drive}; call it on that
     * thread, which carries the runner's start.
     *
     * @return the runner, waiting for its first start step
     * @throws IllegalStateException if virtual threads carried by our schedulers are unavailable
     */
    public static TaskRunner pooled() {
        if (!TaskThreads.available()) {
            throw TaskThreads.carrierRequired("A pooled task runner");
        }
        TaskRunner runner = new TaskRunner(null, IDLE_NAME, true);
        runner.thread.start();
        return runner;
    }

    /** Runs {@code run}'s body on a runner of its own, carried by the calling thread until the body parks or returns. */
    static void runOnce(TaskRun<?> run) {
        TaskRunner runner = new TaskRunner(run, run.threadName(), true);
        runner.thread.start();
        runner.drive(null, null);
    }

    /**
     * {@return the unstarted thread of a runner for {@code run} alone, whose start dispatches its
     * first step as any continuation of the task} For a body whose thread must exist from its spawn.
     */
    static Thread forTask(TaskRun<?> run) {
        return new TaskRunner(run, run.threadName(), false).thread;
    }

    /**
     * {@return whether {@code step} is a task's start step, which a pooled runner may run}
     *
     * @param step a step a scheduler was handed
     */
    public static boolean isStart(Runnable step) {
        return step instanceof TaskRun<?>;
    }

    /**
     * {@return the source of the pooled runner whose thread {@code thread} is: the carrier that
     * drove it last; null for any other thread}
     *
     * @param thread any thread
     */
    public static Source sourceOf(Thread thread) {
        return ThreadWaits.carrierOf(thread) instanceof TaskRunner runner && runner.thread == thread
                ? runner.source : null;
    }

    /**
     * {@return whether {@code step} is a task's own step: its start step, or a continuation of its
     * body on a runner} Such a step belongs to a task that has not finished, and the scheduler may
     * count the task instead of the step.
     *
     * @param step a step a scheduler was handed
     */
    public static boolean isTaskStep(Runnable step) {
        return step instanceof TaskRun<?> || step instanceof TaskRunner;
    }

    /**
     * {@return the task that {@code step} is a step of, if it is a task's start step or a
     * continuation of a body on a runner, until the task's body returns; null for any other step}
     *
     * @param step a step a scheduler was handed
     */
    public static Task<?> taskOf(Runnable step) {
        if (step instanceof TaskRun<?> run) {
            return run.task();
        }
        return step instanceof TaskRunner runner ? runner.task() : null;
    }

    /** {@return the task whose body runs or waits on this runner now, or null between bodies} */
    public Task<?> task() {
        TaskRun<?> run = current;
        return run == null ? null : run.task();
    }

    /** {@return the pooled runner on the calling thread, between two bodies, or null} */
    static TaskRunner free() {
        Thread caller = Thread.currentThread();
        return caller.isVirtual() && ThreadWaits.carrierOf(caller) instanceof TaskRunner runner
                && runner.thread == caller && runner.current == null && runner.source != null ? runner : null;
    }

    // ---------------------------------------------------------------- carriers

    /**
     * Carries this runner on the calling thread until it parks in a body, ends, or hands the thread
     * back. Call it with a start step on a runner that {@linkplain #pooled() started} here or was
     * handed back here, or with none on one whose step (this runner, as a continuation of a task) the
     * caller polled.
     *
     * @param source the calling thread's queues, where the runner takes its next steps; null for none,
     *     when it ends after its body
     * @param start the start step to run first, or null
     * @return whether it handed the calling thread back and waits to be driven again; then
     *     {@link #takeHandedBack()} is the step it polled and could not run. False if a body parked
     *     in it (it is the task's now) or it ended.
     */
    public boolean drive(Source source, Step start) {
        this.source = source;
        this.next = start;
        handingBack = false;
        if (handedBackTo != null) {
            handedBackTo = null; // a volatile write, a fence: only after a hand-back, not at every resumption
        }
        own.run();
        return source != null && handedBackTo == source;
    }

    /** {@return the step this runner polled and left for the carrier it handed back to, once; or null} */
    public Step takeHandedBack() {
        Step step = handedBack;
        handedBack = null;
        return step;
    }

    /** Ends this runner's thread; call it on the carrier it was handed back to. */
    public void end() {
        ending = true;
        drive(null, null);
    }

    /** Carries this runner on the calling thread, with no source: a step of its task, on any scheduler. */
    @Override
    public void run() {
        drive(null, null);
    }

    // ---------------------------------------------------------------- the thread

    private void loop() {
        TaskRun<?> first = only;
        if (first != null) {
            only = null;
            runTask(first, false);
            return;
        }
        Step step = takeNext();
        while (step != null) {
            source.run(step);
            // The body may have parked, and this may be another carrier's source now, or none.
            Source from = source;
            if (from == null || from.stopped()) {
                return;
            }
            step = from.poll();
            if (step == null || !isStart(step.runnable())) {
                step = handBack(step);
            }
        }
    }

    private Step takeNext() {
        Step step = next;
        next = null;
        return ending ? null : step;
    }

    /** Yields the carrier, leaving it {@code polled}; {@return the start step the next drive hands in, or null to end} */
    private Step handBack(Step polled) {
        handedBack = polled;
        thread.setName(IDLE_NAME);
        handedBackTo = source;
        handingBack = true;
        Thread.yield();
        return takeNext();
    }

    /** Runs {@code run}'s body on this runner's thread; {@code pooled}: another body may follow. */
    void runTask(TaskRun<?> run, boolean pooled) {
        current = run;
        try {
            if (run.begin(thread)) {
                run.runOn(thread, pooled);
            }
        } finally {
            CURRENT.setRelease(this, null); // nobody needs to see this at once: no fence
            if (pooled) {
                // The task has let go of the thread (TaskRun clears it): no canceller interrupts it after this.
                while (interrupting != 0) {
                    Thread.onSpinWait();
                }
                TaskThreads.clearBodyState(thread);
            }
        }
    }

    /**
     * Interrupts {@code body}, the thread of {@code task}'s body, unless the task has let go of it
     * meanwhile: a pooled runner may have gone on to another body.
     */
    static void interrupt(Task<?> task, Thread body) {
        if (!(ThreadWaits.carrierOf(body) instanceof TaskRunner runner) || runner.thread != body) {
            body.interrupt();
            return;
        }
        INTERRUPTING.getAndAdd(runner, 1);
        try {
            if (task.bodyThread() == body) {
                body.interrupt();
            }
        } finally {
            INTERRUPTING.getAndAdd(runner, -1);
        }
    }

    /**
     * {@return the scheduler the body on {@code thread} runs its steps on, if {@code thread} is this
     * runner's thread running a body now, or null: a thread a body started keeps the JDK's clock}
     */
    Scheduler schedulerOf(Thread thread) {
        TaskRun<?> run = current;
        return run == null ? null : run.schedulerOf(thread);
    }

    // ---------------------------------------------------------------- continuations

    @Override
    public void execute(Runnable step) {
        if (own == null) {
            own = step;
            if (carriedByStarter) {
                return; // the thread's start: the thread that starts it drives it
            }
        }
        if (step != own) {
            foreign(step);
            return;
        }
        if (handingBack) {
            return; // it yielded to hand its carrier back, which drives it again
        }
        TaskRun<?> run = current != null ? current : only;
        if (run != null) {
            run.continued(this);
        } else {
            // It parked between bodies: it leaves its dispatcher, and ends once back in its loop.
            ThreadWaits.defaultScheduler().execute(this);
        }
    }

    /**
     * A continuation of a virtual thread a body started, which inherited this runner as its
     * scheduler: a task of its own if its scheduler adopts threads, else the JDK's to run.
     */
    private void foreign(Runnable step) {
        TaskRun<?> run = current;
        Task<Void> adopted = AdoptedThreads.of(step, run == null ? null : run.task());
        if (adopted != null) {
            AdoptedThreads.dispatch(adopted, step);
        } else {
            ThreadWaits.defaultScheduler().execute(step);
        }
    }

    @Override
    public String toString() {
        TaskRun<?> run = current;
        return "TaskRunner[" + thread + (run == null ? "" : ", running " + run) + "]";
    }
}
