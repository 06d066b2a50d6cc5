package dev.scheduler;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.Stream;

/**
 * What a task body's virtual thread is waiting for, as the JDK sees it: for reports, and for
 * schedulers that must know whether the JDK still owes a body a wake-up before they choose the
 * next step.
 *
 * <p>Everything here reads JDK internals, so {@link #available()} is false unless
 * {@code java.lang} is open to the scheduler (the {@code --add-opens} flag of {@link Task}'s
 * bodies, or the test agent). Which monitor a body waits for and who holds it also need
 * {@code jdk.internal.vm} (the test agent opens it); without it those answers are empty.
 */
/*
 * Implementation Overview
 * =======================
 *
 * The JDK internals this class relies on, as in JDK 25's java/lang/VirtualThread.java:
 *
 *   - VirtualThread.state (int) and its constants NEW ... TERMINATED and the SUSPENDED bit. A body
 *     blocked entering a monitor is BLOCKED; in Object.wait it is WAIT or TIMED_WAIT (and BLOCKED
 *     once notified); parked it is PARKED or TIMED_PARKED; runnable but not mounted it is UNPARKED,
 *     UNBLOCKED, YIELDED or STARTED.
 *   - VirtualThread.onWaitingList (boolean): HotSpot sets it, on the thread that releases a monitor
 *     (ObjectMonitor::exit_epilog), when it picks a blocked virtual thread as the monitor's next
 *     owner and puts it on the list of the JDK's VirtualThread-unblocker thread. The unblocker
 *     clears it and then submits the thread's continuation to its scheduler (VirtualThread.unblock).
 *     So between a release and that submission, either the flag is set or the unblocker is at work;
 *     the test agent counts the latter (dev.scheduler.jdk.JdkHooks.unblocksInFlight).
 *   - VirtualThread.scheduler (Executor): the carrier scheduler a task's body was created with.
 *   - VirtualThread.DEFAULT_SCHEDULER (ForkJoinPool): the JDK's own, on which a virtual thread that
 *     a body starts (and that inherits the body's scheduler) runs instead (see TaskRunner).
 *   - jdk.internal.vm.ThreadSnapshot.of(Thread), blockedOn(), waitingOn(), ownedMonitorsAt(int):
 *     the thread-dump support that names the monitor a thread waits for and those it holds.
 *
 * Every name is resolved once, here. If java.lang is open but a name is missing, the JDK differs
 * from the one this was written for and nothing built on it can be trusted: loading this class
 * fails with a message naming what is missing, and so does every task (TaskThreads checks it
 * first). The build runs the checks in ThreadWaitsTest.
 */
public final class ThreadWaits {

    /** Where a body's virtual thread is, as far as waiting goes. */
    public enum Kind {
        /** Not started yet. */
        NEW,
        /** Mounted on a carrier, running. */
        RUNNING,
        /** Runnable and not mounted: its next step has been handed to its scheduler. */
        READY,
        /** Parked without a timeout ({@code LockSupport.park}, an untimed lock or queue wait, a join). */
        PARKED,
        /** Parked with a timeout ({@code Thread.sleep}, {@code parkNanos}, a timed lock or queue wait). */
        TIMED_PARKED,
        /** Blocked entering a {@code synchronized} block or method, or re-entering one after {@code Object.wait}. */
        BLOCKED_ON_MONITOR,
        /** In {@code Object.wait()} without a timeout. */
        WAITING_ON_MONITOR,
        /** In {@code Object.wait(timeout)}. */
        TIMED_WAITING_ON_MONITOR,
        /** Finished. */
        TERMINATED,
        /** Not a virtual thread, or the JDK's internals are not readable. */
        UNKNOWN
    }

    private static final VarHandle STATE;
    private static final VarHandle ON_WAITING_LIST;
    /** VirtualThread.scheduler, read as (Thread) Executor: exact, so that a read costs one field load. */
    private static final MethodHandle SCHEDULER;
    private static final Executor DEFAULT_SCHEDULER;
    private static final int[] KIND_OF_STATE;
    private static final int SUSPENDED;
    private static final String UNAVAILABLE_REASON;

    private static final MethodHandle SNAPSHOT_OF;
    private static final MethodHandle BLOCKED_ON;
    private static final MethodHandle WAITING_ON;
    private static final MethodHandle OWNED_AT;
    private static final MethodHandle STACK_TRACE;

    static {
        Class<?> virtualThread;
        MethodHandles.Lookup lookup = null;
        String reason = null;
        try {
            virtualThread = Class.forName("java.lang.VirtualThread");
            lookup = MethodHandles.privateLookupIn(virtualThread, MethodHandles.lookup());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(differs("there is no class java.lang.VirtualThread"), e);
        } catch (IllegalAccessException | RuntimeException e) {
            virtualThread = null;
            reason = e.toString();
        }
        UNAVAILABLE_REASON = reason;
        if (lookup == null) {
            STATE = null;
            ON_WAITING_LIST = null;
            SCHEDULER = null;
            DEFAULT_SCHEDULER = null;
            KIND_OF_STATE = null;
            SUSPENDED = 0;
        } else {
            STATE = field(lookup, virtualThread, "state", int.class);
            ON_WAITING_LIST = field(lookup, virtualThread, "onWaitingList", boolean.class);
            SCHEDULER = getter(lookup, virtualThread, "scheduler", Executor.class);
            DEFAULT_SCHEDULER = defaultScheduler(lookup, virtualThread);
            SUSPENDED = constant(lookup, virtualThread, "SUSPENDED");
            KIND_OF_STATE = kinds(lookup, virtualThread);
        }

        MethodHandle of = null;
        MethodHandle blockedOn = null;
        MethodHandle waitingOn = null;
        MethodHandle ownedAt = null;
        MethodHandle stackTrace = null;
        if (lookup != null) {
            try {
                Class<?> snapshot = Class.forName("jdk.internal.vm.ThreadSnapshot");
                MethodHandles.Lookup internal = MethodHandles.privateLookupIn(snapshot, MethodHandles.lookup());
                of = internal.findStatic(snapshot, "of", MethodType.methodType(snapshot, Thread.class));
                blockedOn = internal.findVirtual(snapshot, "blockedOn", MethodType.methodType(Object.class));
                waitingOn = internal.findVirtual(snapshot, "waitingOn", MethodType.methodType(Object.class));
                ownedAt = internal.findVirtual(snapshot, "ownedMonitorsAt", MethodType.methodType(Stream.class, int.class));
                stackTrace = internal.findVirtual(snapshot, "stackTrace",
                        MethodType.methodType(StackTraceElement[].class));
            } catch (IllegalAccessException e) {
                // jdk.internal.vm is not open: reports name no monitor
                of = null;
            } catch (ClassNotFoundException | NoSuchMethodException e) {
                throw new IllegalStateException(differs("jdk.internal.vm.ThreadSnapshot is missing or has no " + e.getMessage()), e);
            }
        }
        SNAPSHOT_OF = of;
        BLOCKED_ON = of == null ? null : blockedOn;
        WAITING_ON = of == null ? null : waitingOn;
        OWNED_AT = of == null ? null : ownedAt;
        STACK_TRACE = of == null ? null : stackTrace;
    }

    private ThreadWaits() {
    }

    /** {@return whether the JDK's virtual thread states are readable (java.lang is open)} */
    public static boolean available() {
        return STATE != null;
    }

    /** {@return whether the monitor a body waits for, and who holds it, can be named (jdk.internal.vm is open)} */
    public static boolean monitorsNamed() {
        return SNAPSHOT_OF != null;
    }

    /**
     * {@return where {@code thread} is as far as waiting goes; {@link Kind#UNKNOWN} for a platform
     * thread or when {@linkplain #available() unavailable}}
     *
     * @param thread any thread
     */
    public static Kind kind(Thread thread) {
        if (STATE == null || thread == null || !thread.isVirtual()) {
            return Kind.UNKNOWN;
        }
        int state = (int) STATE.getVolatile(thread) & ~SUSPENDED;
        return state >= 0 && state < KIND_OF_STATE.length && KIND_OF_STATE[state] >= 0
                ? Kind.values()[KIND_OF_STATE[state]] : Kind.RUNNING; // transitional states are mounted
    }

    /**
     * {@return whether {@code thread} waits for a monitor: blocked entering one, or in
     * {@code Object.wait}, from where a {@code notify} moves it to blocked} Only a monitor's release
     * resumes such a thread, through the JDK's unblocker thread, unless a timed wait times out or it
     * is interrupted.
     *
     * @param thread any thread
     */
    public static boolean waitsForMonitor(Thread thread) {
        Kind kind = kind(thread);
        return kind == Kind.BLOCKED_ON_MONITOR || kind == Kind.WAITING_ON_MONITOR
                || kind == Kind.TIMED_WAITING_ON_MONITOR;
    }

    /**
     * {@return whether a released monitor has picked {@code thread} as its next owner and the JDK's
     * unblocker has not yet taken it off its list} A scheduler that orders steps waits until the
     * unblocker has handed the thread's continuation over.
     *
     * @param thread any thread
     */
    public static boolean handoffPending(Thread thread) {
        return ON_WAITING_LIST != null && thread != null && thread.isVirtual()
                && (boolean) ON_WAITING_LIST.getVolatile(thread);
    }

    /**
     * {@return the monitor {@code thread} is blocked entering or waiting in, if it is and the JDK can
     * name it} The JDK names the monitor of a blocked thread; that of a thread in {@code Object.wait}
     * only while its {@code wait} is not compiled code.
     *
     * @param thread any thread
     */
    public static Optional<Object> monitor(Thread thread) {
        Kind kind = kind(thread);
        Object snapshot = kind == Kind.BLOCKED_ON_MONITOR || kind == Kind.WAITING_ON_MONITOR
                || kind == Kind.TIMED_WAITING_ON_MONITOR ? snapshot(thread) : null;
        if (snapshot == null) {
            return Optional.empty();
        }
        try {
            // Each answers only in its own state, and throws in the other: the thread may have moved on.
            Object monitor = kind == Kind.BLOCKED_ON_MONITOR ? (Object) BLOCKED_ON.invoke(snapshot)
                    : (Object) WAITING_ON.invoke(snapshot);
            // Null where the JDK cannot tell, as a thread dump's "<unavailable>" (a compiled Object.wait).
            return Optional.ofNullable(monitor);
        } catch (IllegalStateException e) {
            return Optional.empty();
        } catch (Throwable e) {
            throw new IllegalStateException("Could not read the monitor " + thread + " waits for", e);
        }
    }

    /**
     * {@return whether {@code thread} holds {@code monitor} now} False when monitors cannot be
     * {@linkplain #monitorsNamed() named}.
     *
     * @param thread any thread
     * @param monitor the object whose monitor
     */
    public static boolean holds(Thread thread, Object monitor) {
        Object snapshot = snapshot(thread);
        if (snapshot == null || monitor == null) {
            return false;
        }
        try {
            int depth = ((StackTraceElement[]) STACK_TRACE.invoke(snapshot)).length;
            for (int frame = 0; frame < depth; frame++) {
                try (Stream<?> owned = (Stream<?>) OWNED_AT.invoke(snapshot, frame)) {
                    if (owned.anyMatch(held -> held == monitor)) {
                        return true;
                    }
                }
            }
            return false;
        } catch (Throwable e) {
            throw new IllegalStateException("Could not read the monitors " + thread + " holds", e);
        }
    }

    /** {@return how a report names {@code monitor}: its class and identity hash, as a thread dump does} */
    static String describe(Object monitor) {
        return "<" + monitor.getClass().getName() + "@" + Integer.toHexString(System.identityHashCode(monitor)) + ">";
    }

    /** {@return the carrier scheduler {@code thread} was created with, or null if it is not a virtual thread} */
    static Executor carrierOf(Thread thread) {
        if (SCHEDULER == null || thread == null || !thread.isVirtual()) {
            return null;
        }
        try {
            return (Executor) SCHEDULER.invokeExact(thread);
        } catch (Throwable e) {
            throw new IllegalStateException("Could not read the scheduler of " + thread, e);
        }
    }

    /**
     * {@return the JDK's scheduler of ordinary virtual threads, where a virtual thread that a task's
     * body started runs; null when the JDK's internals are not readable}
     */
    static Executor defaultScheduler() {
        return DEFAULT_SCHEDULER;
    }

    /**
     * Starts the JDK's socket pollers now, from a platform thread, so that their virtual threads
     * are never started by, and so adopted with, a task body's first socket read.
     */
    public static void startJdkPollers() {
        Runnable load = () -> {
            try {
                Class.forName("sun.nio.ch.Poller", true, null);
            } catch (ClassNotFoundException absent) {
                // A JDK without it has no pollers to keep out.
            }
        };
        if (!Thread.currentThread().isVirtual()) {
            load.run();
            return;
        }
        // On a virtual thread the pollers would take its scheduler: load them from a platform one,
        // waiting without being interruptible, as the class initialization itself would.
        CompletableFuture.runAsync(load, command -> Thread.ofPlatform().name("scheduler-poller-start").start(command))
                .join();
    }

    /** {@return why the states are unreadable, for messages; null when they are readable} */
    static String unavailableReason() {
        return UNAVAILABLE_REASON;
    }

    /** Fails unless the JDK's internals are the ones this class was written for; loading it checks that. */
    static void requireKnownInternals() {
        // The static initializer has run and thrown if anything is missing.
    }

    private static Object snapshot(Thread thread) {
        if (SNAPSHOT_OF == null || thread == null) {
            return null;
        }
        try {
            return (Object) SNAPSHOT_OF.invoke(thread);
        } catch (UnsupportedOperationException e) {
            return null;
        } catch (Throwable e) {
            throw new IllegalStateException("Could not take a snapshot of " + thread, e);
        }
    }

    private static Executor defaultScheduler(MethodHandles.Lookup lookup, Class<?> virtualThread) {
        try {
            return (Executor) lookup.findStaticVarHandle(virtualThread, "DEFAULT_SCHEDULER", ForkJoinPool.class).get();
        } catch (NoSuchFieldException | IllegalAccessException e) {
            throw new IllegalStateException(differs("it has no field ForkJoinPool DEFAULT_SCHEDULER"), e);
        }
    }

    private static MethodHandle getter(MethodHandles.Lookup lookup, Class<?> type, String name, Class<?> fieldType) {
        try {
            return lookup.findGetter(type, name, fieldType)
                    .asType(MethodType.methodType(fieldType, Thread.class));
        } catch (NoSuchFieldException | IllegalAccessException e) {
            throw new IllegalStateException(differs("it has no field " + fieldType.getName() + " " + name), e);
        }
    }

    private static VarHandle field(MethodHandles.Lookup lookup, Class<?> type, String name, Class<?> fieldType) {
        try {
            return lookup.findVarHandle(type, name, fieldType);
        } catch (NoSuchFieldException | IllegalAccessException e) {
            throw new IllegalStateException(differs("it has no field " + fieldType.getName() + " " + name), e);
        }
    }

    private static int constant(MethodHandles.Lookup lookup, Class<?> type, String name) {
        try {
            return (int) lookup.findStaticVarHandle(type, name, int.class).get();
        } catch (NoSuchFieldException | IllegalAccessException e) {
            throw new IllegalStateException(differs("it has no state constant " + name), e);
        }
    }

    /** The kind of each state value, by the names of JDK 25's constants; -1 for transitional states. */
    private static int[] kinds(MethodHandles.Lookup lookup, Class<?> type) {
        String[][] table = {
            {"NEW", "NEW"}, {"STARTED", "READY"}, {"RUNNING", "RUNNING"},
            {"PARKING", null}, {"PARKED", "PARKED"}, {"PINNED", "PARKED"},
            {"TIMED_PARKING", null}, {"TIMED_PARKED", "TIMED_PARKED"}, {"TIMED_PINNED", "TIMED_PARKED"},
            {"UNPARKED", "READY"}, {"YIELDING", null}, {"YIELDED", "READY"},
            {"BLOCKING", null}, {"BLOCKED", "BLOCKED_ON_MONITOR"}, {"UNBLOCKED", "READY"},
            {"WAITING", null}, {"WAIT", "WAITING_ON_MONITOR"},
            {"TIMED_WAITING", null}, {"TIMED_WAIT", "TIMED_WAITING_ON_MONITOR"},
            {"TERMINATED", "TERMINATED"},
        };
        List<int[]> pairs = new ArrayList<>();
        int max = 0;
        for (String[] row : table) {
            int value = constant(lookup, type, row[0]);
            pairs.add(new int[] {value, row[1] == null ? -1 : Kind.valueOf(row[1]).ordinal()});
            max = Math.max(max, value);
        }
        int[] kinds = new int[max + 1];
        Arrays.fill(kinds, -1);
        for (int[] pair : pairs) {
            kinds[pair[0]] = pair[1];
        }
        return kinds;
    }

    private static String differs(String what) {
        return "This JDK (" + Runtime.version() + ") differs from the JDK 25 internals the scheduler relies on to follow "
                + "task bodies that wait for monitors and timed parks: " + what + " (see dev.scheduler.ThreadWaits). "
                + "Run on a JDK 25 build.";
    }
}
