package dev.scheduler.cloud;

import java.time.Duration;

/** The platform's clock, as a cloud worker sees it: virtual time under a {@code TestScheduler}. */
public interface PlatformRuntime {

    /**
     * Waits until {@code duration} has passed on the scheduler's clock, as the seed's awaited
     * {@code delay} does: inside a task it parks only the task's body, which resumes as a step of
     * the scheduler; on any other thread it blocks that thread. Under a {@code TestScheduler} an
     * hour passes in virtual time. For a timer to hold on to instead, use
     * {@link dev.scheduler.Executor#timer(Duration)}.
     *
     * @param duration how long; zero or positive
     * @throws NullPointerException if {@code duration} is null
     * @throws IllegalArgumentException if {@code duration} is negative or longer than
     *     {@link dev.scheduler.Scheduler#MAX_DELAY}
     * @throws java.util.concurrent.CancellationException if the calling task is cancelled while it waits
     */
    void delay(Duration duration);
}
