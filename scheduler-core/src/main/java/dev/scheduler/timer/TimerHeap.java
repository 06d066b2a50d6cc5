package dev.scheduler.timer;

import dev.scheduler.Cancellable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
 * A binary heap over parallel arrays: the deadlines and the orders of addition as primitive longs,
 * beside the Timer objects. Sifting compares only the arrays, which lie next to each other in
 * memory, and never reads a Timer: with a hundred thousand timers at random deadlines, the
 * pointer chase of a heap of objects (one cache miss per comparison) was most of a timer's cost.
 *
 * A cancel only marks its timer (a CAS from PENDING) and counts it: the owner drops cancelled
 * timers when they come up, and compacts the heap when they are more than half of it, so a
 * cancelled hour-long timeout holds no step and little memory. Firing claims the timer with the
 * same CAS, so a timer cancelled as it comes due either runs once or never.
 */
public final class TimerHeap {

    /** A deadline of no timer, for {@link #nextDeadline()}. */
    public static final long NONE = Long.MAX_VALUE;

    private static final int COMPACT_AT = 64;
    private static final int INITIAL_CAPACITY = 16;

    private long[] deadlines = new long[INITIAL_CAPACITY];
    private long[] orders = new long[INITIAL_CAPACITY];
    private Timer[] timers = new Timer[INITIAL_CAPACITY];
    /** How many slots hold a timer; {@link #pending()} reads it from any thread, a moment old at worst. */
    private int size;
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
        Timer timer = new Timer(step);
        int slot = size;
        if (slot == timers.length) {
            int capacity = slot + (slot >> 1);
            deadlines = Arrays.copyOf(deadlines, capacity);
            orders = Arrays.copyOf(orders, capacity);
            timers = Arrays.copyOf(timers, capacity);
        }
        siftUp(slot, deadline, sequence++, timer);
        size = slot + 1;
        return timer;
    }

    /** {@return the deadline of the earliest pending timer, or {@link #NONE}} */
    public long nextDeadline() {
        return dropCancelledHead() ? deadlines[0] : NONE;
    }

    /**
     * Removes the earliest pending timer if it is due by {@code now}, and returns its step, which is
     * the caller's to run.
     *
     * @param now the time on the owner's clock
     * @return the step, or null if no timer is due
     */
    public Runnable pollDue(long now) {
        while (dropCancelledHead() && deadlines[0] - now <= 0) {
            Runnable step = removeHead().claim();
            if (step != null) {
                return step;
            }
            cancelled.decrementAndGet(); // cancelled as it came due
        }
        return null;
    }

    /** {@return how many timers are pending; from another thread, possibly a moment old} */
    public int pending() {
        return Math.max(0, size - cancelled.get());
    }

    /**
     * Removes every pending timer.
     *
     * @return their steps, in deadline order, none of which has run
     */
    public List<Runnable> dropAll() {
        List<Runnable> dropped = new ArrayList<>();
        while (size > 0) {
            Runnable step = removeHead().claim();
            if (step != null) {
                dropped.add(step);
            }
        }
        cancelled.set(0);
        return dropped;
    }

    /** Drops cancelled timers from the top; {@return whether a pending timer is left at the top} */
    private boolean dropCancelledHead() {
        while (size > 0 && timers[0].isCancelled()) {
            removeHead();
            cancelled.decrementAndGet();
        }
        return size > 0;
    }

    private Timer removeHead() {
        Timer head = timers[0];
        int last = size - 1;
        Timer moved = timers[last];
        long deadline = deadlines[last];
        long order = orders[last];
        timers[last] = null;
        size = last;
        if (last > 0) {
            siftDown(0, deadline, order, moved, last);
        }
        return head;
    }

    private void compactIfMostlyCancelled() {
        int count = cancelled.get();
        int n = size;
        if (count > COMPACT_AT && count > n / 2) {
            int kept = 0;
            for (int i = 0; i < n; i++) {
                if (!timers[i].isCancelled()) {
                    place(kept++, i);
                }
            }
            Arrays.fill(timers, kept, n, null);
            size = kept;
            cancelled.addAndGet(kept - n);
            for (int i = (kept >>> 1) - 1; i >= 0; i--) {
                siftDown(i, deadlines[i], orders[i], timers[i], kept);
            }
        }
    }

    /** Whether a timer due at {@code deadline}, added {@code order}th, comes before the one in {@code slot}. */
    private boolean before(long deadline, long order, int slot) {
        long byDeadline = deadline - deadlines[slot];
        return byDeadline < 0 || byDeadline == 0 && order < orders[slot];
    }

    private void siftUp(int slot, long deadline, long order, Timer timer) {
        while (slot > 0) {
            int parent = (slot - 1) >>> 1;
            if (!before(deadline, order, parent)) {
                break;
            }
            place(slot, parent);
            slot = parent;
        }
        put(slot, deadline, order, timer);
    }

    private void siftDown(int slot, long deadline, long order, Timer timer, int n) {
        int half = n >>> 1;
        while (slot < half) {
            int child = 2 * slot + 1;
            int right = child + 1;
            if (right < n && before(deadlines[right], orders[right], child)) {
                child = right;
            }
            if (before(deadline, order, child)) {
                break;
            }
            place(slot, child);
            slot = child;
        }
        put(slot, deadline, order, timer);
    }

    /** Moves the timer in slot {@code from} to slot {@code to}. */
    private void place(int to, int from) {
        put(to, deadlines[from], orders[from], timers[from]);
    }

    private void put(int slot, long deadline, long order, Timer timer) {
        deadlines[slot] = deadline;
        orders[slot] = order;
        timers[slot] = timer;
    }

    /** A pending step, whose deadline the heap keeps; cancellable from any thread. */
    public final class Timer implements Cancellable {

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

        private Runnable step;
        @SuppressWarnings("unused") // through STATE
        private volatile int state;

        private Timer(Runnable step) {
            this.step = step;
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
    }
}
