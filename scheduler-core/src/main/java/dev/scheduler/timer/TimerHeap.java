package dev.scheduler.timer;

import dev.scheduler.Cancellable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pending timers of a scheduler: steps ordered by deadline, then by the order they were added,
 * each cancellable from any thread. The {@code TestScheduler} keeps its virtual-time timers here,
 * and the dispatchers' main loop its {@link System#nanoTime()} ones.
 *
 * <p>Thread-safety: {@link #add}, {@link #nextDeadline}, {@link #pollDue} and {@link #dropAll} belong
 * to the owner, one thread or a lock; {@link Timer#cancel()} and {@link #pending()} are safe from
 * any thread. Deadlines are compared by their difference, as {@code System.nanoTime()} values must
 * be, so any two deadlines less than 2<sup>63</sup> nanoseconds apart order correctly.
 */
/*
 * Implementation Overview
 * =======================
 *
 * A binary heap of Timer objects. A cancel only marks its timer (a CAS from PENDING) and counts it:
 * the owner drops cancelled timers when they come up, and compacts the heap when they are more than
 * half of it, so a cancelled hour-long timeout holds no step and little memory. Firing claims the
 * timer with the same CAS, so a timer cancelled as it comes due either runs once or never.
 */
public final class TimerHeap {

    /** A deadline of no timer, for {@link #nextDeadline()}. */
    public static final long NONE = Long.MAX_VALUE;

    private static final int COMPACT_AT = 64;

    private final PriorityQueue<Timer> heap = new PriorityQueue<>();
    private final AtomicInteger cancelled = new AtomicInteger();
    private long sequence;

    /** Creates an empty heap. */
    public TimerHeap() {
    }

    /**
     * Adds a timer.
     *
     * @param deadline when it is due, on the owner's clock
     * @param step what to run then
     * @return the timer, which withdraws the step when cancelled
     */
    public Timer add(long deadline, Runnable step) {
        compactIfMostlyCancelled();
        Timer timer = new Timer(deadline, sequence++, step);
        heap.add(timer);
        return timer;
    }

    /** {@return the deadline of the earliest pending timer, or {@link #NONE}} */
    public long nextDeadline() {
        Timer head = head();
        return head == null ? NONE : head.deadline;
    }

    /**
     * Removes the earliest pending timer if it is due by {@code now}, and returns its step, which is
     * the caller's to run.
     *
     * @param now the time on the owner's clock
     * @return the step, or null if no timer is due
     */
    public Runnable pollDue(long now) {
        for (Timer head = head(); head != null && head.deadline - now <= 0; head = head()) {
            heap.poll();
            Runnable step = head.claim();
            if (step != null) {
                return step;
            }
            cancelled.decrementAndGet(); // cancelled as it came due
        }
        return null;
    }

    /** {@return how many timers are pending; from another thread, possibly a moment old} */
    public int pending() {
        return Math.max(0, heap.size() - cancelled.get());
    }

    /**
     * Removes every pending timer.
     *
     * @return their steps, none of which has run
     */
    public List<Runnable> dropAll() {
        List<Runnable> dropped = new ArrayList<>();
        for (Timer timer; (timer = heap.poll()) != null; ) {
            Runnable step = timer.claim();
            if (step != null) {
                dropped.add(step);
            }
        }
        cancelled.set(0);
        return dropped;
    }

    private Timer head() {
        Timer head = heap.peek();
        while (head != null && head.isCancelled()) {
            heap.poll();
            cancelled.decrementAndGet();
            head = heap.peek();
        }
        return head;
    }

    private void compactIfMostlyCancelled() {
        int count = cancelled.get();
        if (count > COMPACT_AT && count > heap.size() / 2) {
            int before = heap.size();
            heap.removeIf(Timer::isCancelled);
            cancelled.addAndGet(heap.size() - before);
        }
    }

    /** A pending step and its deadline; cancellable from any thread. */
    public final class Timer implements Cancellable, Comparable<Timer> {

        private static final VarHandle STATE;
        private static final int PENDING = 0;
        private static final int DONE = 1;
        private static final int CANCELLED = 2;

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(Timer.class, "state", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final long deadline;
        private final long order;
        private Runnable step;
        @SuppressWarnings("unused") // through STATE
        private volatile int state;

        private Timer(long deadline, long order, Runnable step) {
            this.deadline = deadline;
            this.order = order;
            this.step = step;
        }

        /** {@return when this timer is due, on its heap's clock} */
        public long deadline() {
            return deadline;
        }

        /** {@return the step, once, unless the timer was cancelled} */
        private Runnable claim() {
            if (!STATE.compareAndSet(this, PENDING, DONE)) {
                return null;
            }
            Runnable claimed = step;
            step = null;
            return claimed;
        }

        private boolean isCancelled() {
            return state == CANCELLED;
        }

        @Override
        public boolean cancel() {
            if (!STATE.compareAndSet(this, PENDING, CANCELLED)) {
                return false;
            }
            step = null;
            cancelled.incrementAndGet();
            return true;
        }

        @Override
        public int compareTo(Timer other) {
            int byDeadline = Long.compare(deadline - other.deadline, 0);
            return byDeadline != 0 ? byDeadline : Long.compare(order, other.order);
        }
    }
}
