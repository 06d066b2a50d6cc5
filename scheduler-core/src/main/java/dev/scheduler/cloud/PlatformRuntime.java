package dev.scheduler.cloud;

import dev.scheduler.Task;
import java.time.Duration;

/** The platform's clock, as a cloud worker sees it: virtual time under a {@code TestScheduler}. */
public interface PlatformRuntime {

    /**
     * Returns a task that completes once {@code duration} has passed on the scheduler's clock; a
     * body that joins it parks until then.
     *
     * @param duration how long; zero or positive
     * @return the timer task
     * @throws NullPointerException if {@code duration} is null
     * @throws IllegalArgumentException if {@code duration} is negative
     */
    Task<Void> delay(Duration duration);
}
