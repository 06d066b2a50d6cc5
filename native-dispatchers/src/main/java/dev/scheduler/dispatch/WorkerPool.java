package dev.scheduler.dispatch;

import dev.scheduler.Step;
import dev.scheduler.TaskMetadata;
import dev.scheduler.TaskRunner;
import dev.scheduler.TaskThreads;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntUnaryOperator;
import java.util.function.Predicate;

/**
 * The background threads of the Linux and portable dispatchers, drawing from a
 * {@link PriorityQueues}.
 */
/*
 * Implementation Overview
 * =======================
 *
 * Idle workers: a worker that finds nothing may spin briefly (one at a time: on two cores, two
 * spinners would take the core the producer needs), then announces itself idle, checks the queues
 * once more, and parks. A producer offers its step, then wakes one idle worker if there is one and
 * nobody spins. The announce-then-check on one side and the offer-then-check on the other are a
 * Dekker pair on volatile variables, so a step is never left queued while every worker sleeps.
 *
 * Handing on: a producer that sees a spinner leaves the wake-up to it, and so may every producer
 * of a burst. One spinner takes one step, so whoever takes a step and leaves more behind wakes the
 * next idle worker, which does the same: a burst of n steps wakes up to n workers, one after
 * another, as LinkedBlockingQueue's takers signal each other. The spinner clears its flag before
 * it takes, so a producer either sees no spinner and wakes a worker itself, or offered its step
 * before the flag cleared and the taker sees the step still queued.
 *
 * Task bodies: a worker that takes a task's start step drives its TaskRunner, a virtual thread that
 * runs the body and then takes the next steps from this pool itself, start after start, until it
 * polls one it cannot run (a continuation, which needs a platform thread) or none: then it hands the
 * worker back with that step. A body that parks keeps its runner, and the worker takes a spare one
 * for its next start, or starts one. A runner that comes back idle to a worker that has one already
 * is kept as a spare for the next worker that lost its own, up to SPARE_RUNNERS of them.
 *
 * Failures: a step that throws goes to the uncaught exception handler; the worker carries on.
 */
final class WorkerPool implements Lane {

    /** How many times an idle worker checks for work before it parks. */
    static final int SPINS = 1 << 10;

    /**
     * How many of those checks spin on the core; the rest yield it, to a producer that shares it,
     * say. A runner spins only these, on its worker's behalf, then hands the worker back.
     */
    static final int BUSY_SPINS = 1 << 6;

    /** How many idle runners each worker may keep as spares beside its own. */
    private static final int SPARE_RUNNERS_PER_WORKER = 4;

    private static final int RUNNING = 0;
    private static final int IDLE = 1;

    private final Admission admission;
    private final Thread.UncaughtExceptionHandler failures;
    private final PriorityQueues queues = new PriorityQueues();
    private final Worker[] workers;
    private final AtomicInteger idle = new AtomicInteger();
    private final AtomicInteger spinning = new AtomicInteger();
    private final Runnable onSpin;
    private final int spins;
    /** Whether task bodies run on pooled runners: they need virtual threads carried by our threads. */
    private final boolean runners = TaskThreads.available();
    /** Every runner this pool started and has not ended: where the tasks running on the pool are. */
    private final java.util.Set<TaskRunner> allRunners = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Idle runners that no worker holds as its own, for workers whose runner a parked body kept. */
    private final ConcurrentLinkedQueue<TaskRunner> spareRunners = new ConcurrentLinkedQueue<>();
    private final AtomicInteger spares = new AtomicInteger();
    private volatile boolean stopped;

    WorkerPool(int threads, String namePrefix, Admission admission, Thread.UncaughtExceptionHandler failures) {
        this(threads, namePrefix, admission, failures, () -> { }, SPINS);
    }

    /**
     * A pool whose workers call {@code onSpin} each time one of them starts to spin, holding the
     * spinning flag, and check for work {@code spins} times before they park: tests hold a spinner
     * there to replay the races around it step by step, and a model checker needs short spins.
     */
    WorkerPool(int threads, String namePrefix, Admission admission, Thread.UncaughtExceptionHandler failures,
            Runnable onSpin, int spins) {
        this.admission = admission;
        this.failures = failures;
        this.onSpin = onSpin;
        this.spins = spins;
        workers = new Worker[threads];
        for (int i = 0; i < threads; i++) {
            workers[i] = new Worker(namePrefix + "-worker-" + (i + 1), 0x9E3779B9 * (i + 1));
        }
        for (Worker worker : workers) {
            worker.thread.start();
        }
    }

    /** {@inheritDoc} Wakes a worker for it if all of them sleep. */
    @Override
    public void submit(Runnable step, TaskMetadata meta) {
        queues.offer(new Step(step, meta));
        // A spinning worker will find the step; waking another would only add a system call.
        if (idle.get() > 0 && spinning.get() == 0) {
            wakeOne();
        }
    }

    /** Wakes an idle worker for the steps a taker leaves behind, unless a spinner will find them. */
    private void handOn() {
        if (idle.get() > 0 && spinning.get() == 0 && hasWork()) {
            wakeOne();
        }
    }

    private void wakeOne() {
        for (Worker worker : workers) {
            if (worker.state.get() == IDLE && worker.state.compareAndSet(IDLE, RUNNING)) {
                idle.decrementAndGet();
                LockSupport.unpark(worker.thread);
                return;
            }
        }
    }

    @Override
    public int queued() {
        return queues.queued();
    }

    /** {@return how many workers are parked, or about to park, waiting for work} */
    int idleWorkers() {
        return idle.get();
    }

    /**
     * {@return whether {@code thread} is one of this pool's workers or runners, or {@code taskId}'s
     * step runs on one now}
     */
    boolean runsHere(Thread thread, long taskId) {
        TaskRunner.Source runner = TaskRunner.sourceOf(thread);
        for (Worker worker : workers) {
            if (worker.thread == thread || worker == runner || taskId != 0 && worker.runningTask == taskId) {
                return true;
            }
        }
        return false;
    }

    /** {@return the tasks whose bodies run or wait on this pool's runners now} */
    List<dev.scheduler.Task<?>> runnersTasks() {
        List<dev.scheduler.Task<?>> tasks = new java.util.ArrayList<>();
        for (TaskRunner runner : allRunners) {
            dev.scheduler.Task<?> task = runner.task();
            if (task != null) {
                tasks.add(task);
            }
        }
        return tasks;
    }

    /**
     * {@inheritDoc} The steps it keeps are out of the queues for a moment, where a worker looking
     * for work does not see them: one that went to sleep meanwhile is woken, as a producer would.
     */
    @Override
    public List<Step> drain(Predicate<Step> which) {
        List<Step> drained = queues.drain(which);
        if (idle.get() > 0 && hasWork()) {
            wakeOne();
        }
        return drained;
    }

    /** Stops every worker once its current step is done, and waits for them. */
    void stop() {
        stopped = true;
        for (Worker worker : workers) {
            LockSupport.unpark(worker.thread);
        }
        boolean interrupted = false;
        for (Worker worker : workers) {
            if (worker.thread == Thread.currentThread()) {
                continue;
            }
            while (true) {
                try {
                    worker.thread.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Whether a step is queued. An offer links its node before the producer checks for idle
     * workers, so a worker that announced itself idle and then finds every queue empty cannot miss
     * a step whose producer will not wake it.
     */
    private boolean hasWork() {
        return queues.hasWork();
    }

    /** One background thread, and the source of the runners it drives. */
    private final class Worker implements Runnable, IntUnaryOperator, TaskRunner.Source {

        final Thread thread;
        final AtomicInteger state = new AtomicInteger(RUNNING);
        volatile long runningTask;
        private int random;
        /** This worker's idle runner, or null until it needs one (again). */
        private TaskRunner runner;
        /** Drives a runner whose body resumes, as a step: one per worker, so that resuming allocates nothing. */
        private final Resumption resumption = new Resumption();

        Worker(String name, int seed) {
            this.random = seed == 0 ? 1 : seed;
            this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this);
        }

        @Override
        public void run() {
            while (!stopped) {
                Step step = take();
                if (step != null) {
                    runStep(step);
                } else if (!spin()) {
                    sleep();
                }
            }
            endRunners();
        }

        /** Runs {@code step}, and the step a runner it drives leaves it, and so on. */
        private void runStep(Step step) {
            while (step != null) {
                Runnable runnable = step.runnable();
                if (runners && TaskRunner.isStart(runnable)) {
                    step = drive(runner(), step);
                } else if (runnable instanceof TaskRunner parked) {
                    step = resume(parked, step);
                } else {
                    runningTask = step.meta().id().value();
                    admission.run(runnable, thread, failures);
                    runningTask = 0;
                    step = null;
                }
            }
        }

        /** Drives {@code driven} from {@code start} on; {@return the step it left this worker, or null} */
        private Step drive(TaskRunner driven, Step start) {
            if (!driven.drive(this, start)) {
                if (driven == runner) {
                    runner = null; // a body parked in it, or it ended
                }
                return null;
            }
            // Take what it left before it can be anyone else's: a spare is another worker's to drive at once.
            Step left = driven.takeHandedBack();
            if (runner == null) {
                runner = driven;
            } else if (driven != runner) {
                spare(driven);
            }
            return left;
        }

        /** Runs {@code step}, a continuation of a body parked in {@code parked}, counted as any step. */
        private Step resume(TaskRunner parked, Step step) {
            resumption.parked = parked;
            runningTask = step.meta().id().value();
            admission.runForTaskStep(resumption, thread, failures);
            runningTask = 0;
            Step left = resumption.left;
            resumption.parked = null;
            resumption.left = null;
            return left;
        }

        /** {@return this worker's idle runner: its own, a spare, or a new one} */
        private TaskRunner runner() {
            if (runner == null) {
                TaskRunner spare = spareRunners.poll();
                if (spare != null) {
                    spares.decrementAndGet();
                }
                runner = spare != null ? spare : started(TaskRunner.pooled());
            }
            return runner;
        }

        private TaskRunner started(TaskRunner runner) {
            allRunners.add(runner);
            return runner;
        }

        private void end(TaskRunner idle) {
            allRunners.remove(idle);
            idle.end();
        }

        private void spare(TaskRunner idle) {
            if (spares.incrementAndGet() > SPARE_RUNNERS_PER_WORKER * workers.length) {
                spares.decrementAndGet();
                end(idle);
                return;
            }
            spareRunners.offer(idle);
            if (stopped) {
                endSpares(); // the workers that ended the spares before may be gone
            }
        }

        /** The pool stops: this worker's runner ends, and so do the spares left. */
        private void endRunners() {
            if (runner != null) {
                end(runner);
                runner = null;
            }
            endSpares();
        }

        private void endSpares() {
            for (TaskRunner spare; (spare = spareRunners.poll()) != null; ) {
                spares.decrementAndGet();
                end(spare);
            }
        }

        /** The step that drives a runner whose body parked, and what the runner left this worker. */
        private final class Resumption implements Runnable {

            TaskRunner parked;
            Step left;

            @Override
            public void run() {
                left = drive(parked, null);
            }
        }

        // ---------------------------------------------------------------- a runner's source

        /**
         * {@inheritDoc} With nothing queued it spins a moment on the core first, so that a burst of
         * tasks that arrives a little slower than it runs them keeps it mounted; it never yields
         * nor parks, which would unmount the runner.
         */
        @Override
        public Step poll() {
            Step step = take();
            if (step == null && spin(true)) {
                step = take();
            }
            return step;
        }

        private Step take() {
            Step step = queues.poll(this);
            if (step != null) {
                handOn();
            }
            return step;
        }

        @Override
        public void run(Step start) {
            admission.run(start.runnable(), Thread.currentThread(), failures);
        }

        @Override
        public boolean stopped() {
            return stopped;
        }

        /** Spins for a moment while no other worker does; {@return whether work arrived} */
        private boolean spin() {
            return spin(false);
        }

        /**
         * Spins while no other worker does, {@code onTheCoreOnly} for {@link #BUSY_SPINS} checks
         * (a runner's spin, which must never yield), else for {@code spins}, giving the core up
         * after the first {@link #BUSY_SPINS}; {@return whether work arrived}
         */
        private boolean spin(boolean onTheCoreOnly) {
            if (spinning.get() != 0 || !spinning.compareAndSet(0, 1)) {
                return false;
            }
            try {
                if (!onTheCoreOnly) {
                    onSpin.run();
                }
                for (int i = 0, checks = onTheCoreOnly ? BUSY_SPINS : spins; i < checks; i++) {
                    if (hasWork() || stopped) {
                        return true;
                    }
                    if (i < BUSY_SPINS) {
                        Thread.onSpinWait();
                    } else {
                        // On two cores with a producer of its own, a worker that spins on takes the
                        // core the producer needs: from here on it gives it up while it waits.
                        Thread.yield();
                    }
                }
                return false;
            } finally {
                spinning.set(0);
            }
        }

        private void sleep() {
            state.set(IDLE);
            idle.incrementAndGet();
            if ((hasWork() || stopped) && state.compareAndSet(IDLE, RUNNING)) {
                idle.decrementAndGet();
                return;
            }
            while (state.get() == IDLE && !stopped) {
                LockSupport.park(this);
            }
        }

        /** {@return the next draw from this worker's own generator, in {@code [0, bound)}} */
        @Override
        public int applyAsInt(int bound) {
            // xorshift32: a worker's own generator, so drawing costs no shared state
            int x = random;
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            random = x;
            return (x >>> 1) % bound;
        }
    }
}
