package dev.scheduler.agent;

import static net.bytebuddy.matcher.ElementMatchers.isDeclaredBy;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.none;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;
import static net.bytebuddy.matcher.ElementMatchers.takesNoArguments;

import dev.scheduler.jdk.JdkHooks;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.asm.MemberSubstitution;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.implementation.bytecode.assign.Assigner;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.matcher.ElementMatchers;
import net.bytebuddy.utility.JavaModule;

/**
 * Rewrites the JDK so that it asks {@link JdkHooks} about task bodies: where a virtual thread's
 * wait times out, what time it is for a timed wait, and when a monitor hand-off is under way.
 */
/*
 * Implementation Overview
 * =======================
 *
 * What is rewritten, against JDK 25's sources:
 *
 *   java.lang.VirtualThread
 *     schedule(Runnable, long, TimeUnit): arms the timeout of a timed park (afterYield, for
 *       LockSupport.parkNanos, Thread.sleep, every timed j.u.c. wait) and of a timed Object.wait.
 *       For a custom carrier scheduler it uses the JDK's wall-clock "VirtualThread-unparker"
 *       threads; we ask JdkHooks.schedule first, which gives a task's body a timer on its scheduler.
 *     compareAndSetOnWaitingList(boolean, boolean) and unblock(): the unblocker thread's loop takes
 *       a virtual thread off the list a monitor release put it on, then submits its continuation.
 *       We count from before the first to after the second (JdkHooks.unblocksInFlight), so that
 *       together with the onWaitingList flag a hand-off is visible all the way through.
 *     afterYield(): when the thread has just unmounted to wait for a monitor (BLOCKED, WAIT,
 *       TIMED_WAIT) we count it (JdkHooks.monitorWaits), so a scheduler looks only then.
 *     start(ThreadContainer): JdkHooks.startingVirtualThread names the thread while its first
 *       continuation is submitted, so that a scheduler that adopts threads a body starts knows
 *       which thread a continuation belongs to.
 *   java.lang.Thread.dispatchUncaughtException(Throwable): an adopted thread's task fails with it
 *     before the thread's handler runs.
 *   java.util.concurrent.CompletableFuture.arrangeTimeout(long, Timeout): orTimeout and
 *     completeOnTimeout inside a task's body time out on its scheduler.
 *   CompletableFuture.asyncSupplyStage, asyncRunStage and defaultExecutor(): the common pool,
 *     their default, becomes the task's scheduler's executor inside a body whose scheduler adopts
 *     threads (supplyAsync, runAsync, thenApplyAsync and the like without an executor).
 *   Clock reads, System.nanoTime() (and System.currentTimeMillis() where an absolute deadline is
 *   measured: LockSupport.parkUntil, Condition.awaitUntil), become JdkHooks' in the classes whose
 *   timed waits recompute what is left after every park: Thread.sleep would otherwise park again
 *   for the wall time still to go. Only waiting code is rewritten: the JDK's timer threads
 *   (ScheduledThreadPoolExecutor, ForkJoinPool's DelayScheduler, DelayQueue) compare times across
 *   threads and keep the system clock.
 *
 * Every member above is looked up by reflection before anything is rewritten, and every class must
 * report its transformation: on a JDK that differs, the agent throws, which stops the JVM's start.
 */
final class JdkInstrumentation {

    private static final String VIRTUAL_THREAD = "java.lang.VirtualThread";

    /** The classes whose timed waits read the clock, each with its nested classes. */
    private static final List<String> CLOCK_READERS = List.of(
            VIRTUAL_THREAD,
            "java.lang.Thread",
            "java.util.concurrent.locks.AbstractQueuedSynchronizer",
            "java.util.concurrent.locks.AbstractQueuedLongSynchronizer",
            "java.util.concurrent.locks.LockSupport",
            "java.util.concurrent.locks.StampedLock",
            "java.util.concurrent.AbstractExecutorService",
            "java.util.concurrent.CompletableFuture",
            "java.util.concurrent.Exchanger",
            "java.util.concurrent.ForkJoinTask",
            "java.util.concurrent.FutureTask",
            "java.util.concurrent.LinkedTransferQueue",
            "java.util.concurrent.Phaser",
            "java.util.concurrent.SubmissionPublisher",
            "java.util.concurrent.ThreadPerTaskExecutor");

    /** The classes where an absolute deadline in epoch milliseconds is compared with the wall clock. */
    private static final List<String> DEADLINE_READERS = List.of(
            "java.util.concurrent.locks.AbstractQueuedSynchronizer",
            "java.util.concurrent.locks.AbstractQueuedLongSynchronizer",
            "java.util.concurrent.locks.LockSupport");

    private JdkInstrumentation() {
    }

    static void install(Instrumentation instrumentation) {
        requireKnownInternals();
        Transformations transformations = new Transformations();
        AgentBuilder builder = new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(AgentBuilder.TypeStrategy.Default.DECORATE)
                .with(transformations)
                .ignore(none())
                .type(named(VIRTUAL_THREAD))
                .transform((type, description, loader, module, domain) -> type
                        .visit(Advice.to(TimedPark.class).on(named("schedule")
                                .and(takesArguments(Runnable.class, long.class, TimeUnit.class))))
                        .visit(Advice.to(Unblocking.class).on(named("compareAndSetOnWaitingList")))
                        .visit(Advice.to(Unblocked.class).on(named("unblock").and(takesNoArguments())))
                        .visit(Advice.to(MonitorWait.class).on(named("afterYield").and(takesNoArguments())))
                        .visit(Advice.to(StartVirtualThread.class).on(named("start").and(takesArguments(1)))))
                .type(named("java.util.concurrent.locks.LockSupport"))
                .transform((type, description, loader, module, domain) -> type
                        .visit(Advice.to(Park.class).on(named("park").and(takesArguments(Object.class))))
                        .visit(Advice.to(ParkAlone.class).on(named("park").and(takesNoArguments())))
                        .visit(Advice.to(ParkNanos.class).on(named("parkNanos").and(takesArguments(Object.class, long.class))))
                        .visit(Advice.to(ParkNanosAlone.class).on(named("parkNanos").and(takesArguments(long.class))))
                        .visit(Advice.to(Unpark.class).on(named("unpark").and(takesArguments(Thread.class)))))
                .type(named("java.lang.Thread"))
                .transform((type, description, loader, module, domain) -> type
                        .visit(Advice.to(UncaughtException.class).on(named("dispatchUncaughtException")))
                        .visit(Advice.to(StartPlatformThread.class).on(named("start").and(takesNoArguments())))
                        .visit(Advice.to(StartPlatformThreadInContainer.class).on(named("start").and(takesArguments(1))))
                        .visit(Advice.to(Alive.class).on(named("alive").and(takesNoArguments())))
                        .visit(Advice.to(Join.class).on(named("join").and(takesArguments(long.class))))
                        .visit(Advice.to(ThreadState.class).on(named("threadState").and(takesNoArguments())))
                        .visit(Advice.to(Interrupt.class).on(named("interrupt").and(takesNoArguments())))
                        .visit(Advice.to(IsInterrupted.class).on(named("isInterrupted").and(takesNoArguments()))))
                .type(named("java.util.concurrent.CompletableFuture"))
                .transform((type, description, loader, module, domain) -> type
                        .visit(Advice.to(ArrangeTimeout.class).on(named("arrangeTimeout")))
                        .visit(Advice.to(AsyncStage.class).on(named("asyncSupplyStage").or(named("asyncRunStage"))))
                        .visit(Advice.to(DefaultExecutor.class).on(named("defaultExecutor").and(takesNoArguments()))))
                .type(within(CLOCK_READERS))
                .transform((type, description, loader, module, domain) -> type.visit(clockReads(description)));
        builder.installOn(instrumentation);
        // Classes that loaded while ByteBuddy itself was at work (it skips those, to avoid recursion)
        // would otherwise keep their system clock for good.
        for (int pass = 0; pass < 3 && transformations.catchUp(instrumentation); pass++) {
            // each pass may load more
        }
        transformations.requireAll(instrumentation);
        JdkHooks.markInstrumented("timed parks, timed Object.wait and orTimeout of task bodies on their scheduler's "
                + "clock; monitor hand-offs counted; clock reads of " + CLOCK_READERS);
    }

    private static ElementMatcher.Junction<TypeDescription> within(List<String> types) {
        ElementMatcher.Junction<TypeDescription> matcher = none();
        for (String type : types) {
            matcher = matcher.or(named(type)).or(nameStartsWith(type + "$"));
        }
        return matcher;
    }

    private static AsmVisitorWrapper clockReads(TypeDescription type) {
        try {
            MemberSubstitution substitution = MemberSubstitution.relaxed()
                    .method(named("nanoTime").and(isDeclaredBy(System.class)).and(takesNoArguments()))
                    .replaceWith(JdkHooks.class.getMethod("nanoTime"));
            String outer = type.getName().contains("$") ? type.getName().substring(0, type.getName().indexOf('$'))
                    : type.getName();
            if (DEADLINE_READERS.contains(outer)) {
                substitution = substitution
                        .method(named("currentTimeMillis").and(isDeclaredBy(System.class)).and(takesNoArguments()))
                        .replaceWith(JdkHooks.class.getMethod("currentTimeMillis"));
            }
            return substitution.on(ElementMatchers.any());
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("scheduler-test-agent: JdkHooks has no clock method", e);
        }
    }

    /** Fails unless every JDK member the rewrite relies on is there. */
    private static void requireKnownInternals() {
        List<String> missing = new ArrayList<>();
        Class<?> virtualThread = type(VIRTUAL_THREAD, missing);
        if (virtualThread != null) {
            method(virtualThread, "schedule", missing, Runnable.class, long.class, TimeUnit.class);
            method(virtualThread, "compareAndSetOnWaitingList", missing, boolean.class, boolean.class);
            method(virtualThread, "unblock", missing);
            method(virtualThread, "afterYield", missing);
            Class<?> container = type("jdk.internal.vm.ThreadContainer", missing);
            if (container != null) {
                method(virtualThread, "start", missing, container);
            }
            for (String field : List.of("state", "BLOCKED", "WAIT", "TIMED_WAIT", "SUSPENDED")) {
                try {
                    virtualThread.getDeclaredField(field);
                } catch (NoSuchFieldException e) {
                    missing.add(VIRTUAL_THREAD + "." + field);
                }
            }
        }
        Class<?> timeout = type("java.util.concurrent.CompletableFuture$Timeout", missing);
        if (timeout != null) {
            method(CompletableFuture.class, "arrangeTimeout", missing, long.class, timeout);
        }
        method(CompletableFuture.class, "asyncSupplyStage", missing, java.util.concurrent.Executor.class,
                java.util.function.Supplier.class);
        method(CompletableFuture.class, "asyncRunStage", missing, java.util.concurrent.Executor.class, Runnable.class);
        method(CompletableFuture.class, "defaultExecutor", missing);
        method(Thread.class, "dispatchUncaughtException", missing, Throwable.class);
        for (String name : List.of("start", "alive", "threadState", "interrupt", "isInterrupted")) {
            method(Thread.class, name, missing);
        }
        method(Thread.class, "join", missing, long.class);
        Class<?> threadContainer = type("jdk.internal.vm.ThreadContainer", missing);
        if (threadContainer != null) {
            method(Thread.class, "start", missing, threadContainer);
        }
        for (String name : CLOCK_READERS) {
            type(name, missing);
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("scheduler-test-agent: this JDK (" + Runtime.version() + ") differs from the "
                    + "JDK 25 internals the agent rewrites; missing: " + missing + ". Run the tests on a JDK 25 build.");
        }
    }

    private static Class<?> type(String name, List<String> missing) {
        try {
            return Class.forName(name, false, null);
        } catch (ClassNotFoundException e) {
            missing.add(name);
            return null;
        }
    }

    private static void method(Class<?> type, String name, List<String> missing, Class<?>... parameters) {
        try {
            Method found = type.getDeclaredMethod(name, parameters);
            found.getName();
        } catch (NoSuchMethodException e) {
            missing.add(type.getName() + "." + name + List.of(parameters));
        }
    }

    /** Records what was rewritten and what failed, and fails unless every expected class was rewritten. */
    private static final class Transformations extends AgentBuilder.Listener.Adapter {

        private final Set<String> transformed = new TreeSet<>();
        private final List<String> errors = new ArrayList<>();

        @Override
        public synchronized void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module,
                boolean loaded, DynamicType dynamicType) {
            transformed.add(type.getName());
        }

        @Override
        public synchronized void onError(String type, ClassLoader loader, JavaModule module, boolean loaded,
                Throwable failure) {
            errors.add(type + ": " + failure);
        }

        /** Retransforms the loaded target classes not yet rewritten; returns whether there were any. */
        boolean catchUp(Instrumentation instrumentation) {
            List<Class<?>> missed = untouched(instrumentation);
            if (missed.isEmpty()) {
                return false;
            }
            try {
                instrumentation.retransformClasses(missed.toArray(Class<?>[]::new));
            } catch (UnmodifiableClassException e) {
                throw new IllegalStateException("scheduler-test-agent cannot rewrite " + missed, e);
            }
            return true;
        }

        void requireAll(Instrumentation instrumentation) {
            List<Class<?>> missed = untouched(instrumentation);
            synchronized (this) {
                if (!errors.isEmpty() || !missed.isEmpty()) {
                    throw new IllegalStateException("scheduler-test-agent could not rewrite the JDK ("
                            + Runtime.version() + "): errors " + errors + ", not rewritten " + missed);
                }
            }
        }

        private List<Class<?>> untouched(Instrumentation instrumentation) {
            List<Class<?>> missed = new ArrayList<>();
            for (Class<?> loaded : instrumentation.getAllLoadedClasses()) {
                String name = loaded.getName();
                boolean target = loaded.getClassLoader() == null && CLOCK_READERS.stream()
                        .anyMatch(reader -> name.equals(reader) || name.startsWith(reader + "$"));
                synchronized (this) {
                    if (target && !transformed.contains(name)) {
                        missed.add(loaded);
                    }
                }
            }
            return missed;
        }
    }

    // ---------------------------------------------------------------- advice, inlined into the JDK

    /** {@code VirtualThread.schedule}: a task body's timeout is a timer on its scheduler. */
    static final class TimedPark {

        private TimedPark() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static ScheduledFuture<?> enter(@Advice.This Thread thread, @Advice.Argument(0) Runnable command,
                @Advice.Argument(1) long delay, @Advice.Argument(2) TimeUnit unit) {
            return JdkHooks.schedule(thread, command, delay, unit);
        }

        @Advice.OnMethodExit
        static void exit(@Advice.Enter ScheduledFuture<?> timer,
                @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Future<?> returned) {
            if (timer != null) {
                returned = timer;
            }
        }
    }

    /** {@code VirtualThread.compareAndSetOnWaitingList(true, false)}: the unblocker begins a hand-off. */
    static final class Unblocking {

        private Unblocking() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) boolean expected) {
            if (expected) {
                JdkHooks.unblocking();
            }
        }
    }

    /** {@code VirtualThread.unblock()}: the hand-off is delivered. */
    static final class Unblocked {

        private Unblocked() {
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit() {
            JdkHooks.unblocked();
        }
    }

    /** {@code VirtualThread.afterYield()}: the thread unmounted; count it if it waits for a monitor. */
    static final class MonitorWait {

        private MonitorWait() {
        }

        @Advice.OnMethodExit
        static void exit(@Advice.FieldValue("state") int state, @Advice.FieldValue("BLOCKED") int blocked,
                @Advice.FieldValue("WAIT") int waiting, @Advice.FieldValue("TIMED_WAIT") int timedWaiting,
                @Advice.FieldValue("SUSPENDED") int suspended) {
            int settled = state & ~suspended;
            if (settled == blocked || settled == waiting || settled == timedWaiting) {
                JdkHooks.monitorWait();
            }
        }
    }

    /** {@code VirtualThread.start(ThreadContainer)}: the scheduler may adopt the thread as its first continuation arrives. */
    static final class StartVirtualThread {

        private StartVirtualThread() {
        }

        @Advice.OnMethodEnter
        static Thread enter(@Advice.This Thread thread) {
            Thread outer = JdkHooks.startingVirtualThread();
            JdkHooks.starting(thread);
            return outer;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.Enter Thread outer) {
            JdkHooks.starting(outer);
        }
    }

    /** {@code Thread.dispatchUncaughtException}: an adopted thread's task fails with what escaped it. */
    static final class UncaughtException {

        private UncaughtException() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.This Thread thread, @Advice.Argument(0) Throwable failure) {
            JdkHooks.uncaught(thread, failure);
        }
    }

    /**
     * {@code Thread.start()} and {@code start(ThreadContainer)} (a thread pool's) of a platform thread:
     * a virtual stand-in may run it as a task instead; a stood-in thread joins no container.
     */
    static final class StartPlatformThread {

        private StartPlatformThread() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.This Thread thread) {
            return JdkHooks.startPlatformThread(thread);
        }
    }

    /** {@code Thread.start(ThreadContainer)}: as {@link StartPlatformThread}, for a pool's shared container. */
    static final class StartPlatformThreadInContainer {

        private StartPlatformThreadInContainer() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.This Thread thread, @Advice.Argument(0) Object container) {
            return JdkHooks.startPlatformThread(thread, container);
        }
    }

    /** {@code LockSupport.park(Object)}: a run's own thread drives its scheduler instead. */
    static final class Park {

        private Park() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.Argument(0) Object blocker) {
            return JdkHooks.park(blocker, 0);
        }
    }

    /** {@code LockSupport.park()}: as {@link Park}. */
    static final class ParkAlone {

        private ParkAlone() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter() {
            return JdkHooks.park(null, 0);
        }
    }

    /** {@code LockSupport.parkNanos(Object, long)}: as {@link Park}, until the timeout on the scheduler's clock. */
    static final class ParkNanos {

        private ParkNanos() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.Argument(0) Object blocker, @Advice.Argument(1) long nanos) {
            return nanos > 0 && JdkHooks.park(blocker, nanos);
        }
    }

    /** {@code LockSupport.parkNanos(long)}: as {@link ParkNanos}. */
    static final class ParkNanosAlone {

        private ParkNanosAlone() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.Argument(0) long nanos) {
            return nanos > 0 && JdkHooks.park(null, nanos);
        }
    }

    /** {@code LockSupport.unpark(Thread)}: a run's own thread driving for a park is told. */
    static final class Unpark {

        private Unpark() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Thread thread) {
            JdkHooks.unpark(thread);
        }
    }

    /** {@code Thread.join(long)}: on a scheduler's own thread, a stood-in thread is joined by driving the scheduler. */
    static final class Join {

        private Join() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.This Thread thread, @Advice.Argument(0) long millis) {
            return millis >= 0 && JdkHooks.joinPlatformThread(thread, millis);
        }
    }

    /** {@code Thread.alive()} of a platform thread: its stand-in's answer, if it has one. */
    static final class Alive {

        private Alive() {
        }

        @Advice.OnMethodExit
        static void exit(@Advice.This Thread thread, @Advice.Return(readOnly = false) boolean alive) {
            if (JdkHooks.standInAlive(thread)) {
                alive = true;
            }
        }
    }

    /** {@code Thread.threadState()} of a platform thread: its stand-in's state, if it has one. */
    static final class ThreadState {

        private ThreadState() {
        }

        @Advice.OnMethodExit
        static void exit(@Advice.This Thread thread, @Advice.Return(readOnly = false) Thread.State state) {
            Thread standIn = JdkHooks.standIn(thread);
            if (standIn != null) {
                state = standIn.getState();
            } else if (JdkHooks.standInEnded(thread)) {
                state = Thread.State.TERMINATED;
            }
        }
    }

    /** {@code Thread.interrupt()} of a platform thread: interrupts its stand-in instead, if it has one. */
    static final class Interrupt {

        private Interrupt() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.This Thread thread) {
            Thread standIn = JdkHooks.standIn(thread);
            if (standIn == null) {
                return false;
            }
            standIn.interrupt();
            return true;
        }
    }

    /** {@code Thread.isInterrupted()}: a platform thread's stand-in's status, if it has one. */
    static final class IsInterrupted {

        private IsInterrupted() {
        }

        @Advice.OnMethodExit
        static void exit(@Advice.This Thread thread, @Advice.Return(readOnly = false) boolean interrupted) {
            Thread standIn = JdkHooks.standIn(thread);
            if (standIn != null) {
                interrupted = standIn.isInterrupted();
            }
        }
    }

    /** {@code CompletableFuture.asyncSupplyStage}/{@code asyncRunStage}: the common pool's work inside a task stays on its scheduler. */
    static final class AsyncStage {

        private AsyncStage() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(value = 0, readOnly = false) java.util.concurrent.Executor executor) {
            executor = JdkHooks.asyncExecutor(executor);
        }
    }

    /** {@code CompletableFuture.defaultExecutor()}: the executor of {@code thenApplyAsync} and the like without one. */
    static final class DefaultExecutor {

        private DefaultExecutor() {
        }

        @Advice.OnMethodExit
        static void exit(@Advice.Return(readOnly = false) java.util.concurrent.Executor executor) {
            executor = JdkHooks.asyncExecutor(executor);
        }
    }

    /** {@code CompletableFuture.arrangeTimeout}: orTimeout inside a task's body times out on its scheduler. */
    static final class ArrangeTimeout {

        private ArrangeTimeout() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.This CompletableFuture<?> future, @Advice.Argument(0) long delayNanos,
                @Advice.Argument(1) Runnable onTimeout) {
            return JdkHooks.arrangeTimeout(future, onTimeout, delayNanos);
        }
    }
}
