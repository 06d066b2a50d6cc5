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
 * quality of service, the main queue ({@code _dispatch_main_q}), {@code dispatch_after_f} for
 * timers and {@code pthread_main_np}. One upcall stub, made once per process, is the trampoline of
 * every callback.
 */
final class GcdNatives implements PoolBinding {

    /** {@code QOS_CLASS_USER_INITIATED}, {@code QOS_CLASS_DEFAULT}, {@code QOS_CLASS_UTILITY}, by {@link Priority} ordinal. */
    static final int[] QOS_CLASSES = {0x19, 0x15, 0x11};
    private static final long DISPATCH_TIME_NOW = 0;

    private static final MethodHandle DISPATCH_ASYNC_F;
    private static final MethodHandle DISPATCH_AFTER_F;
    private static final MethodHandle DISPATCH_TIME;
    private static final MethodHandle PTHREAD_MAIN_NP;
    private static final MemorySegment[] GLOBAL_QUEUES = new MemorySegment[QOS_CLASSES.length];
    private static final MemorySegment MAIN_QUEUE;
    private static final MemorySegment TRAMPOLINE;
    private static final String UNAVAILABLE;

    static {
        MethodHandle async = null;
        MethodHandle after = null;
        MethodHandle time = null;
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
                after = linker.downcallHandle(system.find("dispatch_after_f").orElseThrow(),
                        FunctionDescriptor.ofVoid(JAVA_LONG, ADDRESS, ADDRESS, ADDRESS));
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
        DISPATCH_AFTER_F = after;
        DISPATCH_TIME = time;
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

    /** {@inheritDoc} GCD timers cannot be withdrawn, so there is no handle: a cancelled one calls back into nothing. */
    @Override
    public long armTimer(long handle, long delayNanos, long context) {
        try {
            long when = (long) DISPATCH_TIME.invokeExact(DISPATCH_TIME_NOW, delayNanos);
            DISPATCH_AFTER_F.invokeExact(when, GLOBAL_QUEUES[Priority.HIGH.ordinal()], MemorySegment.ofAddress(context),
                    TRAMPOLINE);
            return 0;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("dispatch_after_f failed", e);
        }
    }

    @Override
    public void releaseTimer(long handle, boolean cancel) {
        // Nothing native to release: see armTimer.
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
