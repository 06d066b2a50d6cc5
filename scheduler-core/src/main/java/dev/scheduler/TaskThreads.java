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
 * scheduler (see {@code TaskRun}). Without the flag, {@link #available()} is false and task bodies
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

    private static final MethodHandle NEW_VIRTUAL_THREAD;
    private static final String UNAVAILABLE_REASON;

    static {
        MethodHandle handle = null;
        String reason = null;
        try {
            Class<?> builders = Class.forName("java.lang.ThreadBuilders");
            handle = MethodHandles.privateLookupIn(builders, MethodHandles.lookup()).findStatic(
                    builders,
                    "newVirtualThread",
                    MethodType.methodType(Thread.class, Executor.class, String.class, int.class, Runnable.class));
        } catch (IllegalAccessException | ClassNotFoundException | NoSuchMethodException
                | RuntimeException e) {
            reason = e.toString();
        }
        NEW_VIRTUAL_THREAD = handle;
        UNAVAILABLE_REASON = reason;
        if (handle != null) {
            // Bodies will run on virtual threads: the JDK's internals must be the ones we follow, and
            // the instrumented JDK (with the test agent) asks us about their timed waits.
            ThreadWaits.requireKnownInternals();
            JdkHooks.install(new JdkAnswers());
        }
    }

    private TaskThreads() {
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
     * Creates an unstarted virtual thread named {@code name} (empty for none yet) that runs
     * {@code body} and hands every continuation to {@code carrier}.
     */
    static Thread newThread(Executor carrier, String name, Runnable body) {
        try {
            // characteristics 0: the defaults of Thread.ofVirtual(), inheritable thread locals included
            return (Thread) NEW_VIRTUAL_THREAD.invokeExact(carrier, name, 0, body);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("Could not create a virtual thread", e);
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
