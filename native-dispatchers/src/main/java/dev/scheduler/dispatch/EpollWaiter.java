package dev.scheduler.dispatch;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Linux main loop's sleep, in the manner of calloop: {@code epoll} watches an {@code eventfd}
 * that other threads signal to wake the loop, and a {@code timerfd} armed at the nearest deadline
 * with nanosecond resolution. More descriptors can join the same {@code epoll} set later.
 */
final class EpollWaiter implements LoopWaiter {

    private static final long WAKE = 1;
    private static final long TIMER = 2;
    private static final int CLOSED = -1;

    private final Arena arena = Arena.ofShared();
    private final int epoll;
    private final int wakeFd;
    private final int timerFd;
    private final MemorySegment events;
    private final MemorySegment buffer;
    private final MemorySegment timerSpec;
    private final MemorySegment callState;
    private final MemorySegment one;
    /** Wakers signalling the eventfd right now, or CLOSED: the descriptor is never written after close. */
    private final AtomicInteger wakers = new AtomicInteger();
    private long armedAt = NO_DEADLINE;

    /**
     * Opens the descriptors.
     *
     * @throws IllegalStateException if the kernel refuses one, naming the call and the error
     * @throws UnsupportedOperationException if the Linux binding is unavailable
     */
    EpollWaiter() {
        LinuxNatives.requireAvailable();
        callState = arena.allocate(LinuxNatives.CALL_STATE);
        events = arena.allocate(LinuxNatives.EVENT_SIZE * 2, 8);
        buffer = arena.allocate(ValueLayout.JAVA_LONG);
        timerSpec = arena.allocate(32, 8);
        one = arena.allocate(ValueLayout.JAVA_LONG);
        one.set(ValueLayout.JAVA_LONG, 0, 1L);
        int[] opened = new int[3];
        int count = 0;
        try {
            opened[count++] = LinuxNatives.epollCreate(callState);
            opened[count++] = LinuxNatives.eventFd(callState);
            opened[count++] = LinuxNatives.timerFd(callState);
            LinuxNatives.epollAdd(opened[0], opened[1], WAKE, callState);
            LinuxNatives.epollAdd(opened[0], opened[2], TIMER, callState);
        } catch (RuntimeException | Error e) {
            for (int i = 0; i < count; i++) {
                LinuxNatives.close(opened[i]);
            }
            arena.close();
            throw e;
        }
        epoll = opened[0];
        wakeFd = opened[1];
        timerFd = opened[2];
    }

    @Override
    public void await(long deadline) {
        if (deadline != armedAt) {
            // Zero disarms a timerfd, so a deadline of exactly zero is moved by a nanosecond.
            LinuxNatives.setTimer(timerFd, deadline == NO_DEADLINE ? 0 : Math.max(1, deadline), timerSpec, callState);
            armedAt = deadline;
        }
        int ready = LinuxNatives.epollWait(epoll, events, 2, callState);
        for (int i = 0; i < ready; i++) {
            long source = LinuxNatives.eventData(events, i);
            LinuxNatives.drain(source == WAKE ? wakeFd : timerFd, buffer, callState);
            if (source == TIMER) {
                armedAt = NO_DEADLINE; // expired, so no longer armed
            }
        }
    }

    @Override
    public void wake() {
        int current;
        do {
            current = wakers.get();
            if (current == CLOSED) {
                return;
            }
        } while (!wakers.compareAndSet(current, current + 1));
        try {
            LinuxNatives.signal(wakeFd, one);
        } finally {
            wakers.decrementAndGet();
        }
    }

    @Override
    public void close() {
        while (!wakers.compareAndSet(0, CLOSED)) {
            Thread.onSpinWait(); // a waker is inside one write() call
        }
        LinuxNatives.close(timerFd);
        LinuxNatives.close(wakeFd);
        LinuxNatives.close(epoll);
        arena.close();
    }
}
