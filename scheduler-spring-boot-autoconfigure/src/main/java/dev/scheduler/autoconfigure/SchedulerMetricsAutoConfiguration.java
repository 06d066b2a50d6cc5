package dev.scheduler.autoconfigure;

import dev.scheduler.AbstractExecutor;
import dev.scheduler.Scheduler;
import dev.scheduler.cloud.AbstractExecutionContext;
import dev.scheduler.micrometer.ExecutorMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the scheduler's Micrometer meters: a {@link SchedulerMetrics} binder, made of
 * {@code scheduler-micrometer}'s binders for the scheduler, each executor bean and the execution
 * contexts, which Spring Boot binds to the application's {@link MeterRegistry}. Only with Micrometer
 * on the class path and a registry in the context.
 */
@AutoConfiguration(after = SchedulerAutoConfiguration.class, afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"})
@ConditionalOnClass({MeterRegistry.class, ExecutorMetrics.class})
@ConditionalOnBean({MeterRegistry.class, Scheduler.class})
public final class SchedulerMetricsAutoConfiguration {

    /** Not instantiated by applications; Spring Boot creates it. */
    SchedulerMetricsAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean
    SchedulerMetrics schedulerMetrics(Scheduler scheduler, ObjectProvider<AbstractExecutor> executors,
            ObjectProvider<AbstractExecutionContext> contexts) {
        return new SchedulerMetrics(scheduler, executors.orderedStream().toList(), new ExecutionContexts(contexts),
                Tags.empty());
    }
}
