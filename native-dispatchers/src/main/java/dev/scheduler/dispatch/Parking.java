package dev.scheduler.dispatch;

import dev.scheduler.Scheduler;
import dev.scheduler.Unparker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * {@link dev.scheduler.Scheduler#park(Duration)} and {@link dev.scheduler.Scheduler#unparker()} for
 * threads that are not a main loop: a permit per thread, so that a wake-up that arrives before the
 * park is not lost, and {@link LockSupport} for the wait itself.
 */
final class Parking {

    private static final ThreadLocal<AtomicBoolean> PERMITS = ThreadLocal.withInitial(AtomicBoolean::new);

    private Parking() {
    }

    /** {@return the calling thread's permit} */
    static AtomicBoolean permit() {
        return PERMITS.get();
    }

    /** Parks the calling thread until its permit is given or {@code timeout} passes; see Scheduler#park. */
    static boolean park(Duration timeout) {
        long remaining = Scheduler.requireDelay(timeout, "timeout").toNanos();
        long deadline = System.nanoTime() + remaining;
        AtomicBoolean permit = permit();
        while (!permit.compareAndSet(true, false)) {
            if (remaining <= 0) {
                return false;
            }
            LockSupport.parkNanos(permit, remaining);
            remaining = deadline - System.nanoTime();
        }
        return true;
    }

    /** {@return an unparker that gives the calling thread its permit and wakes it} */
    static Unparker unparker() {
        Thread thread = Thread.currentThread();
        AtomicBoolean permit = permit();
        return () -> {
            permit.set(true);
            LockSupport.unpark(thread);
        };
    }
}
