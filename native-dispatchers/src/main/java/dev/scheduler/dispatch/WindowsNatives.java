package dev.scheduler.dispatch;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.scheduler.Priority;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;

/**
 * The thin binding to the Windows thread pool API: {@code TrySubmitThreadpoolCallback} with a
 * callback environment per {@link Priority}, and thread pool timers. Two upcall stubs, made once
 * per process, are the trampolines of every work item and every timer.
 */
final class WindowsNatives implements PoolBinding {

    /** {@code TP_CALLBACK_PRIORITY_HIGH}, {@code _NORMAL}, {@code _LOW}, by {@link Priority} ordinal. */
    static final int[] CALLBACK_PRIORITIES = {0, 1, 2};

    /**
     * {@code TP_CALLBACK_ENVIRON_V3} on x64, which {@code InitializeThreadpoolEnvironment} and
     * {@code SetThreadpoolCallbackPriority} fill inline in C: Version at 0, six pointers, Flags at
     * 56, CallbackPriority at 60, Size at 64; 72 bytes.
     */
    static final long ENVIRONMENT_SIZE = 72;
    private static final long PRIORITY_OFFSET = 60;
    private static final long SIZE_OFFSET = 64;

    private static final MethodHandle TRY_SUBMIT_THREADPOOL_CALLBACK;
    private static final MethodHandle CREATE_THREADPOOL_TIMER;
    private static final MethodHandle SET_THREADPOOL_TIMER;
    private static final MethodHandle WAIT_FOR_THREADPOOL_TIMER_CALLBACKS;
    private static final MethodHandle CLOSE_THREADPOOL_TIMER;
    private static final MemorySegment WORK_TRAMPOLINE;
    private static final MemorySegment TIMER_TRAMPOLINE;
    private static final MemorySegment[] ENVIRONMENTS = new MemorySegment[CALLBACK_PRIORITIES.length];
    private static final String UNAVAILABLE;
    /** Where each thread's calls leave {@code GetLastError}: captured by the JVM right after the call. */
    private static final ThreadLocal<MemorySegment> CALL_STATE;
    private static final VarHandle LAST_ERROR;

    static {
        MethodHandle[] handles = new MethodHandle[5];
        ThreadLocal<MemorySegment> callState = null;
        VarHandle lastError = null;
        MemorySegment work = null;
        MemorySegment timer = null;
        String reason = null;
        if (!System.getProperty("os.name", "").startsWith("Windows")) {
            reason = "the operating system is " + System.getProperty("os.name") + ", not Windows";
        } else {
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup kernel32 = SymbolLookup.libraryLookup("kernel32", Arena.global());
                // The two calls that can fail say why only through GetLastError, which a later call
                // on the thread (the JVM's own) could overwrite: the linker captures it at once.
                Linker.Option capture = Linker.Option.captureCallState("GetLastError");
                StructLayout stateLayout = Linker.Option.captureStateLayout();
                lastError = stateLayout.varHandle(MemoryLayout.PathElement.groupElement("GetLastError"));
                callState = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(stateLayout));
                handles[0] = linker.downcallHandle(kernel32.find("TrySubmitThreadpoolCallback").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS), capture);
                handles[1] = linker.downcallHandle(kernel32.find("CreateThreadpoolTimer").orElseThrow(),
                        FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS), capture);
                handles[2] = linker.downcallHandle(kernel32.find("SetThreadpoolTimer").orElseThrow(),
                        FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, JAVA_INT, JAVA_INT));
                handles[3] = linker.downcallHandle(kernel32.find("WaitForThreadpoolTimerCallbacks").orElseThrow(),
                        FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
                handles[4] = linker.downcallHandle(kernel32.find("CloseThreadpoolTimer").orElseThrow(),
                        FunctionDescriptor.ofVoid(ADDRESS));
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                // The global arena: the thread pool may call back after any dispatcher is gone.
                work = linker.upcallStub(lookup.findStatic(WindowsNatives.class, "workCallback",
                        MethodType.methodType(void.class, MemorySegment.class, MemorySegment.class)),
                        FunctionDescriptor.ofVoid(ADDRESS, ADDRESS), Arena.global());
                timer = linker.upcallStub(lookup.findStatic(WindowsNatives.class, "timerCallback",
                        MethodType.methodType(void.class, MemorySegment.class, MemorySegment.class, MemorySegment.class)),
                        FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, ADDRESS), Arena.global());
                for (int i = 0; i < CALLBACK_PRIORITIES.length; i++) {
                    ENVIRONMENTS[i] = environment(CALLBACK_PRIORITIES[i]);
                }
            } catch (Throwable e) {
                reason = e.toString();
            }
        }
        TRY_SUBMIT_THREADPOOL_CALLBACK = handles[0];
        CREATE_THREADPOOL_TIMER = handles[1];
        SET_THREADPOOL_TIMER = handles[2];
        WAIT_FOR_THREADPOOL_TIMER_CALLBACKS = handles[3];
        CLOSE_THREADPOOL_TIMER = handles[4];
        WORK_TRAMPOLINE = work;
        TIMER_TRAMPOLINE = timer;
        UNAVAILABLE = reason;
        CALL_STATE = callState;
        LAST_ERROR = lastError;
    }

    /** {@return a callback environment, as InitializeThreadpoolEnvironment and SetThreadpoolCallbackPriority make it} */
    static MemorySegment environment(int callbackPriority) {
        MemorySegment environment = Arena.global().allocate(ENVIRONMENT_SIZE, 8);
        environment.set(JAVA_INT, 0, 3); // TP_CALLBACK_ENVIRON_V3
        environment.set(JAVA_INT, PRIORITY_OFFSET, callbackPriority);
        environment.set(JAVA_INT, SIZE_OFFSET, (int) ENVIRONMENT_SIZE);
        return environment;
    }

    /** {@return why the thread pool API cannot be used, or null if it can} */
    static String unavailableReason() {
        return UNAVAILABLE;
    }

    /**
     * The binding.
     *
     * @throws UnsupportedOperationException if the thread pool API cannot be used here, saying why
     */
    WindowsNatives() {
        if (UNAVAILABLE != null) {
            throw new UnsupportedOperationException("The Windows dispatcher is unavailable: " + UNAVAILABLE);
        }
    }

    /** {@code VOID CALLBACK SimpleCallback(PTP_CALLBACK_INSTANCE, PVOID context)} */
    private static void workCallback(MemorySegment instance, MemorySegment context) {
        NativePool.run(context.address());
    }

    /** {@code VOID CALLBACK TimerCallback(PTP_CALLBACK_INSTANCE, PVOID context, PTP_TIMER)} */
    private static void timerCallback(MemorySegment instance, MemorySegment context, MemorySegment timer) {
        NativePool.run(context.address());
    }

    @Override
    public void submit(Priority priority, long context) {
        MemorySegment state = CALL_STATE.get();
        int submitted;
        try {
            submitted = (int) TRY_SUBMIT_THREADPOOL_CALLBACK.invokeExact(state, WORK_TRAMPOLINE,
                    MemorySegment.ofAddress(context), ENVIRONMENTS[priority.ordinal()]);
        } catch (Throwable e) {
            throw failed("TrySubmitThreadpoolCallback", e);
        }
        if (submitted == 0) {
            throw new java.util.concurrent.RejectedExecutionException(
                    refusal("TrySubmitThreadpoolCallback", "a " + priority + " work item", (int) LAST_ERROR.get(state, 0L)));
        }
    }

    /**
     * {@return the sentence for a call that refused, with the code {@code GetLastError} gave and its
     * name where it is one of the likely ones}
     */
    static String refusal(String function, String what, int lastError) {
        String name = switch (lastError) {
            case 8 -> " (ERROR_NOT_ENOUGH_MEMORY)";
            case 14 -> " (ERROR_OUTOFMEMORY)";
            case 87 -> " (ERROR_INVALID_PARAMETER)";
            case 1450 -> " (ERROR_NO_SYSTEM_RESOURCES)";
            default -> "";
        };
        return function + " refused " + what + ": GetLastError " + lastError + name;
    }

    @Override
    public boolean hasMainQueue() {
        return false;
    }

    @Override
    public void submitMain(long context) {
        throw new UnsupportedOperationException("Windows has no main dispatch queue");
    }

    @Override
    public boolean isMainThread() {
        return false;
    }

    @Override
    public long armTimer(long handle, long delayNanos, long context) {
        try {
            MemorySegment state = CALL_STATE.get();
            MemorySegment timer = handle != 0 ? MemorySegment.ofAddress(handle)
                    : (MemorySegment) CREATE_THREADPOOL_TIMER.invokeExact(state, TIMER_TRAMPOLINE,
                            MemorySegment.ofAddress(context), ENVIRONMENTS[Priority.HIGH.ordinal()]);
            if (timer.address() == 0) {
                throw new IllegalStateException(refusal("CreateThreadpoolTimer", "a timer", (int) LAST_ERROR.get(state, 0L)));
            }
            try (Arena arena = Arena.ofConfined()) {
                // A negative FILETIME is relative, in 100 ns units; round up so as never to be early.
                MemorySegment dueTime = arena.allocate(JAVA_LONG);
                dueTime.set(JAVA_LONG, 0, -Math.max(1, (delayNanos + 99) / 100));
                SET_THREADPOOL_TIMER.invokeExact(timer, dueTime, 0, 0);
            }
            return timer.address();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw failed("SetThreadpoolTimer", e);
        }
    }

    @Override
    public void releaseTimer(long handle, boolean cancel) {
        MemorySegment timer = MemorySegment.ofAddress(handle);
        try {
            if (cancel) {
                SET_THREADPOOL_TIMER.invokeExact(timer, MemorySegment.NULL, 0, 0);
                WAIT_FOR_THREADPOOL_TIMER_CALLBACKS.invokeExact(timer, 1);
            }
            CLOSE_THREADPOOL_TIMER.invokeExact(timer);
        } catch (Throwable e) {
            throw failed("CloseThreadpoolTimer", e);
        }
    }

    private static IllegalStateException failed(String function, Throwable cause) {
        return new IllegalStateException(function + " failed", cause);
    }
}
