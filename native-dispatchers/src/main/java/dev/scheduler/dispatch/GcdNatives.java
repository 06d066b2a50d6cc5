package dev.scheduler.dispatch;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.scheduler.Priority;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The thin binding to Grand Central Dispatch: {@code dispatch_async_f} on the global queue of each
 * quality of service, the main queue ({@code _dispatch_main_q}), timer dispatch sources for timers
 * and {@code pthread_main_np}. One upcall stub, made once per process, is the trampoline of every
 * callback.
 *
 * <p>Timers are {@code DISPATCH_SOURCE_TYPE_TIMER} sources rather than {@code dispatch_after_f}:
 * {@code dispatch_after_f} cannot be withdrawn, so every cancelled timer would hold its native
 * source until its deadline, an hour for a cancelled hour-long timeout. A source is cancelled with
 * {@code dispatch_source_cancel} and released at once. Each is created {@code DISPATCH_TIMER_STRICT}
 * and set with an explicit leeway of {@link #leewayNanos(long) a twentieth of its delay, at most a
 * millisecond}, where {@code dispatch_after} would allow a tenth, up to a minute. What remains, as
 * {@code source.h} says: "a minimal amount of delay is to be expected even if this flag is
 * specified", and the lower limit varies with process state (App Nap, a hidden UI); a timer is
 * never early (NativePool re-arms an early one).
 */
final class GcdNatives implements PoolBinding {

    /** {@code QOS_CLASS_USER_INITIATED}, {@code QOS_CLASS_DEFAULT}, {@code QOS_CLASS_UTILITY}, by {@link Priority} ordinal. */
    static final int[] QOS_CLASSES = {0x19, 0x15, 0x11};
    private static final long DISPATCH_TIME_NOW = 0;
    private static final long DISPATCH_TIME_FOREVER = ~0L;
    private static final long MAX_LEEWAY_NANOS = 1_000_000;
    /** {@code DISPATCH_TIMER_STRICT}: GCD makes a best effort to observe the leeway, however small. */
    private static final long DISPATCH_TIMER_STRICT = 0x1;

    private static final MethodHandle DISPATCH_ASYNC_F;
    private static final MethodHandle DISPATCH_TIME;
    private static final MethodHandle SOURCE_CREATE;
    private static final MethodHandle SET_CONTEXT;
    private static final MethodHandle SET_EVENT_HANDLER_F;
    private static final MethodHandle SOURCE_SET_TIMER;
    private static final MethodHandle RESUME;
    private static final MethodHandle SOURCE_CANCEL;
    private static final MethodHandle RELEASE;
    private static final MemorySegment SOURCE_TYPE_TIMER;
    private static final MethodHandle PTHREAD_MAIN_NP;
    private static final MemorySegment[] GLOBAL_QUEUES = new MemorySegment[QOS_CLASSES.length];
    private static final MemorySegment MAIN_QUEUE;
    private static final MemorySegment TRAMPOLINE;
    private static final String UNAVAILABLE;

    static {
        MethodHandle async = null;
        MethodHandle time = null;
        MethodHandle[] sources = new MethodHandle[7];
        MemorySegment timerType = null;
        MethodHandle isMain = null;
        MemorySegment main = null;
        MemorySegment trampoline = null;
        String reason = null;
        if (!System.getProperty("os.name", "").startsWith("Mac")) {
            reason = "the operating system is " + System.getProperty("os.name") + ", not macOS";
        } else {
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup system = linker.defaultLookup();
                MethodHandle globalQueue = linker.downcallHandle(system.find("dispatch_get_global_queue").orElseThrow(),
                        FunctionDescriptor.of(ADDRESS, JAVA_LONG, JAVA_LONG));
                for (int i = 0; i < QOS_CLASSES.length; i++) {
                    GLOBAL_QUEUES[i] = (MemorySegment) globalQueue.invokeExact((long) QOS_CLASSES[i], 0L);
                }
                // dispatch_get_main_queue() is a macro for the address of this symbol.
                main = system.find("_dispatch_main_q").orElseThrow();
                async = linker.downcallHandle(system.find("dispatch_async_f").orElseThrow(),
                        FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, ADDRESS));
                // DISPATCH_SOURCE_TYPE_TIMER is a macro for the address of this data symbol.
                timerType = system.find("_dispatch_source_type_timer").orElseThrow();
                sources[0] = linker.downcallHandle(system.find("dispatch_source_create").orElseThrow(),
                        FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));
                sources[1] = linker.downcallHandle(system.find("dispatch_set_context").orElseThrow(),
                        FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
                sources[2] = linker.downcallHandle(system.find("dispatch_source_set_event_handler_f").orElseThrow(),
                        FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
                sources[3] = linker.downcallHandle(system.find("dispatch_source_set_timer").orElseThrow(),
                        FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG));
                sources[4] = linker.downcallHandle(system.find("dispatch_resume").orElseThrow(),
                        FunctionDescriptor.ofVoid(ADDRESS));
                sources[5] = linker.downcallHandle(system.find("dispatch_source_cancel").orElseThrow(),
                        FunctionDescriptor.ofVoid(ADDRESS));
                sources[6] = linker.downcallHandle(system.find("dispatch_release").orElseThrow(),
                        FunctionDescriptor.ofVoid(ADDRESS));
                time = linker.downcallHandle(system.find("dispatch_time").orElseThrow(),
                        FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG));
                isMain = linker.downcallHandle(system.find("pthread_main_np").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT));
                MethodHandle target = MethodHandles.lookup().findStatic(GcdNatives.class, "callback",
                        MethodType.methodType(void.class, MemorySegment.class));
                // The global arena: GCD may call back long after any dispatcher is gone.
                trampoline = linker.upcallStub(target, FunctionDescriptor.ofVoid(ADDRESS), Arena.global());
            } catch (Throwable e) {
                reason = e.toString();
            }
        }
        DISPATCH_ASYNC_F = async;
        DISPATCH_TIME = time;
        SOURCE_CREATE = sources[0];
        SET_CONTEXT = sources[1];
        SET_EVENT_HANDLER_F = sources[2];
        SOURCE_SET_TIMER = sources[3];
        RESUME = sources[4];
        SOURCE_CANCEL = sources[5];
        RELEASE = sources[6];
        SOURCE_TYPE_TIMER = timerType;
        PTHREAD_MAIN_NP = isMain;
        MAIN_QUEUE = main;
        TRAMPOLINE = trampoline;
        UNAVAILABLE = reason;
    }

    /** {@return why Grand Central Dispatch cannot be used, or null if it can} */
    static String unavailableReason() {
        return UNAVAILABLE;
    }

    /**
     * The binding.
     *
     * @throws UnsupportedOperationException if Grand Central Dispatch cannot be used here, saying why
     */
    GcdNatives() {
        if (UNAVAILABLE != null) {
            throw new UnsupportedOperationException("The macOS dispatcher is unavailable: " + UNAVAILABLE);
        }
    }

    /** The upcall: {@code void work(void *context)}. */
    private static void callback(MemorySegment context) {
        NativePool.run(context.address());
    }

    @Override
    public void submit(Priority priority, long context) {
        invoke(DISPATCH_ASYNC_F, GLOBAL_QUEUES[priority.ordinal()], MemorySegment.ofAddress(context), TRAMPOLINE);
    }

    @Override
    public boolean hasMainQueue() {
        return true;
    }

    @Override
    public void submitMain(long context) {
        invoke(DISPATCH_ASYNC_F, MAIN_QUEUE, MemorySegment.ofAddress(context), TRAMPOLINE);
    }

    @Override
    public boolean isMainThread() {
        try {
            return (int) PTHREAD_MAIN_NP.invokeExact() != 0;
        } catch (Throwable e) {
            throw new IllegalStateException("pthread_main_np failed", e);
        }
    }

    /**
     * {@inheritDoc} A new timer is a one-shot timer source on the high global queue, whose event
     * handler is the trampoline with {@code context}; the handle is the source.
     */
    @Override
    public long armTimer(long handle, long delayNanos, long context) {
        try {
            MemorySegment source = handle != 0 ? MemorySegment.ofAddress(handle) : MemorySegment.NULL;
            if (handle == 0) {
                source = (MemorySegment) SOURCE_CREATE.invokeExact(SOURCE_TYPE_TIMER, 0L, DISPATCH_TIMER_STRICT,
                        GLOBAL_QUEUES[Priority.HIGH.ordinal()]);
                if (source.address() == 0) {
                    throw new IllegalStateException("dispatch_source_create refused a timer source");
                }
                // The handler gets the context set before it: set the context first.
                SET_CONTEXT.invokeExact(source, MemorySegment.ofAddress(context));
                SET_EVENT_HANDLER_F.invokeExact(source, TRAMPOLINE);
            }
            long start = (long) DISPATCH_TIME.invokeExact(DISPATCH_TIME_NOW, delayNanos);
            SOURCE_SET_TIMER.invokeExact(source, start, DISPATCH_TIME_FOREVER, leewayNanos(delayNanos));
            if (handle == 0) {
                RESUME.invokeExact(source);
            }
            return source.address();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("arming a GCD timer source failed", e);
        }
    }

    /** {@return the leeway a timer of {@code delayNanos} is armed with: a twentieth of the delay, at most 1 ms} */
    static long leewayNanos(long delayNanos) {
        return Math.clamp(delayNanos / 20, 0, MAX_LEEWAY_NANOS);
    }

    /** {@inheritDoc} Cancels the source, so that it never calls back again, and releases it. */
    @Override
    public void releaseTimer(long handle, boolean cancel) {
        MemorySegment source = MemorySegment.ofAddress(handle);
        try {
            SOURCE_CANCEL.invokeExact(source);
            RELEASE.invokeExact(source);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("releasing a GCD timer source failed", e);
        }
    }

    private static void invoke(MethodHandle async, MemorySegment queue, MemorySegment context, MemorySegment work) {
        try {
            async.invokeExact(queue, context, work);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("dispatch_async_f failed", e);
        }
    }
}
