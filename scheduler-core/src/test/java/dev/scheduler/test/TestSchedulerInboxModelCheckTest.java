package dev.scheduler.test;

import static dev.scheduler.ModelChecks.check;
import static dev.scheduler.ModelChecks.join;

import dev.scheduler.Priority;
import dev.scheduler.TaskId;
import dev.scheduler.TaskMetadata;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Test;

/**
 * The {@code TestScheduler}'s inbox, model-checked with Lincheck: steps and timers that threads
 * outside the scheduler hand in while its own thread drives it are each run exactly once, none is
 * lost between the drive's last look at the inbox and its next, and each counts once as
 * non-determinism.
 */
public class TestSchedulerInboxModelCheckTest {

    /** Lincheck follows shared state from static fields. */
    static volatile Object shared;

    @Test
    void stepsAndTimersFromOtherThreadsEachRunExactlyOnce() {
        Lincheck.runConcurrentTest(500, TestSchedulerInboxModelCheckTest::twoOutsideThreads);
    }

    static void twoOutsideThreads() {
        TestScheduler scheduler = new TestScheduler();
        AtomicInteger[] runs = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
        shared = new Object[] {scheduler, runs};
        Thread stepper = new Thread(() -> scheduler.schedule(runs[0]::incrementAndGet, meta()));
        Thread timers = new Thread(() -> {
            scheduler.scheduleAfter(Duration.ofSeconds(1), runs[1]::incrementAndGet);
            scheduler.scheduleAfter(Duration.ZERO, runs[2]::incrementAndGet);
        });
        stepper.start();
        timers.start();
        join(stepper);
        join(timers);
        scheduler.advanceClock(Duration.ofSeconds(1));

        for (AtomicInteger run : runs) {
            check(run.get() == 1, "each step and timer ran exactly once");
        }
        try {
            scheduler.endTest();
            throw new AssertionError("three arrivals from other threads went unreported");
        } catch (AssertionError expected) {
            check(expected.getMessage().startsWith("Your test is not deterministic: 3 wake-ups came from outside"),
                    "each arrival counted once: " + expected.getMessage());
        }
    }

    private static TaskMetadata meta() {
        return new TaskMetadata(TaskId.next(), null, Priority.MEDIUM, null, null);
    }
}
