package dev.scheduler.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scheduler.Executor;
import dev.scheduler.ForegroundExecutor;
import dev.scheduler.Task;
import dev.scheduler.TaskThreads;
import dev.scheduler.dispatch.Dispatcher;
import dev.scheduler.dispatch.PortableDispatcher;
import dev.scheduler.test.TestScheduler;
import io.micrometer.context.ContextRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.actuate.scheduling.ScheduledTasksEndpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.annotation.Order;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.support.CompositeTaskDecorator;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.scheduling.config.ScheduledTaskHolder;

/**
 * The Spring Boot conventions a new application expects without reading the code: it says at
 * start-up what runs its tasks, fails at start-up with Boot's own report when it cannot, takes
 * customizers and {@link TaskDecorator}s as Boot's executors do, propagates context, and stops
 * quietly.
 */
@ExtendWith(OutputCaptureExtension.class)
class SchedulerSpringConventionsTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SchedulerAutoConfiguration.class,
                    SchedulerTaskBridgeAutoConfiguration.class, TaskExecutionAutoConfiguration.class,
                    TaskSchedulingAutoConfiguration.class));

    private final ApplicationContextRunner dispatcherRunner = contextRunner.withPropertyValues(
            "scheduler.dispatcher=portable", "scheduler.background-threads=3");

    private final ApplicationContextRunner testRunner = contextRunner.withPropertyValues("spring.profiles.active=test");

    @Nested
    class TheStartUpLine {

        @Test
        void onADispatcherItNamesTheDispatcherItsThreadsAndItsMainLoop(CapturedOutput output) {
            dispatcherRunner.run(context -> assertThat(output).contains("Scheduler started on the portable dispatcher "
                    + "with 3 background threads and its main loop on a dedicated thread"));
        }

        @Test
        void underTheTestProfileItSaysItIsATestSchedulerAndNamesItsSeed(CapturedOutput output) {
            testRunner.withPropertyValues("scheduler.test.seed=42").run(context -> assertThat(output)
                    .contains("Scheduler is a TestScheduler with seed 42: tasks run on the thread that runs the tests, "
                            + "in virtual time"));
        }
    }

    @Nested
    class FailedStarts {

        @Test
        @EnabledOnOs(OS.LINUX)
        void aDispatcherThatCannotRunHereFailsWithAReportOfThePropertyWhereItWasSetAndWhatToSet(CapturedOutput output) {
            SpringApplicationBuilder application = new SpringApplicationBuilder(MinimalApplication.class)
                    .web(WebApplicationType.NONE).properties("scheduler.dispatcher=mac");

            assertThatThrownBy(application::run).isInstanceOf(BeanCreationException.class);

            assertThat(output).contains("APPLICATION FAILED TO START")
                    .contains("scheduler.dispatcher is 'mac' (from \"scheduler.dispatcher\" from property source "
                            + "\"defaultProperties\"), and that dispatcher cannot run here: The macOS dispatcher is "
                            + "unavailable: the operating system is Linux, not macOS")
                    .contains("Action:")
                    .contains("Set scheduler.dispatcher=auto (the default) to run on the dispatcher for this operating "
                            + "system")
                    .contains("scheduler.dispatcher=portable, which runs everywhere");
        }

        @Test
        void aJvmWithoutTheFlagIsReportedWithTheLinesToCopyForEveryWayOfStarting() {
            CarrierUnavailableException failure = new CarrierUnavailableException(
                    new IllegalStateException("The application runs task bodies that may park"));

            FailureAnalysis analysis = new CarrierUnavailableFailureAnalyzer().analyze(
                    new BeanCreationException("schedulerCarrierCheck", "failed", failure));

            assertThat(analysis.getCause()).isSameAs(failure);
            assertThat(analysis.getDescription()).startsWith("Task bodies cannot run on virtual threads carried by "
                    + "the scheduler, because the JVM was started without " + TaskThreads.FLAG);
            assertThat(analysis.getAction())
                    .contains("<argLine>" + TaskThreads.FLAG + "</argLine>")
                    .contains("<jvmArguments>" + TaskThreads.FLAG + "</jvmArguments>")
                    .contains("<Add-Opens>java.base/java.lang</Add-Opens>")
                    .contains("java " + TaskThreads.FLAG + " -jar app.jar")
                    .contains("set scheduler.require-carrier=false");
        }

        @Test
        void theCarrierCheckRunsUnlessSwitchedOff() {
            contextRunner.run(context -> assertThat(context)
                    .hasSingleBean(SchedulerConfigurations.CarrierCheckConfiguration.class));
            contextRunner.withPropertyValues("scheduler.require-carrier=false").run(context -> assertThat(context)
                    .doesNotHaveBean(SchedulerConfigurations.CarrierCheckConfiguration.class));
        }
    }

    @Nested
    class Customizers {

        @Test
        void dispatcherOptionsCustomizersApplyInOrderAfterTheProperties() {
            dispatcherRunner.withUserConfiguration(DispatcherCustomizers.class).run(context -> {
                Dispatcher dispatcher = context.getBean(Dispatcher.class);
                assertThat(dispatcher).isInstanceOf(PortableDispatcher.class);
                assertThat(dispatcher.options().threadNamePrefix()).isEqualTo("orders-second");
                assertThat(dispatcher.options().backgroundThreads()).isEqualTo(3);
            });
        }

        @Test
        void aDispatcherOptionsCustomizerThatReturnsNullFailsTheStartNamingIt() {
            dispatcherRunner.withBean(DispatcherOptionsCustomizer.class, () -> options -> null).run(context ->
                    assertThat(context).hasFailed().getFailure().rootCause().hasMessageContaining("returned null")
                            .hasMessageContaining("DispatcherOptionsCustomizer"));
        }

        @Test
        void testSchedulerConfigCustomizersApplyAfterTheTestProperties() {
            testRunner.withPropertyValues("scheduler.test.seed=5")
                    .withBean(TestSchedulerConfigCustomizer.class, () -> config -> config.randomizeOrder(false))
                    .run(context -> {
                        TestScheduler scheduler = context.getBean(TestScheduler.class);
                        assertThat(scheduler.config().randomizeOrder()).isFalse();
                        assertThat(scheduler.seed()).isEqualTo(5);
                    });
        }
    }

    @Nested
    class TaskDecorators {

        @Test
        void aTaskDecoratorWrapsEveryTaskOfTheExecutorTheForegroundExecutorAndTheAsyncBridge() {
            testRunner.withPropertyValues("scheduler.spring.bridge=true")
                    .withBean(TaskDecorator.class, () -> runnable -> () -> Marks.around("decorated", runnable))
                    .run(context -> {
                        Executor executor = context.getBean(Executor.class);
                        ForegroundExecutor foreground = context.getBean(ForegroundExecutor.class);
                        SchedulerTaskExecutor async = context.getBean(SchedulerTaskExecutor.class);

                        assertThat(executor.spawn(() -> Marks.afterAPark(executor)).join()).isEqualTo("decorated");
                        assertThat(foreground.spawn(() -> Marks.afterAPark(foreground)).join()).isEqualTo("decorated");
                        assertThat(async.submit(() -> Marks.afterAPark(executor)).get(1, TimeUnit.MINUTES))
                                .isEqualTo("decorated");
                        assertThat(Marks.MARK.get()).as("left on the test thread").isNull();
                    });
        }

        @Test
        void severalTaskDecoratorsCombineInTheirOrderAsSpringsCompositeTaskDecoratorDoes() {
            List<String> springOrder = Collections.synchronizedList(new ArrayList<>());
            new CompositeTaskDecorator(List.of(OrderedDecorators.recording("first", springOrder),
                    OrderedDecorators.recording("second", springOrder))).decorate(() -> springOrder.add("body")).run();

            testRunner.withUserConfiguration(OrderedDecorators.class).run(context -> {
                OrderedDecorators.seen.clear();
                context.getBean(Executor.class).spawn(() -> OrderedDecorators.seen.add("body")).join();

                assertThat(OrderedDecorators.seen).containsExactlyElementsOf(springOrder).hasSize(3);
            });
        }

        @Test
        void anExecutorTheApplicationDefinesIsItsOwnAndIsNotDecorated() {
            testRunner.withBean(TaskDecorator.class, () -> runnable -> () -> Marks.around("decorated", runnable))
                    .withUserConfiguration(OwnExecutor.class)
                    .run(context -> {
                        Executor executor = context.getBean(Executor.class);
                        assertThat(executor.spawn(() -> Marks.afterAPark(executor)).join()).isNull();
                    });
        }

        @Test
        void aDecoratorThatNeverRunsTheBodyFailsTheTaskNamingTheDecorator() {
            testRunner.withBean(TaskDecorator.class, () -> runnable -> () -> { }).run(context -> {
                Task<Integer> task = context.getBean(Executor.class).spawn(() -> 1);

                assertThatThrownBy(task::join).cause().isInstanceOf(IllegalStateException.class)
                        .hasMessageStartingWith("A task decorator did not run the task's body");
            });
        }
    }

    @Nested
    class ContextPropagation {

        static final ThreadLocal<String> REQUEST = new ThreadLocal<>();

        static {
            ContextRegistry.getInstance().registerThreadLocalAccessor("test.request", REQUEST::get, REQUEST::set,
                    REQUEST::remove);
        }

        @Test
        void theSpawningCodesThreadLocalContextTravelsIntoTheTaskAndStaysAfterEachPark() {
            testRunner.run(context -> {
                Executor executor = context.getBean(Executor.class);
                REQUEST.set("request-1");
                try {
                    Task<List<String>> seen = executor.spawn(() -> {
                        List<String> values = new ArrayList<>();
                        values.add(REQUEST.get());
                        executor.timer(Duration.ofSeconds(1)).join();
                        values.add(REQUEST.get());
                        executor.spawn(() -> { }).join();
                        values.add(REQUEST.get());
                        return values;
                    });
                    REQUEST.set("request-2");

                    assertThat(seen.join()).containsExactly("request-1", "request-1", "request-1");
                } finally {
                    REQUEST.remove();
                }
            });
        }

        @Test
        void itIsOffWhenSwitchedOff() {
            testRunner.withPropertyValues("scheduler.context-propagation=false").run(context -> {
                Executor executor = context.getBean(Executor.class);
                REQUEST.set("request-1");
                try {
                    assertThat(executor.spawn(REQUEST::get).join()).isNull();
                } finally {
                    REQUEST.remove();
                }
            });
        }
    }

    @Nested
    class SpringSchedulingOnADispatcher {

        @Test
        void actuatorListsTheBridgedJobsWithTheirNextRun() {
            dispatcherRunner.withPropertyValues("scheduler.spring.bridge=true").withUserConfiguration(HourlyJob.class)
                    .run(context -> {
                        Instant now = Instant.now();
                        ScheduledTasksEndpoint endpoint = new ScheduledTasksEndpoint(
                                context.getBeansOfType(ScheduledTaskHolder.class).values());

                        List<ScheduledTasksEndpoint.TaskDescriptor> rate = endpoint.scheduledTasks().getFixedRate();

                        assertThat(rate).singleElement().satisfies(job -> {
                            assertThat(job.getRunnable().getTarget()).isEqualTo(HourlyJob.Job.class.getName() + ".run");
                            assertThat(job.getNextExecution().getTime())
                                    .isBetween(now.plus(Duration.ofMinutes(59)), now.plus(Duration.ofMinutes(61)));
                        });
                    });
        }

        @Test
        void aCleanShutdownWithAPeriodicJobSaysNothingIsLeft(CapturedOutput output) {
            dispatcherRunner.withPropertyValues("scheduler.spring.bridge=true").withUserConfiguration(HourlyJob.class)
                    .run(context -> assertThat(context).hasSingleBean(SchedulerTaskScheduler.class));

            assertThat(output).contains("Scheduler started on the portable dispatcher")
                    .doesNotContain("work left").doesNotContain("pending timer");
        }
    }

    @Nested
    class ConfigurationMetadata {

        @Test
        void everySwitchAnIdeCompletesIsDescribedIncludingTheHealthIndicators() throws Exception {
            String metadata;
            try (var in = getClass().getClassLoader().getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
                metadata = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }

            assertThat(metadata).contains("\"name\": \"management.health.scheduler.enabled\"")
                    .contains("\"name\": \"scheduler.require-carrier\"")
                    .contains("\"name\": \"scheduler.context-propagation\"");
        }
    }

    // ---------------------------------------------------------------- fixtures

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(SchedulerAutoConfiguration.class)
    static class MinimalApplication {
    }

    /** Marks what a decorator set on the thread that runs the task. */
    static final class Marks {

        static final ThreadLocal<String> MARK = new ThreadLocal<>();

        static void around(String mark, Runnable runnable) {
            MARK.set(mark);
            try {
                runnable.run();
            } finally {
                MARK.remove();
            }
        }

        /** Parks once, so that the mark must outlive a park. */
        static String afterAPark(dev.scheduler.AbstractExecutor executor) {
            executor.timer(Duration.ofMillis(1)).join();
            return MARK.get();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class DispatcherCustomizers {

        @Bean
        @Order(2)
        DispatcherOptionsCustomizer second() {
            return options -> options.withThreadNamePrefix(options.threadNamePrefix() + "-second");
        }

        @Bean
        @Order(1)
        DispatcherOptionsCustomizer first() {
            return options -> options.withThreadNamePrefix("orders");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OrderedDecorators {

        static final List<String> seen = Collections.synchronizedList(new ArrayList<>());

        static TaskDecorator recording(String name, List<String> into) {
            return runnable -> () -> {
                into.add(name);
                runnable.run();
            };
        }

        @Bean
        @Order(2)
        TaskDecorator second() {
            return recording("second", seen);
        }

        @Bean
        @Order(1)
        TaskDecorator first() {
            return recording("first", seen);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnExecutor {

        @Bean
        Executor executor(dev.scheduler.Scheduler scheduler) {
            return new Executor(scheduler, "mine");
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableScheduling
    @Import(HourlyJob.Job.class)
    static class HourlyJob {

        static class Job {

            @Scheduled(fixedRate = 1, initialDelay = 1, timeUnit = TimeUnit.HOURS)
            void run() {
            }
        }
    }
}
