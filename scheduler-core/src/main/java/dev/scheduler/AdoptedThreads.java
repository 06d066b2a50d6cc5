package dev.scheduler;

import dev.scheduler.jdk.JdkHooks;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;

/**
 * Virtual threads that task bodies start, and platform threads they start, which a virtual
 * stand-in runs, adopted as tasks of their own by a scheduler that asks for it
 * ({@link Simulation#adoptsThreads()}): each adopted thread's continuations become steps of
 * its task on that scheduler, its timed waits time out on that scheduler's clock, and
 * {@link Task#current()} inside it is its task, which ends when the thread terminates.
 *
 * <p>The JDK gives a virtual thread the scheduler of the virtual thread that starts it, so an
 * adopted thread's continuations reach the {@code TaskRunner} of the body that started it, or of the
 * body that started its starter. {@code TaskRunner} asks here which task a continuation belongs to.
 */
/*
 * Implementation Overview
 * =======================
 *
 * Two maps, by continuation (the JDK's runContinuation of each virtual thread, the one Runnable it
 * hands its scheduler every time) and by thread. A thread is adopted at its start: the test agent
 * tells JdkHooks which virtual thread the calling thread is starting, and the start submits its
 * first continuation right then, on the starter's thread. Without the agent nothing is adopted,
 * and such threads run on the JDK's scheduler as before.
 *
 * A platform thread that a body starts is run by a stand-in: the agent's rewrite of Thread.start()
 * asks standIn(), which spawns a task whose body runs the platform thread's run(); the task's
 * virtual thread is the stand-in. The rewritten Thread answers isAlive,
 * getState, interrupt and isInterrupted of the platform thread from its stand-in, join waits on the
 * platform thread's monitor as the JDK's does, and Thread.currentThread() in the application's code
 * is the platform thread.
 *
 * An adopted thread is forgotten when it terminates, or when its scheduler refuses a continuation
 * (it closed): that continuation and every later one then run on the JDK's scheduler, so that a
 * thread outliving its test is never stranded. The JDK's own lazily started virtual threads (its
 * socket pollers) must never be adopted, or every socket read in the JVM would hang with the first
 * closed scheduler; a scheduler that adopts starts them first, on a platform thread
 * ({@link ThreadWaits#startJdkPollers()}).
 */
final class AdoptedThreads {

    private static final Map<Runnable, Task<Void>> BY_CONTINUATION = new ConcurrentHashMap<>();
    private static final Map<Thread, Task<Void>> BY_THREAD = new ConcurrentHashMap<>();
    /** The tasks that run platform threads in their place, by platform thread; weak keys. */
    private static final Map<Thread, Task<Void>> STOOD_IN =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());
    /** The own threads of runs whose schedulers adopt the platform threads started on them outside tasks. */
    private static final Map<Thread, Owner> OWNERS = new ConcurrentHashMap<>();
    /** Whether any run's own thread is registered: until then every platform thread's check is one read. */
    private static volatile boolean owned;

    /**
     * A run's own thread: the executor its threads run on, and the permit of its parks, which the
     * scheduler drives instead of parking it.
     */
    private static final class Owner {
        final Executor executor;
        volatile CompletableFuture<Void> permit = new CompletableFuture<>();
        /** Whether the thread drives for a park right now; its own parks then are real ones. */
        boolean driving;
        /** Platform threads it started that a task runs and that have not ended. */
        final java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();

        Owner(Executor executor) {
            this.executor = executor;
        }
    }
    /** Whether any thread was ever adopted: until then {@link #taskOf(Thread)} costs one read. */
    private static volatile boolean used;

    private AdoptedThreads() {
    }

    /**
     * {@return the adopted task whose thread's continuation {@code step} is, adopting the thread
     * now if it is being started by a task body (or an adopted thread) whose scheduler adopts; or
     * null}
     *
     * @param step a continuation handed to a body's {@code TaskRunner} that is not the body's own
     * @param starterTask the task whose body the {@code TaskRunner} that got it runs, or null between bodies
     */
    static Task<Void> of(Runnable step, Task<?> starterTask) {
        Task<Void> known = used ? BY_CONTINUATION.get(step) : null;
        if (known != null) {
            return known;
        }
        Thread starting = JdkHooks.startingVirtualThread();
        if (starting == null) {
            return null;
        }
        Thread starter = Thread.currentThread();
        Task<?> home = starterTask != null && starterTask.thread().orElse(null) == starter ? starterTask
                : used ? BY_THREAD.get(starter) : null;
        if (home == null || !adopts(home.executor())) {
            return null;
        }
        return adopt(starting, step, home.executor());
    }

    private static Task<Void> adopt(Thread thread, Runnable continuation, AbstractExecutor executor) {
        String name = thread.getName();
        TaskMetadata meta = new TaskMetadata(TaskId.next(),
                TaskLabel.of(name.isBlank() ? "virtual thread" : "virtual thread " + name), Priority.MEDIUM, null, null);
        Task<Void> task = new Task<>(meta, executor, null);
        executor.adopted(task);
        task.thread(thread);
        used = true;
        BY_THREAD.put(thread, task);
        BY_CONTINUATION.put(continuation, task);
        task.markStarted();
        return task;
    }

    /**
     * Hands {@code step} of the adopted thread of {@code task} to its scheduler, as a step of the
     * task that ends it when the thread terminates; a scheduler that refuses it (closed) lets the
     * thread go: this step and every later one run on the JDK's scheduler.
     */
    static void dispatch(Task<Void> task, Runnable step) {
        Thread thread = task.thread().orElse(null);
        try {
            task.executor().dispatch(() -> {
                step.run();
                if (thread != null && thread.getState() == Thread.State.TERMINATED) {
                    ended(task, thread, step);
                }
            }, task.metadata());
        } catch (RuntimeException refused) {
            forget(thread, step);
            task.cancelResult();
            task.finished(Future.State.CANCELLED);
            ThreadWaits.defaultScheduler().execute(step);
        }
    }

    /**
     * The adopted thread {@code thread} let {@code failure} escape its {@code run}: its task fails
     * with it, so that the scheduler reports it as it reports any task's unobserved failure; the
     * thread's own uncaught-exception handler is called as well, as the JDK does.
     */
    static void uncaught(Thread thread, Throwable failure) {
        Task<Void> task = used ? BY_THREAD.get(thread) : null;
        if (task != null && task.settle()) {
            task.finished(Future.State.FAILED);
            task.publish(null, failure);
            task.detach(); // nobody can join it: the failure goes to the scheduler's report
        }
    }

    /**
     * {@return the executor that the default asynchronous work of {@code CompletableFuture}
     * ({@code supplyAsync}, {@code runAsync}, {@code thenApplyAsync} without an executor) started
     * on {@code thread} runs on: the background executor of its task's scheduler if that scheduler
     * adopts threads, or null for the JDK's common pool}
     */
    static java.util.concurrent.Executor asyncExecutor(Thread thread) {
        Task<?> task = TaskScope.currentTask();
        if (task == null || task.thread().orElse(null) != thread) {
            return null;
        }
        AbstractExecutor executor = task.executor();
        if (!adopts(executor)) {
            return null;
        }
        Executor background = executor.background();
        // A dependent registered now may run after the scheduler closed: it then runs where it would have.
        return command -> {
            try {
                background.execute(command);
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                java.util.concurrent.ForkJoinPool.commonPool().execute(command);
            }
        };
    }

    /**
     * Starts a task that runs the platform thread {@code platform} in its place, if the calling
     * thread is a task's body (or an adopted thread) whose scheduler adopts threads; {@return the
     * task's virtual thread, its stand-in, or null to start the platform thread as the JDK does}
     * The task's first step runs only once the calling step is over, so the caller registers the
     * stand-in first. Only threads the application's code starts (a class the agent rewrote, directly
     * or through a thread pool) are stood in for, and never the JDK's own kinds of thread (a
     * {@code ForkJoinWorkerThread}, its internal threads).
     */
    static Thread standIn(Thread platform) {
        Class<?> type = platform.getClass();
        String name = type.getName();
        if (platform instanceof java.util.concurrent.ForkJoinWorkerThread || (type != Thread.class
                && (name.startsWith("java.") || name.startsWith("jdk.") || name.startsWith("sun.")
                        || name.startsWith("com.sun.")))) {
            return null;
        }
        Thread starter = Thread.currentThread();
        Task<?> home = TaskScope.currentTask();
        Executor target;
        Owner owner = null;
        if (home != null && home.thread().orElse(null) == starter) {
            target = adopts(home.executor()) ? home.executor().background() : null;
        } else {
            owner = starter.isVirtual() || !owned ? null : OWNERS.get(starter);
            target = owner == null ? null : owner.executor;
        }
        // The stack walk last: every thread start in the JVM comes here, and most are nobody's task's.
        if (target == null || !startedByTheApplication()) {
            return null; // a library's thread (a test framework's timeout thread, say) keeps the JDK's
        }
        String threadName = platform.getName();
        Owner startedBy = owner;
        if (startedBy != null) {
            startedBy.running.incrementAndGet();
        }
        Task<Void> task = target.spawnOnItsOwnThread(
                TaskLabel.of(threadName.isBlank() ? "thread" : "thread " + threadName), () -> runStandIn(platform));
        task.detach(); // nobody joins the task: the platform thread is what the code joins
        STOOD_IN.put(platform, task);
        // However the task ends, run, failed, or cancelled before it started: the thread has ended.
        task.toCompletableFuture().whenComplete((nothing, failure) -> standInEnded(platform, startedBy));
        return task.thread().orElse(null);
    }

    /**
     * {@return whether the code that starts a thread now is the application's: the first frame
     * outside the JDK and these hooks belongs to a class the agent rewrote}
     */
    private static boolean startedByTheApplication() {
        return StackWalker.getInstance().walk(frames -> frames.map(StackWalker.StackFrame::getClassName)
                .filter(name -> !name.startsWith("java.") && !name.startsWith("jdk.") && !name.startsWith("sun.")
                        && !name.startsWith("com.sun.") && !name.equals(AdoptedThreads.class.getName())
                        && !name.equals(JdkAnswers.class.getName()) && !name.equals(JdkHooks.class.getName()))
                .findFirst().map(dev.scheduler.jdk.PreemptionPoints::isRewritten).orElse(false));
    }

    /** The platform thread {@code platform} has ended: its joiners wake, and nothing keeps it. */
    private static void standInEnded(Thread platform, Owner startedBy) {
        if (STOOD_IN.remove(platform) == null) {
            return; // told already
        }
        JdkHooks.standInFinished(platform);
        if (startedBy != null) {
            startedBy.running.decrementAndGet();
        }
        synchronized (platform) {
            platform.notifyAll();
        }
    }

    /** {@return whether {@code thread} is the stand-in of a platform thread, whose run must never be dropped} */
    static boolean isStandIn(Thread thread) {
        return thread != null && JdkHooks.standingFor(thread) != null;
    }

    /**
     * Lets platform threads started on {@code owner} outside any task run as tasks of
     * {@code executor}, and a {@code join} of one there drive the scheduler until it ends.
     */
    static void adoptOn(Thread owner, Executor executor) {
        OWNERS.put(owner, new Owner(executor));
        owned = true;
    }

    /** Undoes {@link #adoptOn} for {@code owner}, if {@code executor} is still the one. */
    static void stopAdoptingOn(Thread owner, Executor executor) {
        OWNERS.computeIfPresent(owner, (thread, known) -> known.executor == executor ? null : known);
    }

    /**
     * {@return the scheduler whose run {@code thread} is the own thread of, while platform threads it
     * started run as tasks (its timed waits then measure the scheduler's clock, as its parks drive
     * it), or null}
     */
    static Scheduler ownerScheduler(Thread thread) {
        Owner owner = owned ? OWNERS.get(thread) : null;
        return owner == null || owner.running.get() == 0 ? null : owner.executor.scheduler();
    }

    /**
     * A park of {@code thread}: if it is a run's own thread, outside tasks, while platform threads
     * it started run as tasks, the scheduler runs steps until the thread is unparked (or
     * {@code nanos} of its clock pass, or a tick budget, as a {@code blockWithTimeout} does: a
     * spurious return, which callers of {@code park} expect), and {@return true}; false to park as
     * the JDK does. A deadlock is the scheduler's report. Without such threads a park is the JDK's,
     * as it always was: the test may wait for real threads of its own.
     */
    static boolean parkOwner(Thread thread, long nanos) {
        Owner owner = owned ? OWNERS.get(thread) : null;
        if (owner == null || owner.driving || owner.running.get() == 0 || TaskScope.currentTask() != null) {
            return false;
        }
        CompletableFuture<Void> permit = owner.permit;
        if (!permit.isDone()) {
            owner.driving = true;
            try {
                owner.executor.scheduler().block(null, permit, nanos > 0 ? Duration.ofNanos(nanos) : null);
            } finally {
                owner.driving = false;
            }
        }
        if (permit.isDone()) {
            owner.permit = new CompletableFuture<>(); // the permit is used up
        }
        return true;
    }

    /** {@code LockSupport.unpark(thread)}: a run's own thread gets its permit. */
    static void unparkOwner(Thread thread) {
        Owner owner = owned ? OWNERS.get(thread) : null;
        if (owner != null) {
            owner.permit.complete(null);
        }
    }

    /**
     * {@code platform.join(millis)} called on a scheduler's own thread, outside tasks, for a
     * platform thread a task runs: drives the scheduler until the task ends (or {@code millis} of
     * its clock pass, if positive) and {@return true}; false for every other join, which waits on the
     * thread's monitor as the JDK's does.
     */
    static boolean joinStandIn(Thread platform, long millis) {
        Thread current = Thread.currentThread();
        Owner owner = current.isVirtual() || !owned ? null : OWNERS.get(current);
        Executor executor = owner == null ? null : owner.executor;
        Task<Void> task = executor == null ? null : STOOD_IN.get(platform);
        if (task == null || TaskScope.currentTask() != null) {
            return false;
        }
        executor.scheduler().block(null, task, millis == 0 ? null : Duration.ofMillis(millis));
        return true;
    }

    /**
     * The body of a stand-in: the platform thread's {@code run}, then what the JVM does when a
     * platform thread ends: an escaping exception goes to its handler and then fails the task, so
     * that the scheduler reports it; whoever joins the thread, waiting on its monitor, is woken.
     */
    private static void runStandIn(Thread platform) {
        try {
            platform.run();
        } catch (RuntimeException | Error failure) {
            platform.getUncaughtExceptionHandler().uncaughtException(platform, failure);
            throw failure;
        }
    }

    /** {@return whether {@code executor}'s scheduler makes the threads its tasks start tasks of its own} */
    private static boolean adopts(AbstractExecutor executor) {
        return executor.scheduler().as(Simulation.class).filter(Simulation::adoptsThreads).isPresent();
    }

    /** {@return the adopted task whose thread {@code thread} is, or null} */
    static Task<Void> taskOf(Thread thread) {
        return used && thread.isVirtual() ? BY_THREAD.get(thread) : null;
    }

    private static void ended(Task<Void> task, Thread thread, Runnable continuation) {
        forget(thread, continuation);
        if (task.settle()) {
            task.finished(Future.State.SUCCESS);
            task.publish(null, null);
        }
        task.thread(null);
    }

    private static void forget(Thread thread, Runnable continuation) {
        BY_CONTINUATION.remove(continuation);
        if (thread != null) {
            BY_THREAD.remove(thread);
        }
    }
}
