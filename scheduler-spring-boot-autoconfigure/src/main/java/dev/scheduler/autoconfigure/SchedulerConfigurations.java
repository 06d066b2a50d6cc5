package dev.scheduler.autoconfigure;

import dev.scheduler.Executor;
import dev.scheduler.ForegroundExecutor;
import dev.scheduler.Scheduler;
import dev.scheduler.cloud.SimulatedExecutionContext;
import dev.scheduler.test.Seeds;
import dev.scheduler.test.TestScheduler;
import java.time.Clock;
import java.time.ZoneId;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Configurations imported by {@link SchedulerAutoConfiguration} in a specific order: the
 * TestScheduler comes first, so that under the test profile it is the {@link Scheduler} and every
 * later {@code @ConditionalOnMissingBean(Scheduler.class)} definition backs off.
 */
final class SchedulerConfigurations {

    private SchedulerConfigurations() {
    }

    @Configuration(proxyBeanMethods = false)
    @Conditional(OnTestSchedulerCondition.class)
    static class TestSchedulerConfiguration {

        // Created on the thread that refreshes the context, which in a Spring test is the thread
        // that runs the tests: a TestScheduler belongs to the thread that creates it.
        @Bean
        @ConditionalOnMissingBean(Scheduler.class)
        TestScheduler testScheduler(SchedulerProperties properties) {
            SchedulerProperties.Test test = properties.test();
            return new TestScheduler(test.toConfig(Seeds.resolve(test.seed(), 1).first()));
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ExecutorConfiguration {

        @Bean
        @ConditionalOnMissingBean
        Executor schedulerExecutor(Scheduler scheduler) {
            return new Executor(scheduler, "background");
        }

        @Bean
        @ConditionalOnMissingBean
        ForegroundExecutor schedulerForegroundExecutor(Scheduler scheduler) {
            return new ForegroundExecutor(scheduler, scheduler.mainThread().orElseThrow(() -> new BeanCreationException(
                    "schedulerForegroundExecutor", "Cannot tell which thread a ForegroundExecutor on "
                            + scheduler.getClass().getName() + " is confined to: it reports no main thread. Define a "
                            + "ForegroundExecutor bean yourself, new ForegroundExecutor(scheduler, itsMainLoopThread).")));
        }

        @Bean
        @ConditionalOnMissingBean
        SimulatedExecutionContext simulatedExecutionContext(ForegroundExecutor foreground,
                SchedulerProperties properties) {
            return new SimulatedExecutionContext(foreground, properties.sessions().cleanupPolicy());
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(Clock.class)
    static class ClockConfiguration {

        @Bean
        SchedulerClock schedulerClock(Scheduler scheduler) {
            return new SchedulerClock(scheduler, ZoneId.systemDefault());
        }
    }
}
