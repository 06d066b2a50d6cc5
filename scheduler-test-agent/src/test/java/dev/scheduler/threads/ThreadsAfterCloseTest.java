package dev.scheduler.threads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.scheduler.Task;
import dev.scheduler.test.Preemption;
import dev.scheduler.test.TestScheduler;
import dev.scheduler.test.TestSchedulerConfig;
import dev.scheduler.test.junit.SchedulerTest;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The edges of threads as tasks: what outlives its scheduler, the JDK's rules for a thread that
 * started already, unparking the thread the code knows, a class initializer's clock, spinning under
 * PCT, and threads a library starts.
 */
class ThreadsAfterCloseTest {

    @Test
    void aPlatformThreadParkedWhenItsSchedulerClosesGoesOnWhenUnparked() throws Exception {
        AtomicReference<Thread> worker = new AtomicReference<>();
        CountDownLatch finished = new CountDownLatch(1);
        try (TestScheduler scheduler = new TestScheduler(TestSchedulerConfig.builder().allowParking(true).build())) {
            scheduler.background().spawn(() -> {
                Thread thread = new Thread(() -> {
                    while (!Thread.interrupted()) {
                        LockSupport.park();
                    }
                    finished.countDown();
                }, "outliving");
                thread.start();
                worker.set(thread);
            }).join();
            scheduler.runUntilParked();
        }
        // Closing cancelled its task, which interrupts the thread that runs it: it ends on the JDK's scheduler.
        assertThat(finished.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(worker.get().join(Duration.ofSeconds(60))).isTrue();
        assertThat(worker.get().getState()).isEqualTo(Thread.State.TERMINATED);
    }

    @Test
    void aThreadTheJdkStartedCannotBeStartedAgainInATask() throws Exception {
        Thread real = new Thread(() -> { });
        real.start();
        real.join();
        TestScheduler.once(scheduler -> {
            Task<Throwable> again = scheduler.background().spawn(() -> {
                try {
                    real.start();
                    return null;
                } catch (IllegalThreadStateException expected) {
                    return expected;
                }
            });
            assertThat(again.join()).isInstanceOf(IllegalThreadStateException.class);
        });
    }

    @SchedulerTest(iterations = 20)
    void unparkingTheThreadTheCodeKnowsWakesItsStandIn(TestScheduler scheduler) {
        Task<Boolean> task = scheduler.background().spawn(() -> {
            AtomicReference<Thread> self = new AtomicReference<>();
            AtomicBoolean woke = new AtomicBoolean();
            Thread sleeper = new Thread(() -> {
                self.set(Thread.currentThread());
                LockSupport.park();
                woke.set(true);
            });
            sleeper.start();
            while (self.get() == null || sleeper.getState() != Thread.State.WAITING) {
                Thread.yield();
            }
            LockSupport.unpark(self.get());
            sleeper.join();
            return woke.get();
        });

        assertThat(task.join()).isTrue();
    }

    @SchedulerTest(iterations = 5, virtualClockReads = true)
    void aClassInitializersClockReadIsVirtualToo(TestScheduler scheduler) {
        Task<Instant> loaded = scheduler.background().spawn(() -> LoadedInATask.AT);

        Instant at = loaded.join();
        assertThat(at).isIn(scheduler.now(), TestScheduler.START); // the first seed loads it, at START
    }

    @Test
    void aDependentThatRunsAfterItsSchedulerClosedRunsOnTheCommonPool() throws Exception {
        CompletableFuture<String> source = new CompletableFuture<>();
        AtomicReference<CompletableFuture<String>> dependent = new AtomicReference<>();
        TestScheduler.run(TestSchedulerConfig.defaults(), scheduler -> scheduler.background()
                .spawn(() -> dependent.set(source.thenApplyAsync(value -> value + "!"))).join());

        source.complete("late"); // after the scheduler closed: no exception here
        assertThat(dependent.get().get(60, TimeUnit.SECONDS)).isEqualTo("late!");
    }

    @Test
    void pctLetsASpinningTaskStepAsideForTheOneItWaitsFor() throws Exception {
        TestScheduler.many(20, TestSchedulerConfig.builder().preemption(Preemption.pct(1)).build(), scheduler -> {
            Flag flag = new Flag();
            Task<Void> spinner = scheduler.background().spawn(() -> {
                while (!flag.set) {
                    // spins on a volatile read: a point every turn
                }
            });
            Task<Void> setter = scheduler.background().spawn(() -> {
                flag.set = true;
            });
            spinner.join();
            setter.join();
        });
    }

    @SchedulerTest(iterations = 3)
    void aThreadATestFrameworkStartsKeepsTheJdks(TestScheduler scheduler) {
        boolean virtual = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> Thread.currentThread().isVirtual());
        assertThat(virtual).isFalse();
        assertThat(scheduler.pendingTasks()).isEmpty();
    }

    /** A flag one task spins on and another sets. */
    static final class Flag {
        volatile boolean set;
    }

    /** A class first loaded inside a task, whose initializer reads the clock. */
    static final class LoadedInATask {
        static final Instant AT = Instant.now();
    }
}
