package dev.scheduler.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;

/**
 * Auto-configuration of the scheduler: a {@link dev.scheduler.Scheduler} (the native dispatcher
 * for the operating system, or a {@code TestScheduler} under the test profile), an
 * {@link dev.scheduler.Executor}, a {@link dev.scheduler.ForegroundExecutor}, a
 * {@link dev.scheduler.cloud.SimulatedExecutionContext} and a {@link java.time.Clock} reading the
 * scheduler's time. Every bean backs off when the application defines its own.
 *
 * <p>It runs after Spring Boot's task execution auto-configuration: our {@code Executor} is also a
 * {@link java.util.concurrent.Executor}, and Boot's {@code applicationTaskExecutor} must not back
 * off because of it. {@link SchedulerTaskBridgeAutoConfiguration} replaces Boot's executors only
 * when asked to.
 */
@AutoConfiguration(after = TaskExecutionAutoConfiguration.class)
@EnableConfigurationProperties(SchedulerProperties.class)
@Import({SchedulerConfigurations.CarrierCheckConfiguration.class, SchedulerConfigurations.TestSchedulerConfiguration.class, SchedulerConfigurations.DispatcherConfiguration.class,
        SchedulerConfigurations.DispatcherLifecycleConfiguration.class, SchedulerConfigurations.ExecutorConfiguration.class,
        SchedulerConfigurations.ClockConfiguration.class})
public final class SchedulerAutoConfiguration {

    /** Not instantiated by applications; Spring Boot creates it. */
    SchedulerAutoConfiguration() {
    }
}
