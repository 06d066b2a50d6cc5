package dev.scheduler.autoconfigure;

import dev.scheduler.dispatch.DispatcherOptions;

/**
 * Customizes the options of the production dispatcher the auto-configuration creates, in the
 * manner of Spring Boot's {@code TaskExecutorCustomizer}, without replacing the
 * {@link dev.scheduler.Scheduler} bean. Every such bean is applied in order
 * ({@link org.springframework.core.annotation.Order @Order}, {@link org.springframework.core.Ordered}),
 * after the {@code scheduler.*} properties.
 */
@FunctionalInterface
public interface DispatcherOptionsCustomizer {

    /**
     * Customizes the options.
     *
     * @param options the options so far: the defaults with the {@code scheduler.*} properties applied
     * @return the options to use, typically {@code options.withThreadNamePrefix(...)} and the like; never null
     */
    DispatcherOptions customize(DispatcherOptions options);
}
