package dev.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scheduler.ThreadWaits.Kind;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The JDK internals the scheduler follows are the ones this JDK has: each state a virtual thread
 * can wait in reads as what it is. On a JDK whose internals differ, this class fails to load and
 * these specs fail, which fails the build.
 */
class ThreadWaitsTest {

    private static final long GUARD_NANOS = TimeUnit.SECONDS.toNanos(30);

    @Test
    void theInternalsAreReadableWithTheFlag() {
        assertThat(ThreadWaits.available()).isTrue();
    }

    @Test
    void aThreadNotYetStartedIsNewAndAFinishedOneTerminated() throws InterruptedException {
        Thread thread = Thread.ofVirtual().unstarted(() -> { });
        assertThat(ThreadWaits.kind(thread)).isEqualTo(Kind.NEW);

        thread.start();
        thread.join();

        assertThat(ThreadWaits.kind(thread)).isEqualTo(Kind.TERMINATED);
    }

    @Test
    void aParkedThreadIsParkedAndASleepingOneParkedWithATimeout() throws InterruptedException {
        Thread parked = Thread.ofVirtual().start(LockSupport::park);
        Thread sleeping = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(TimeUnit.HOURS.toMillis(1));
            } catch (InterruptedException e) {
                // woken by the test's end
            }
        });
        try {
            awaitKind(parked, Kind.PARKED);
            awaitKind(sleeping, Kind.TIMED_PARKED);
            assertThat(ThreadWaits.waitsForMonitor(parked)).isFalse();
        } finally {
            LockSupport.unpark(parked);
            sleeping.interrupt();
            parked.join();
            sleeping.join();
        }
    }

    @Test
    void aThreadEnteringAHeldMonitorIsBlockedOnItUntilItIsReleased() throws InterruptedException {
        Object monitor = new Object();
        CountDownLatch entered = new CountDownLatch(1);
        Thread blocked;
        synchronized (monitor) {
            blocked = Thread.ofVirtual().start(() -> {
                synchronized (monitor) {
                    entered.countDown();
                }
            });
            awaitKind(blocked, Kind.BLOCKED_ON_MONITOR);
            assertThat(ThreadWaits.waitsForMonitor(blocked)).isTrue();
        }
        assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
        blocked.join();
        assertThat(ThreadWaits.handoffPending(blocked)).isFalse();
    }

    @Test
    void aThreadInObjectWaitIsWaitingOnTheMonitorWithOrWithoutATimeout() throws InterruptedException {
        Object monitor = new Object();
        Thread waiting = Thread.ofVirtual().start(() -> waitOn(monitor, 0));
        Thread timed = Thread.ofVirtual().start(() -> waitOn(monitor, TimeUnit.HOURS.toMillis(1)));
        try {
            awaitKind(waiting, Kind.WAITING_ON_MONITOR);
            awaitKind(timed, Kind.TIMED_WAITING_ON_MONITOR);
            assertThat(ThreadWaits.waitsForMonitor(waiting)).isTrue();
        } finally {
            waiting.interrupt();
            timed.interrupt();
            waiting.join();
            timed.join();
        }
    }

    @Test
    void aPlatformThreadHasNoVirtualState() {
        assertThat(ThreadWaits.kind(Thread.currentThread())).isEqualTo(Kind.UNKNOWN);
        assertThat(ThreadWaits.carrierOf(Thread.currentThread())).isNull();
    }

    @Test
    void aTaskBodysCarrierIsItsTaskRunner() {
        try (ThreadPoolScheduler scheduler = new ThreadPoolScheduler()) {
            Executor executor = new Executor(scheduler);
            Task<Boolean> carried = executor.spawn(() -> ThreadWaits.carrierOf(Thread.currentThread()) instanceof TaskRunner);

            assertThat(carried.join()).isTrue();
        }
    }

    private static void waitOn(Object monitor, long millis) {
        synchronized (monitor) {
            try {
                monitor.wait(millis);
            } catch (InterruptedException e) {
                // the test's end
            }
        }
    }

    private static void awaitKind(Thread thread, Kind kind) {
        await(() -> ThreadWaits.kind(thread) == kind, thread + " to be " + kind + ", it is " + ThreadWaits.kind(thread));
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + GUARD_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("Waited 30 s for " + what);
            }
            Thread.onSpinWait();
        }
    }
}
