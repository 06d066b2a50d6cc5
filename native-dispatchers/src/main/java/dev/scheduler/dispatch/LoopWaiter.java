package dev.scheduler.dispatch;

import java.util.concurrent.locks.LockSupport;

/**
 * How a {@link MainLoop}'s thread sleeps until it is woken or its next deadline passes: with
 * {@code epoll} on Linux, with {@link LockSupport} elsewhere.
 */
interface LoopWaiter extends AutoCloseable {

    /** No deadline: sleep until woken. */
    long NO_DEADLINE = Long.MAX_VALUE;

    /**
     * Sleeps until {@link #wake()} is called (or was called since the last return), or
     * {@link System#nanoTime()} reaches {@code deadline}, or spuriously. Called by the loop thread only.
     *
     * @param deadline a {@link System#nanoTime()} value, or {@link #NO_DEADLINE}
     */
    void await(long deadline);

    /** Wakes the loop thread, from any thread; a wake before the await is not lost. */
    void wake();

    /**
     * Tells the waiter which thread will wait; called once, before any {@link #wake()} can happen.
     *
     * @param loopThread the loop thread
     */
    default void bind(Thread loopThread) {
    }

    /** Releases what the waiter holds. Called once, by the thread that stops the loop. */
    @Override
    void close();

    /** The portable waiter: {@link LockSupport} on the loop thread. */
    final class Parking implements LoopWaiter {

        private volatile Thread thread;

        @Override
        public void bind(Thread loopThread) {
            thread = loopThread;
        }

        @Override
        public void await(long deadline) {
            if (deadline == NO_DEADLINE) {
                LockSupport.park(this);
            } else {
                long remaining = deadline - System.nanoTime();
                if (remaining > 0) {
                    LockSupport.parkNanos(this, remaining);
                }
            }
        }

        @Override
        public void wake() {
            Thread loop = thread;
            if (loop != null) {
                LockSupport.unpark(loop);
            }
        }

        @Override
        public void close() {
        }
    }
}
