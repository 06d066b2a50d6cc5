package dev.scheduler.test.junit;

import dev.scheduler.test.TestScheduler;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Supplies the {@link TestScheduler} a test already has, such as the scheduler bean of a cached
 * Spring test context, so that {@link SchedulerTest} reseeds and ends that scheduler instead of
 * creating a fresh one. Implementations are found with {@link java.util.ServiceLoader}.
 *
 * <p>A supplied scheduler is {@linkplain TestScheduler#reseed(long) reseeded} with each invocation's
 * seed, passed to the test, and {@linkplain TestScheduler#endTest() ended} after it; it is never
 * closed, because it outlives the test.
 */
public interface TestSchedulerSource {

    /**
     * Returns the scheduler the test in {@code context} runs on, if this source provides one.
     *
     * @param context the test's extension context
     * @return the scheduler, or empty to let the next source (or a fresh scheduler) serve
     */
    Optional<TestScheduler> schedulerFor(ExtensionContext context);
}
