package dev.scheduler.autoconfigure;

import dev.scheduler.Executor;
import dev.scheduler.Scheduler;
import java.time.Clock;
import java.time.ZoneId;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.annotation.SchedulingConfigurer;

/**
 * Runs Spring's {@code @Scheduled} and {@code @Async} on the scheduler when
 * {@code scheduler.spring.bridge=true}: a {@link SchedulerTaskScheduler} named
 * {@value #TASK_SCHEDULER_BEAN_NAME} and a {@link SchedulerTaskExecutor} named
 * {@value #APPLICATION_TASK_EXECUTOR_BEAN_NAME}, which take the place of Spring Boot's. Without the
 * property nothing of Spring's defaults changes. An application's own {@code TaskScheduler} or
 * {@code AsyncTaskExecutor} wins.
 *
 * <p>It runs before Spring Boot's task execution and scheduling auto-configurations, which back
 * off when they find these beans.
 */
@AutoConfiguration(before = {TaskExecutionAutoConfiguration.class, TaskSchedulingAutoConfiguration.class})
@ConditionalOnClass(TaskScheduler.class)
@ConditionalOnBooleanProperty("scheduler.spring.bridge")
public final class SchedulerTaskBridgeAutoConfiguration {

    /** The bean name of the bridged task scheduler, the name {@code @Scheduled} looks for. */
    public static final String TASK_SCHEDULER_BEAN_NAME = "taskScheduler";

    /** The bean name of the bridged task executor, the name Spring Boot gives its application executor. */
    public static final String APPLICATION_TASK_EXECUTOR_BEAN_NAME =
            TaskExecutionAutoConfiguration.APPLICATION_TASK_EXECUTOR_BEAN_NAME;

    /** Not instantiated by applications; Spring Boot creates it. */
    SchedulerTaskBridgeAutoConfiguration() {
    }

    @Bean(TASK_SCHEDULER_BEAN_NAME)
    @ConditionalOnMissingBean(TaskScheduler.class)
    SchedulerTaskScheduler taskScheduler(Executor executor, ObjectProvider<SchedulerClock> clock) {
        // The trigger's clock must read the very scheduler whose timers fire the runs.
        Scheduler scheduler = executor.scheduler();
        SchedulerClock shared = clock.getIfUnique();
        Clock triggers = shared != null && shared.scheduler() == scheduler ? shared
                : new SchedulerClock(scheduler, ZoneId.systemDefault());
        return new SchedulerTaskScheduler(executor, triggers);
    }

    /**
     * Hands the bridged task scheduler straight to {@code @Scheduled}'s registrar. Left alone, the
     * registrar wraps it in Spring's {@code TaskSchedulerRouter}, whose clock is always the system
     * clock, so an {@code initialDelay} would count from wall time rather than the scheduler's time.
     * The cost: {@code @Scheduled(scheduler = "...")} qualifiers are not routed while the bridge is on.
     */
    @Bean
    SchedulingConfigurer schedulerTaskSchedulerRegistration(ObjectProvider<SchedulerTaskScheduler> taskScheduler) {
        return registrar -> taskScheduler.ifUnique(registrar::setTaskScheduler);
    }

    @Bean(name = {APPLICATION_TASK_EXECUTOR_BEAN_NAME, "taskExecutor"})
    @ConditionalOnMissingBean(AsyncTaskExecutor.class)
    SchedulerTaskExecutor applicationTaskExecutor(Executor executor) {
        return new SchedulerTaskExecutor(executor);
    }
}
