package dev.scheduler.autoconfigure;

import dev.scheduler.Executor;
import dev.scheduler.ForegroundExecutor;
import dev.scheduler.Scheduler;
import dev.scheduler.cloud.SimulatedExecutionContext;
import dev.scheduler.dispatch.Dispatcher;
import dev.scheduler.dispatch.DispatcherOptions;
import dev.scheduler.dispatch.Dispatchers;
import dev.scheduler.test.Seeds;
import dev.scheduler.test.TestScheduler;
import java.time.Clock;
import java.time.ZoneId;
import java.util.Locale;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Configurations imported by {@link SchedulerAutoConfiguration} in a specific order: the
 * TestScheduler comes first, so that under the test profile it is the {@link Scheduler} and the
 * production dispatcher, defined next with {@code @ConditionalOnMissingBean(Scheduler.class)},
 * backs off; the dispatcher's lifecycle follows whichever {@link Dispatcher} there is, the
 * application's own included.
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
    static class DispatcherConfiguration {

        @Bean
        @ConditionalOnMissingBean
        OperatingSystemProbe schedulerOperatingSystemProbe() {
            return OperatingSystemProbe.system();
        }

        // Closed by SchedulerLifecycle, which drains it first; close() is idempotent if Spring calls it too.
        @Bean
        @ConditionalOnMissingBean(Scheduler.class)
        Dispatcher schedulerDispatcher(SchedulerProperties properties, OperatingSystemProbe probe) {
            DispatcherOptions options = properties.toDispatcherOptions();
            Dispatchers.Kind kind = properties.dispatcher().kind();
            if (kind == null) {
                return Dispatchers.select(probe.osName(), options);
            }
            try {
                return Dispatchers.create(kind, options);
            } catch (UnsupportedOperationException | IllegalStateException e) {
                throw new IllegalStateException("scheduler.dispatcher=" + properties.dispatcher().name().toLowerCase(Locale.ROOT)
                        + " cannot run here: " + e.getMessage() + ". Set scheduler.dispatcher=auto to use the "
                        + "dispatcher for this operating system, or portable.", e);
            }
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBean(Dispatcher.class)
    static class DispatcherLifecycleConfiguration {

        @Bean
        @ConditionalOnMissingBean
        SchedulerLifecycle schedulerLifecycle(Dispatcher dispatcher, SchedulerProperties properties) {
            return new SchedulerLifecycle(dispatcher, properties.shutdown().awaitTermination());
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
