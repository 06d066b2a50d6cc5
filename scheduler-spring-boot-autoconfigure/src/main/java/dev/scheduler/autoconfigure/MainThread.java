package dev.scheduler.autoconfigure;

import dev.scheduler.Scheduler;
import dev.scheduler.test.TestScheduler;
import java.util.Optional;

/**
 * Finds the confined (main loop) thread of the schedulers this module knows. The SPI has no
 * accessor for it, since not every scheduler has one.
 */
final class MainThread {

    private MainThread() {
    }

    /** {@return the thread that runs {@code scheduler}'s foreground steps, if it is a known kind} */
    static Optional<Thread> of(Scheduler scheduler) {
        return scheduler.as(TestScheduler.class).map(TestScheduler::thread);
    }
}
