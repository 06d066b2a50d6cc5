package dev.scheduler;

import dev.scheduler.jdk.JdkHooks;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * The one place that reaches into the JDK for virtual threads whose carrier scheduler is ours.
 *
 * <p>{@code java.lang.ThreadBuilders.newVirtualThread(Executor, String, int, Runnable)} creates a
 * virtual thread that submits each of its continuations to the given {@link Executor} instead of
 * the JDK's shared ForkJoinPool. It is package-private in {@code java.base}, so using it needs
 * {@value #FLAG}. A virtual thread started inside a body inherits its scheduler from the body's
 * thread, as the JDK does for every virtual thread; it is not the task, and runs on the JDK's own
 * scheduler (see {@code TaskRunner}). Without the flag, {@link #available()} is false and task bodies
 * run to completion as plain steps; a body that would need to park then fails with
 * {@link #carrierRequired(String)}.
 *
 * <p>Applications and test frameworks ask {@link #requireAvailable(String)} at start-up, so that a
 * JVM started without the flag fails once, at once, with the message that says where to put it,
 * rather than in whichever request first parks. {@value #REQUIRE_PROPERTY}{@code =false} (a system
 * property, or a Spring property) opts out.
 */
public final class TaskThreads {

    /** The JVM option that lets task bodies run on virtual threads carried by our schedulers. */
    public static final String FLAG = "--add-opens java.base/java.lang=ALL-UNNAMED";

    /**
     * The property that, set to {@code false}, lets an application or a {@code @SchedulerTest} start
     * without {@link #FLAG}: bodies then run as plain steps and only a body that parks fails.
     */
    public static final String REQUIRE_PROPERTY = "scheduler.require-carrier";

    /** {@code Thread.NO_INHERIT_THREAD_LOCALS}: a body's thread takes its spawner's context, not its carrier's. */
    private static final int NO_INHERIT_THREAD_LOCALS = 4;

    private static final MethodHandle NEW_VIRTUAL_THREAD;
    private static final String UNAVAILABLE_REASON;

    /** {@code Thread.threadLocals}, {@code Thread.inheritableThreadLocals} and {@code Thread.uncaughtExceptionHandler}, as Object. */
    private static final MethodHandle GET_THREAD_LOCALS;
    private static final MethodHandle SET_THREAD_LOCALS;
    private static final MethodHandle GET_INHERITABLE_THREAD_LOCALS;
    private static final MethodHandle SET_INHERITABLE_THREAD_LOCALS;
    private static final MethodHandle GET_UNCAUGHT_EXCEPTION_HANDLER;
    private static final MethodHandle SET_UNCAUGHT_EXCEPTION_HANDLER;
    /** {@code ThreadLocal.createInheritedMap}: what a new thread copies of its parent's inheritable thread locals. */
    private static final MethodHandle CREATE_INHERITED_MAP;

    static {
        MethodHandle handle = null;
        MethodHandle[] fields = new MethodHandle[7];
        String reason = null;
        try {
            Class<?> builders = Class.forName("java.lang.ThreadBuilders");
            handle = MethodHandles.privateLookupIn(builders, MethodHandles.lookup()).findStatic(
                    builders,
                    "newVirtualThread",
                    MethodType.methodType(Thread.class, Executor.class, String.class, int.class, Runnable.class));
            threadFields(fields);
        } catch (IllegalAccessException | ClassNotFoundException | NoSuchMethodException | NoSuchFieldException
                | RuntimeException e) {
            handle = null;
            reason = e.toString();
        }
        NEW_VIRTUAL_THREAD = handle;
        UNAVAILABLE_REASON = reason;
        GET_THREAD_LOCALS = fields[0];
        SET_THREAD_LOCALS = fields[1];
        GET_INHERITABLE_THREAD_LOCALS = fields[2];
        SET_INHERITABLE_THREAD_LOCALS = fields[3];
        GET_UNCAUGHT_EXCEPTION_HANDLER = fields[4];
        SET_UNCAUGHT_EXCEPTION_HANDLER = fields[5];
        CREATE_INHERITED_MAP = fields[6];
        if (handle != null) {
            // Bodies will run on virtual threads: the JDK's internals must be the ones we follow, and
            // the instrumented JDK (with the test agent) asks us about their timed waits.
            ThreadWaits.requireKnownInternals();
            JdkHooks.install(new JdkAnswers());
        }
    }

    private TaskThreads() {
    }

    /** Resolves the {@code Thread} fields a body's context lives in, viewed as Object, into {@code fields}. */
    private static void threadFields(MethodHandle[] fields)
            throws ClassNotFoundException, IllegalAccessException, NoSuchFieldException, NoSuchMethodException {
        MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup());
        Class<?> map = Class.forName("java.lang.ThreadLocal$ThreadLocalMap");
        MethodType getter = MethodType.methodType(Object.class, Thread.class);
        MethodType setter = MethodType.methodType(void.class, Thread.class, Object.class);
        fields[0] = lookup.findGetter(Thread.class, "threadLocals", map).asType(getter);
        fields[1] = lookup.findSetter(Thread.class, "threadLocals", map).asType(setter);
        fields[2] = lookup.findGetter(Thread.class, "inheritableThreadLocals", map).asType(getter);
        fields[3] = lookup.findSetter(Thread.class, "inheritableThreadLocals", map).asType(setter);
        fields[4] = lookup.findGetter(Thread.class, "uncaughtExceptionHandler", Thread.UncaughtExceptionHandler.class)
                .asType(getter);
        fields[5] = lookup.findSetter(Thread.class, "uncaughtExceptionHandler", Thread.UncaughtExceptionHandler.class)
                .asType(setter);
        MethodHandles.Lookup locals = MethodHandles.privateLookupIn(ThreadLocal.class, MethodHandles.lookup());
        fields[6] = locals.findStatic(ThreadLocal.class, "createInheritedMap", MethodType.methodType(map, map))
                .asType(MethodType.methodType(Object.class, Object.class));
        // Fail here, not in the first task, if the constant moved: a runner would inherit its carrier's locals.
        int noInherit = (int) MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup())
                .findStaticVarHandle(Thread.class, "NO_INHERIT_THREAD_LOCALS", int.class).get();
        if (noInherit != NO_INHERIT_THREAD_LOCALS) {
            throw new NoSuchFieldException("Thread.NO_INHERIT_THREAD_LOCALS is " + noInherit + ", not "
                    + NO_INHERIT_THREAD_LOCALS);
        }
    }

    /** {@return whether task bodies can run on virtual threads carried by our schedulers} */
    public static boolean available() {
        return NEW_VIRTUAL_THREAD != null;
    }

    /**
     * {@return why task bodies cannot run on virtual threads carried by our schedulers, as the JDK
     * said it when asked; empty when they can}
     */
    public static Optional<String> unavailableReason() {
        return Optional.ofNullable(UNAVAILABLE_REASON);
    }

    /**
     * Fails unless task bodies can run on virtual threads carried by our schedulers.
     *
     * @param who what needs them, the start of the message: {@code "The application"}, say
     * @throws IllegalStateException naming {@link #FLAG}, where to put it and {@link #REQUIRE_PROPERTY},
     *         when they are unavailable
     * @throws NullPointerException if {@code who} is null
     */
    public static void requireAvailable(String who) {
        Objects.requireNonNull(who, "who");
        if (!available()) {
            throw new IllegalStateException(who + " runs task bodies that may park (join, sleep, locks, queues), "
                    + "which needs virtual threads carried by the scheduler, and they are unavailable ("
                    + UNAVAILABLE_REASON + "). " + whereToPutTheFlag() + " To start anyway, with bodies run as "
                    + "plain steps that fail when they park, set " + REQUIRE_PROPERTY + "=false (a Spring property, or the "
                    + "system property -D" + REQUIRE_PROPERTY + "=false).");
        }
    }

    /**
     * Lets platform threads that code on {@code owner} starts outside any task run as tasks of
     * {@code executor}, with the test agent, and a {@code join} of one on {@code owner} drive the
     * scheduler until it ends: for a simulation's own thread, such as a {@code TestScheduler}'s,
     * so that a program that starts plain threads from its {@code main} runs on the simulation.
     *
     * @param owner the simulation's own thread
     * @param executor where the threads run
     * @throws NullPointerException if an argument is null
     */
    public static void adoptThreadsStartedOn(Thread owner, dev.scheduler.Executor executor) {
        AdoptedThreads.adoptOn(Objects.requireNonNull(owner, "owner"), Objects.requireNonNull(executor, "executor"));
    }

    /**
     * Undoes {@link #adoptThreadsStartedOn} for {@code owner}, if {@code executor} is still the one it named.
     *
     * @param owner the simulation's own thread
     * @param executor the executor it named
     */
    public static void stopAdoptingThreadsStartedOn(Thread owner, dev.scheduler.Executor executor) {
        AdoptedThreads.stopAdoptingOn(owner, executor);
    }

    /**
     * Creates an unstarted virtual thread named {@code name} that runs {@code body} and hands every
     * continuation to {@code carrier}. It inherits nothing from the thread that creates it (a
     * dispatcher's thread, as a rule): each body it runs gets its spawner's context ({@link Context}).
     */
    static Thread newThread(Executor carrier, String name, Runnable body) {
        try {
            return (Thread) NEW_VIRTUAL_THREAD.invokeExact(carrier, name, NO_INHERIT_THREAD_LOCALS, body);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("Could not create a virtual thread", e);
        }
    }

    /**
     * What a task's body inherits from the thread that spawned it, as a virtual thread started
     * there would: the context class loader and a copy of the inheritable thread locals, taken at
     * the spawn.
     *
     * @param loader the spawner's context class loader
     * @param inheritedLocals the copy of the spawner's inheritable thread locals, or null if it had none
     */
    record Context(ClassLoader loader, Object inheritedLocals) {

        /**
         * The last context without inheritable thread locals: spawners share one class loader as a
         * rule, so a spawn costs no allocation for its context. Immutable, so a racy read is safe.
         */
        private static Context lastWithoutLocals = new Context(null, null);

        /** The context a body spawned on {@code spawner} now inherits. */
        static Context of(Thread spawner) {
            ClassLoader loader = spawner.getContextClassLoader();
            Object locals = invokeGet(GET_INHERITABLE_THREAD_LOCALS, spawner);
            if (locals != null) {
                return new Context(loader, inherited(locals));
            }
            Context last = lastWithoutLocals;
            if (last.loader != loader) {
                last = new Context(loader, null);
                lastWithoutLocals = last;
            }
            return last;
        }

        /** Gives {@code thread}, about to run a body, this context. */
        void applyTo(Thread thread) {
            if (thread.getContextClassLoader() != loader) {
                thread.setContextClassLoader(loader);
            }
            if (inheritedLocals != null) {
                invokeSet(SET_INHERITABLE_THREAD_LOCALS, thread, inheritedLocals);
            }
        }
    }

    /**
     * Clears what a body left on {@code thread}, the current thread, before it runs another: its
     * thread locals, inheritable or not, its uncaught-exception handler and its interrupt status,
     * so that nothing of one task reaches the next, as nothing would on a fresh thread.
     */
    static void clearBodyState(Thread thread) {
        if (invokeGet(GET_THREAD_LOCALS, thread) != null) {
            invokeSet(SET_THREAD_LOCALS, thread, null);
        }
        if (invokeGet(GET_INHERITABLE_THREAD_LOCALS, thread) != null) {
            invokeSet(SET_INHERITABLE_THREAD_LOCALS, thread, null);
        }
        if (invokeGet(GET_UNCAUGHT_EXCEPTION_HANDLER, thread) != null) {
            invokeSet(SET_UNCAUGHT_EXCEPTION_HANDLER, thread, null);
        }
        Thread.interrupted();
    }

    private static Object inherited(Object locals) {
        try {
            return (Object) CREATE_INHERITED_MAP.invokeExact(locals);
        } catch (RuntimeException | Error e) {
            throw e; // an InheritableThreadLocal.childValue that threw, as it would in new Thread()
        } catch (Throwable e) {
            throw new IllegalStateException("Could not copy the inheritable thread locals", e);
        }
    }

    private static Object invokeGet(MethodHandle getter, Thread thread) {
        try {
            return (Object) getter.invokeExact(thread);
        } catch (Throwable e) {
            throw new IllegalStateException("Could not read a field of " + thread, e);
        }
    }

    private static void invokeSet(MethodHandle setter, Thread thread, Object value) {
        try {
            setter.invokeExact(thread, value);
        } catch (Throwable e) {
            throw new IllegalStateException("Could not write a field of " + thread, e);
        }
    }

    /** The failure for a task body that would have to park while virtual threads are unavailable. */
    static IllegalStateException carrierRequired(String operation) {
        return new IllegalStateException(operation + " inside a task body must park the body, which needs "
                + "virtual threads carried by the scheduler, and they are unavailable ("
                + UNAVAILABLE_REASON + "). " + whereToPutTheFlag());
    }

    private static String whereToPutTheFlag() {
        return "Start the JVM with " + FLAG + ": for tests in the Surefire or Failsafe <argLine>, for "
                + "spring-boot:run in <jvmArguments>, for an executable jar as the manifest entry "
                + "'Add-Opens: java.base/java.lang'.";
    }
}
