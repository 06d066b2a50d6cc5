package dev.scheduler.autoconfigure;

import dev.scheduler.Scheduler;
import dev.scheduler.cloud.AbstractExecutionContext;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code scheduler} Actuator endpoint ({@link SchedulerEndpoint}), when
 * Actuator is on the class path and the endpoint is exposed
 * ({@code management.endpoints.web.exposure.include=scheduler}, say).
 */
@AutoConfiguration(after = SchedulerAutoConfiguration.class)
@ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
@ConditionalOnBean(Scheduler.class)
@ConditionalOnAvailableEndpoint(SchedulerEndpoint.class)
public final class SchedulerEndpointAutoConfiguration {

    /** Not instantiated by applications; Spring Boot creates it. */
    SchedulerEndpointAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean
    SchedulerEndpoint schedulerEndpoint(Scheduler scheduler, ObjectProvider<AbstractExecutionContext> contexts) {
        return new SchedulerEndpoint(scheduler, new ExecutionContexts(contexts));
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(SchedulerEndpoint.class)
    SchedulerEndpointWebExtension schedulerEndpointWebExtension(SchedulerEndpoint endpoint) {
        return new SchedulerEndpointWebExtension(endpoint);
    }
}
