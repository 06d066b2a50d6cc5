package dev.scheduler.autoconfigure;

import dev.scheduler.Executor;
import dev.scheduler.ForegroundExecutor;
import dev.scheduler.Scheduler;
import dev.scheduler.TaskThreads;
import dev.scheduler.cloud.SimulatedExecutionContext;
import dev.scheduler.dispatch.Dispatcher;
import dev.scheduler.dispatch.DispatcherOptions;
import dev.scheduler.dispatch.Dispatchers;
import dev.scheduler.test.Seeds;
import dev.scheduler.test.TestScheduler;
import dev.scheduler.test.TestSchedulerConfig;
import java.time.Clock;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Objects;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.TaskDecorator;
import org.springframework.util.ClassUtils;

/**
 * Configurations imported by {@link SchedulerAutoConfiguration} in a specific order: the
 * TestScheduler comes first, so that under the test profile it is the {@link Scheduler} and the
 * production dispatcher, defined next with {@code @ConditionalOnMissingBean(Scheduler.class)},
 * backs off; the dispatcher's lifecycle follows whichever {@link Dispatcher} there is, the
 * application's own included.
 */
final class SchedulerConfigurations {

    private static final Log logger = LogFactory.getLog(SchedulerAutoConfiguration.class);

    /** Spring Boot's application context with an embedded web server, servlet or reactive. */
    private static final String WEB_SERVER_CONTEXT = "org.springframework.boot.web.server.context.WebServerApplicationContext";

    private SchedulerConfigurations() {
    }

    /**
     * Fails the start, through {@link CarrierUnavailableFailureAnalyzer}, when task bodies cannot park:
     * otherwise the application starts and only requests whose tasks park fail, one by one.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = TaskThreads.REQUIRE_PROPERTY, matchIfMissing = true)
    static class CarrierCheckConfiguration {

        CarrierCheckConfiguration() {
            try {
                TaskThreads.requireAvailable("The application");
            } catch (IllegalStateException e) {
                throw new CarrierUnavailableException(e);
            }
        }
    }

    @Configuration(proxyBeanMethods = false)
    @Conditional(OnTestSchedulerCondition.class)
    static class TestSchedulerConfiguration {

        // Created on the thread that refreshes the context, which in a Spring test is the thread
        // that runs the tests: a TestScheduler belongs to the thread that creates it.
        @Bean
        @ConditionalOnMissingBean(Scheduler.class)
        TestScheduler testScheduler(SchedulerProperties properties, ApplicationContext context,
                ObjectProvider<TestSchedulerConfigCustomizer> customizers) {
            requireNoWebServer(context);
            TestSchedulerConfig.Builder config = properties.test().toConfigBuilder(
                    Seeds.resolve(properties.test().seed(), 1).first());
            customizers.orderedStream().forEach(customizer -> customizer.customize(config));
            TestScheduler scheduler = new TestScheduler(config.build());
            logger.info("Scheduler is a TestScheduler with seed " + scheduler.seed() + ": tasks run on the thread "
                    + "that runs the tests, in virtual time, in an order the seed draws. Each test starts afresh from "
                    + "this seed (scheduler.test.seed, or the SEED environment variable)");
            return scheduler;
        }

        /**
         * Refuses a real web server under the test profile, the {@code @SpringBootTest(webEnvironment =
         * RANDOM_PORT)} case: its requests would run on the server's threads, which the TestScheduler
         * does not drive, so the client would wait for its timeout and the test then fail as "not
         * deterministic". MockMvc runs requests on the test's own thread, which it does drive.
         */
        private static void requireNoWebServer(ApplicationContext context) {
            ClassLoader loader = context.getClassLoader();
            if (ClassUtils.isPresent(WEB_SERVER_CONTEXT, loader)
                    && ClassUtils.resolveClassName(WEB_SERVER_CONTEXT, loader).isInstance(context)) {
                throw new IllegalStateException("A TestScheduler cannot serve a real web server: its requests would "
                        + "run on the server's own threads, outside the TestScheduler, and wait for it forever. This is "
                        + "what @SpringBootTest(webEnvironment = RANDOM_PORT or DEFINED_PORT) under the test profile "
                        + "does. Test the web layer with MockMvc on the test profile (@SpringBootTest with its default "
                        + "webEnvironment = MOCK and @AutoConfigureMockMvc), whose requests the TestScheduler runs; or "
                        + "run a RANDOM_PORT test on a real dispatcher, with the test profile off or "
                        + "scheduler.test.profile set to another profile.");
            }
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
        Dispatcher schedulerDispatcher(SchedulerProperties properties, OperatingSystemProbe probe,
                ObjectProvider<DispatcherOptionsCustomizer> customizers) {
            DispatcherOptions options = properties.toDispatcherOptions();
            for (DispatcherOptionsCustomizer customizer : customizers.orderedStream().toList()) {
                options = Objects.requireNonNull(customizer.customize(options),
                        () -> "DispatcherOptionsCustomizer " + customizer + " returned null");
            }
            Dispatchers.Kind kind = properties.dispatcher().kind();
            if (kind == null) {
                return Dispatchers.select(probe.osName(), options);
            }
            try {
                return Dispatchers.create(kind, options);
            } catch (UnsupportedOperationException | IllegalStateException e) {
                throw new DispatcherUnavailableException(properties.dispatcher().name().toLowerCase(Locale.ROOT), e);
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
        Executor schedulerExecutor(Scheduler scheduler, ObjectProvider<TaskDecorator> decorators,
                SchedulerProperties properties) {
            Executor executor = new Executor(scheduler, "background");
            TaskDecorators.apply(executor, decorators.orderedStream().toList(), properties.contextPropagation());
            return executor;
        }

        @Bean
        @ConditionalOnMissingBean
        ForegroundExecutor schedulerForegroundExecutor(Scheduler scheduler, ObjectProvider<TaskDecorator> decorators,
                SchedulerProperties properties) {
            ForegroundExecutor foreground = new ForegroundExecutor(scheduler, scheduler.mainThread().orElseThrow(
                    () -> new BeanCreationException("schedulerForegroundExecutor", "Cannot tell which thread a "
                            + "ForegroundExecutor on " + scheduler.getClass().getName() + " is confined to: it reports "
                            + "no main thread. Define a ForegroundExecutor bean yourself, new "
                            + "ForegroundExecutor(scheduler, itsMainLoopThread).")));
            TaskDecorators.apply(foreground, decorators.orderedStream().toList(), properties.contextPropagation());
            return foreground;
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
