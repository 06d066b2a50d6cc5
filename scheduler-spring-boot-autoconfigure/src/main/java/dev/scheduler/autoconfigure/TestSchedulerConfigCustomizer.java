package dev.scheduler.autoconfigure;

import dev.scheduler.test.TestSchedulerConfig;

/**
 * Customizes the configuration of the {@code TestScheduler} the auto-configuration creates under
 * the test profile, without replacing the {@link dev.scheduler.Scheduler} bean. Every such bean is
 * applied in order ({@link org.springframework.core.annotation.Order @Order},
 * {@link org.springframework.core.Ordered}), after the {@code scheduler.test.*} properties.
 */
@FunctionalInterface
public interface TestSchedulerConfigCustomizer {

    /**
     * Customizes the configuration.
     *
     * @param config the builder, with the {@code scheduler.test.*} properties and the resolved seed set
     */
    void customize(TestSchedulerConfig.Builder config);
}
