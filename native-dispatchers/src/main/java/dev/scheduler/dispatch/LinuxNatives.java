package dev.scheduler.dispatch;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The thin binding to Linux's {@code epoll}, {@code eventfd} and {@code timerfd}: method handles
 * and constants, no logic. Loaded on first use; {@link #unavailableReason()} says why it could not
 * be.
 */
final class LinuxNatives {

    static final int EPOLLIN = 0x001;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int O_CLOEXEC = 0x80000;
    private static final int O_NONBLOCK = 0x800;
    private static final int CLOCK_MONOTONIC = 1;
    private static final int TFD_TIMER_ABSTIME = 1;
    static final int EINTR = 4;
    static final int EAGAIN = 11;

    /** {@code struct epoll_event} is packed on x86-64 (12 bytes) and naturally aligned elsewhere (16). */
    static final long EVENT_SIZE;
    private static final long EVENT_DATA_OFFSET;

    private static final MethodHandle EPOLL_CREATE1;
    private static final MethodHandle EPOLL_CTL;
    private static final MethodHandle EPOLL_WAIT;
    private static final MethodHandle EVENTFD;
    private static final MethodHandle TIMERFD_CREATE;
    private static final MethodHandle TIMERFD_SETTIME;
    private static final MethodHandle READ;
    private static final MethodHandle WRITE;
    private static final MethodHandle CLOSE;
    private static final MethodHandle STRERROR;
    private static final VarHandle ERRNO;
    static final MemoryLayout CALL_STATE;
    private static final String UNAVAILABLE;

    static {
        boolean x86 = System.getProperty("os.arch", "").matches("amd64|x86_64");
        EVENT_SIZE = x86 ? 12 : 16;
        EVENT_DATA_OFFSET = x86 ? 4 : 8;
        MethodHandle[] handles = new MethodHandle[10];
        VarHandle errno = null;
        MemoryLayout callState = null;
        String reason = null;
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            reason = "the operating system is " + System.getProperty("os.name") + ", not Linux";
        } else {
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                Linker.Option errnoOption = Linker.Option.captureCallState("errno");
                callState = Linker.Option.captureStateLayout();
                errno = callState.varHandle(MemoryLayout.PathElement.groupElement("errno"));
                handles[0] = downcall(linker, libc, "epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT), errnoOption);
                handles[1] = downcall(linker, libc, "epoll_ctl",
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), errnoOption);
                handles[2] = downcall(linker, libc, "epoll_wait",
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), errnoOption);
                handles[3] = downcall(linker, libc, "eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), errnoOption);
                handles[4] = downcall(linker, libc, "timerfd_create",
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), errnoOption);
                handles[5] = downcall(linker, libc, "timerfd_settime",
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), errnoOption);
                handles[6] = downcall(linker, libc, "read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), errnoOption);
                handles[7] = downcall(linker, libc, "write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
                handles[8] = downcall(linker, libc, "close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
                handles[9] = downcall(linker, libc, "strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
            } catch (Throwable e) {
                // IllegalCallerException when native access is denied, NoSuchElementException for a missing symbol.
                reason = e.toString();
            }
        }
        EPOLL_CREATE1 = handles[0];
        EPOLL_CTL = handles[1];
        EPOLL_WAIT = handles[2];
        EVENTFD = handles[3];
        TIMERFD_CREATE = handles[4];
        TIMERFD_SETTIME = handles[5];
        READ = handles[6];
        WRITE = handles[7];
        CLOSE = handles[8];
        STRERROR = handles[9];
        ERRNO = errno;
        CALL_STATE = callState;
        UNAVAILABLE = reason;
    }

    private LinuxNatives() {
    }

    private static MethodHandle downcall(Linker linker, SymbolLookup lookup, String name, FunctionDescriptor descriptor,
            Linker.Option... options) {
        return linker.downcallHandle(lookup.find(name).orElseThrow(), descriptor, options);
    }

    /** {@return why the binding is unusable, or null if it loaded} */
    static String unavailableReason() {
        return UNAVAILABLE;
    }

    static void requireAvailable() {
        if (UNAVAILABLE != null) {
            throw new UnsupportedOperationException("The Linux dispatcher is unavailable: " + UNAVAILABLE);
        }
    }

    // ---------------------------------------------------------------- calls; errors as exceptions

    static int epollCreate(MemorySegment state) {
        try {
            return check("epoll_create1", (int) EPOLL_CREATE1.invokeExact(state, O_CLOEXEC), state);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    static void epollAdd(int epoll, int fd, long data, MemorySegment state) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment event = arena.allocate(EVENT_SIZE, 8);
            event.set(ValueLayout.JAVA_INT, 0, EPOLLIN);
            event.set(ValueLayout.JAVA_LONG_UNALIGNED, EVENT_DATA_OFFSET, data);
            check("epoll_ctl", (int) EPOLL_CTL.invokeExact(state, epoll, EPOLL_CTL_ADD, fd, event), state);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** {@return how many events arrived, or zero if interrupted by a signal} */
    static int epollWait(int epoll, MemorySegment events, int maxEvents, MemorySegment state) {
        int ready;
        try {
            ready = (int) EPOLL_WAIT.invokeExact(state, epoll, events, maxEvents, -1);
        } catch (Throwable e) {
            throw rethrow(e);
        }
        if (ready < 0 && errno(state) == EINTR) {
            return 0;
        }
        return check("epoll_wait", ready, state);
    }

    static long eventData(MemorySegment events, int index) {
        return events.get(ValueLayout.JAVA_LONG_UNALIGNED, index * EVENT_SIZE + EVENT_DATA_OFFSET);
    }

    static int eventFd(MemorySegment state) {
        try {
            return check("eventfd", (int) EVENTFD.invokeExact(state, 0, O_CLOEXEC | O_NONBLOCK), state);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    static int timerFd(MemorySegment state) {
        try {
            return check("timerfd_create", (int) TIMERFD_CREATE.invokeExact(state, CLOCK_MONOTONIC, O_CLOEXEC | O_NONBLOCK),
                    state);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /**
     * Arms {@code timerFd} to expire once at {@code deadline} on {@code CLOCK_MONOTONIC} (the clock
     * of {@link System#nanoTime()} on Linux), or disarms it for a zero deadline.
     *
     * @param spec a 32-byte {@code struct itimerspec} to fill
     */
    static void setTimer(int timerFd, long deadline, MemorySegment spec, MemorySegment state) {
        spec.fill((byte) 0);
        spec.set(JAVA_LONG, 16, deadline / 1_000_000_000L);
        spec.set(JAVA_LONG, 24, deadline % 1_000_000_000L);
        try {
            check("timerfd_settime", (int) TIMERFD_SETTIME.invokeExact(state, timerFd, TFD_TIMER_ABSTIME, spec,
                    MemorySegment.NULL), state);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** Reads the 8-byte counter of an eventfd or timerfd; nothing to read is not an error. */
    static void drain(int fd, MemorySegment buffer, MemorySegment state) {
        long read;
        try {
            read = (long) READ.invokeExact(state, fd, buffer, 8L);
        } catch (Throwable e) {
            throw rethrow(e);
        }
        if (read < 0 && errno(state) != EAGAIN && errno(state) != EINTR) {
            check("read", (int) read, state);
        }
    }

    /** Adds one to an eventfd's counter; {@code one} holds the 8-byte value 1. */
    static void signal(int eventFd, MemorySegment one) {
        // Cannot fail short of a closed descriptor, which the caller rules out; EAGAIN means already signalled.
        try {
            long written = (long) WRITE.invokeExact(eventFd, one, 8L);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    static void close(int fd) {
        try {
            int closed = (int) CLOSE.invokeExact(fd);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    private static RuntimeException rethrow(Throwable e) {
        if (e instanceof RuntimeException runtime) {
            return runtime;
        }
        if (e instanceof Error error) {
            throw error;
        }
        return new IllegalStateException(e);
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static int check(String function, int result, MemorySegment state) {
        if (result < 0) {
            int errno = errno(state);
            throw new IllegalStateException(function + " failed: " + describe(errno) + " (errno " + errno + ")");
        }
        return result;
    }

    private static String describe(int errno) {
        try {
            MemorySegment message = (MemorySegment) STRERROR.invokeExact(errno);
            return message.reinterpret(256).getString(0);
        } catch (Throwable e) {
            return "error";
        }
    }
}
