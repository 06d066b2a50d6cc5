package dev.scheduler.autoconfigure;

import dev.scheduler.ForegroundExecutor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code scheduler} health indicator ({@link SchedulerHealthIndicator}),
 * which turns DOWN when the main loop stalls. Disable it with
 * {@code management.health.scheduler.enabled=false}.
 */
@AutoConfiguration(after = SchedulerAutoConfiguration.class,
        beforeName = "org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration")
@ConditionalOnClass({HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
@ConditionalOnBean(ForegroundExecutor.class)
@ConditionalOnEnabledHealthIndicator("scheduler")
public final class SchedulerHealthContributorAutoConfiguration {

    /** Not instantiated by applications; Spring Boot creates it. */
    SchedulerHealthContributorAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean(name = "schedulerHealthIndicator")
    SchedulerHealthIndicator schedulerHealthIndicator(ForegroundExecutor foreground, SchedulerProperties properties) {
        return new SchedulerHealthIndicator(foreground, properties.health().stallThreshold(),
                properties.health().pingInterval());
    }
}
