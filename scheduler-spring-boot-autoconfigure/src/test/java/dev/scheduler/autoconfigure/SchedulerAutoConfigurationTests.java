package dev.scheduler.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scheduler.Executor;
import dev.scheduler.ForegroundExecutor;
import dev.scheduler.Scheduler;
import dev.scheduler.SessionId;
import dev.scheduler.TaskLabel;
import dev.scheduler.cloud.CleanupPolicy;
import dev.scheduler.cloud.SimulatedExecutionContext;
import dev.scheduler.dispatch.Dispatcher;
import dev.scheduler.dispatch.DispatcherOptions;
import dev.scheduler.dispatch.LinuxDispatcher;
import dev.scheduler.dispatch.PortableDispatcher;
import dev.scheduler.dispatch.WindowsDispatcher;
import dev.scheduler.test.TestScheduler;
import dev.scheduler.test.TestSchedulerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * Every condition of the auto-configurations, on a context started by the test's own thread, which
 * therefore owns the TestScheduler the test profile brings.
 */
class SchedulerAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SchedulerAutoConfiguration.class,
                    SchedulerTaskBridgeAutoConfiguration.class, TaskExecutionAutoConfiguration.class,
                    TaskSchedulingAutoConfiguration.class, SchedulerMetricsAutoConfiguration.class,
                    SchedulerEndpointAutoConfiguration.class, EndpointAutoConfiguration.class,
                    SchedulerHealthContributorAutoConfiguration.class));

    private final ApplicationContextRunner testRunner = contextRunner.withPropertyValues("spring.profiles.active=test");

    // ---------------------------------------------------------------- the TestScheduler

    @Test
    void schedulerWhenTestProfileIsActiveShouldBeATestSchedulerBehindEveryBean() {
        testRunner.run(context -> {
            assertThat(context).hasSingleBean(TestScheduler.class);
            TestScheduler scheduler = context.getBean(TestScheduler.class);
            assertThat(scheduler.thread()).isSameAs(Thread.currentThread());
            assertThat(context.getBean(Executor.class).scheduler()).isSameAs(scheduler);
            ForegroundExecutor foreground = context.getBean(ForegroundExecutor.class);
            assertThat(foreground.scheduler()).isSameAs(scheduler);
            assertThat(foreground.thread()).isSameAs(scheduler.thread());
            assertThat(context.getBean(SimulatedExecutionContext.class).foreground()).isSameAs(foreground);
            assertThat(context.getBean(SimulatedExecutionContext.class).cleanupPolicy()).isEqualTo(CleanupPolicy.FAIL);
            assertThat(context.getBean(Clock.class).instant()).isEqualTo(TestScheduler.START);
        });
    }

    @Test
    void schedulerWhenTestEnabledPropertyIsTrueShouldBeATestSchedulerWithoutTheProfile() {
        contextRunner.withPropertyValues("scheduler.test.enabled=true")
                .run(context -> assertThat(context).hasSingleBean(TestScheduler.class));
    }

    @Test
    void schedulerWhenTheConfiguredTestProfileIsActiveShouldBeATestScheduler() {
        contextRunner.withPropertyValues("scheduler.test.profile=simulation", "spring.profiles.active=simulation")
                .run(context -> assertThat(context).hasSingleBean(TestScheduler.class));
    }

    @Test
    void testSchedulerShouldBeConfiguredByTheTestProperties() {
        testRunner.withPropertyValues("scheduler.test.seed=42", "scheduler.test.randomize-order=false",
                        "scheduler.test.allow-parking=true", "scheduler.test.timeout-ticks.min=5",
                        "scheduler.test.timeout-ticks.max=7")
                .run(context -> {
                    TestScheduler scheduler = context.getBean(TestScheduler.class);
                    assertThat(scheduler.seed()).isEqualTo(42);
                    assertThat(scheduler.config()).isEqualTo(TestSchedulerConfig.builder().seed(42)
                            .randomizeOrder(false).allowParking(true).timeoutTicks(5, 7).build());
                });
    }

    @Test
    void testSchedulerPreemptionAndClockReadsShouldBeSetByTheirProperties() {
        SchedulerProperties.Test test = new SchedulerProperties.Test(false, "test", 0, true, false,
                new SchedulerProperties.TimeoutTicks(0, 1000),
                new SchedulerProperties.Preemption(dev.scheduler.test.Preemption.Strategy.PCT, 2, true), true, false);
        assertThat(test.toConfig(0).preemption()).isEqualTo(dev.scheduler.test.Preemption.pct(2).thoroughly());
        assertThat(test.toConfig(0).virtualClockReads()).isTrue();
        assertThat(test.toConfig(0).adoptThreads()).isFalse();
        // This module's tests run with the agent, which puts the preemption points in.
        testRunner.withPropertyValues("scheduler.test.preemption.strategy=random", "scheduler.test.virtual-clock-reads=true")
                .run(context -> {
                    TestSchedulerConfig config = context.getBean(TestScheduler.class).config();
                    assertThat(config.preemption()).isEqualTo(dev.scheduler.test.Preemption.random());
                    assertThat(config.virtualClockReads()).isTrue();
                    assertThat(config.adoptThreads()).isTrue();
                });
    }

    @Test
    void testSchedulerSeedWhenTheSeedPropertyIsSetShouldReplayThatSeed() {
        System.setProperty("scheduler.seed", "17");
        try {
            testRunner.withPropertyValues("scheduler.test.seed=42")
                    .run(context -> assertThat(context.getBean(TestScheduler.class).seed()).isEqualTo(17));
        } finally {
            System.clearProperty("scheduler.seed");
        }
    }

    @Test
    void sessionCleanupPolicyShouldComeFromTheProperty() {
        testRunner.withPropertyValues("scheduler.sessions.cleanup-policy=cancel")
                .run(context -> assertThat(context.getBean(SimulatedExecutionContext.class).cleanupPolicy())
                        .isEqualTo(CleanupPolicy.CANCEL));
    }

    // ---------------------------------------------------------------- the production dispatcher

    @Test
    @EnabledOnOs(OS.LINUX)
    void schedulerWhenNotTestingShouldBeTheDispatcherForTheOperatingSystemBehindEveryBean() {
        contextRunner.run(context -> {
            assertThat(context).hasSingleBean(Scheduler.class).hasSingleBean(LinuxDispatcher.class)
                    .doesNotHaveBean(TestScheduler.class).hasSingleBean(SchedulerLifecycle.class);
            Dispatcher dispatcher = context.getBean(Dispatcher.class);
            assertThat(context.getBean(Executor.class).scheduler()).isSameAs(dispatcher);
            ForegroundExecutor foreground = context.getBean(ForegroundExecutor.class);
            assertThat(foreground.thread()).isSameAs(dispatcher.mainThread().orElseThrow());
            assertThat(foreground.thread().getName()).isEqualTo("scheduler-main");
            Executor executor = context.getBean(Executor.class);
            assertThat(executor.blockOn(executor.spawn(() -> "ran on " + Thread.currentThread().isVirtual())))
                    .isEqualTo("ran on true");
            assertThat(((LinuxDispatcher) dispatcher).options().backgroundThreads())
                    .isEqualTo(DispatcherOptions.defaults().backgroundThreads());
        });
    }

    @Test
    void dispatcherWhenAutoShouldFollowTheOperatingSystemProbe() {
        contextRunner.withBean(OperatingSystemProbe.class, () -> () -> "FreeBSD")
                .run(context -> assertThat(context).getBean(Scheduler.class).isInstanceOf(PortableDispatcher.class));
        contextRunner.withBean(OperatingSystemProbe.class, () -> () -> "Windows 11").run(context -> {
            Scheduler scheduler = context.getBean(Scheduler.class);
            assertThat(scheduler).isInstanceOf(System.getProperty("os.name").startsWith("Windows")
                    ? WindowsDispatcher.class : PortableDispatcher.class);
        });
    }

    @Test
    void dispatcherWhenChosenByPropertyShouldBeThatOneWithTheConfiguredThreadsAndTimeout() {
        contextRunner.withPropertyValues("scheduler.dispatcher=portable", "scheduler.background-threads=3",
                "scheduler.shutdown.await-termination=2s").run(context -> {
                    PortableDispatcher dispatcher = context.getBean(PortableDispatcher.class);
                    assertThat(dispatcher.options().backgroundThreads()).isEqualTo(3);
                    assertThat(dispatcher.options().shutdownTimeout()).isEqualTo(Duration.ofSeconds(2));
                });
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void dispatcherWhenChosenByPropertyButUnableToRunHereShouldFailNamingThePropertyAndWhy() {
        contextRunner.withPropertyValues("scheduler.dispatcher=mac").run(context -> assertThat(context).hasFailed()
                .getFailure().rootCause().hasMessageContaining("the operating system is Linux, not macOS"));
        contextRunner.withPropertyValues("scheduler.dispatcher=mac").run(context -> assertThat(context).getFailure()
                .hasStackTraceContaining("scheduler.dispatcher=mac cannot run here"));
    }

    @Test
    void dispatcherShouldStopWithTheContext() {
        AtomicReference<Dispatcher> dispatcher = new AtomicReference<>();
        contextRunner.withPropertyValues("scheduler.dispatcher=portable").run(context -> {
            dispatcher.set(context.getBean(Dispatcher.class));
            assertThat(dispatcher.get().isShutdown()).isFalse();
        });

        assertThat(dispatcher.get().isTerminated()).isTrue();
        Executor afterwards = new Executor(dispatcher.get());
        assertThatThrownBy(() -> afterwards.spawn(() -> 1)).isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("The portable dispatcher is closed");
    }

    @Test
    void dispatcherWhenUserDefinesOneShouldBackOffAndStillStopWithTheContext() {
        PortableDispatcher mine = new PortableDispatcher(DispatcherOptions.defaults().withThreadNamePrefix("mine"));
        contextRunner.withBean("myDispatcher", Dispatcher.class, () -> mine).run(context -> {
            assertThat(context).getBean(Scheduler.class).isSameAs(mine);
            assertThat(context).hasSingleBean(SchedulerLifecycle.class);
            assertThat(context.getBean(ForegroundExecutor.class).thread().getName()).isEqualTo("mine-main");
        });

        assertThat(mine.isTerminated()).isTrue();
    }

    // ---------------------------------------------------------------- user beans win

    @Test
    void schedulerWhenUserDefinesOneShouldBackOff() {
        testRunner.withUserConfiguration(UserScheduler.class).run(context -> {
            assertThat(context).hasSingleBean(Scheduler.class);
            assertThat(context.getBean(Executor.class).scheduler()).isSameAs(context.getBean("userScheduler"));
        });
    }

    @Test
    void executorWhenUserDefinesOneShouldBackOff() {
        testRunner.withBean("userExecutor", Executor.class, () -> new Executor(new TestScheduler(), "mine"))
                .run(context -> assertThat(context).getBean(Executor.class).extracting(Executor::name).isEqualTo("mine"));
    }

    @Test
    void foregroundExecutorWhenUserDefinesOneShouldBackOff() {
        ForegroundExecutor mine = new ForegroundExecutor(new TestScheduler());
        testRunner.withBean("userForeground", ForegroundExecutor.class, () -> mine).run(context -> {
            assertThat(context).getBean(ForegroundExecutor.class).isSameAs(mine);
            assertThat(context.getBean(SimulatedExecutionContext.class).foreground()).isSameAs(mine);
        });
    }

    @Test
    void simulatedExecutionContextWhenUserDefinesOneShouldBackOff() {
        testRunner.withBean("userContext", SimulatedExecutionContext.class,
                        () -> new SimulatedExecutionContext(new TestScheduler()))
                .run(context -> assertThat(context).hasSingleBean(SimulatedExecutionContext.class)
                        .hasBean("userContext"));
    }

    @Test
    void clockWhenApplicationHasOneShouldBackOff() {
        Clock fixed = Clock.fixed(Instant.EPOCH, ZoneOffset.UTC);
        testRunner.withBean("userClock", Clock.class, () -> fixed).run(context -> {
            assertThat(context).getBean(Clock.class).isSameAs(fixed);
            assertThat(context).doesNotHaveBean(SchedulerClock.class);
        });
    }

    @Test
    void foregroundExecutorWhenSchedulerHasNoKnownMainThreadShouldFailNamingTheFix() {
        contextRunner.withBean("userScheduler", Scheduler.class, ManualScheduler::new).run(context -> assertThat(context)
                .hasFailed().getFailure().rootCause()
                .hasMessageContaining("Cannot tell which thread a ForegroundExecutor on " + ManualScheduler.class.getName())
                .hasMessageContaining("Define a ForegroundExecutor bean yourself"));
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void propertiesWhenOutOfRangeShouldFailNamingTheProperty() {
        testRunner.withPropertyValues("scheduler.shutdown.await-termination=-1s")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("scheduler.shutdown.await-termination must be zero or positive"));
        testRunner.withPropertyValues("scheduler.test.timeout-ticks.min=9", "scheduler.test.timeout-ticks.max=3")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("scheduler.test.timeout-ticks must satisfy 0 <= min <= max, were min=9, max=3"));
        testRunner.withPropertyValues("scheduler.test.preemption.depth=0")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("scheduler.test.preemption.depth must be at least 1, was 0"));
        testRunner.withPropertyValues("scheduler.test.preemption.thorough=true")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("scheduler.test.preemption.thorough=true needs scheduler.test.preemption"
                                + ".strategy to be random or pct, was off"));
        testRunner.withPropertyValues("scheduler.health.stall-threshold=0s")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("scheduler.health.stall-threshold must be positive"));
        testRunner.withPropertyValues("scheduler.background-threads=0")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("scheduler.background-threads must be at least 1, was 0"));
    }

    // ---------------------------------------------------------------- Spring's scheduling

    @Test
    void springSchedulingWhenBridgeIsOffShouldKeepSpringBootsDefaults() {
        testRunner.withUserConfiguration(SchedulingEnabled.class).run(context -> {
            assertThat(context).getBean("taskScheduler").isInstanceOf(ThreadPoolTaskScheduler.class);
            assertThat(context).getBean("applicationTaskExecutor").isInstanceOf(ThreadPoolTaskExecutor.class);
            assertThat(context).doesNotHaveBean(SchedulerTaskScheduler.class).doesNotHaveBean(SchedulerTaskExecutor.class);
            assertThat(context).hasSingleBean(Executor.class);
        });
    }

    @Test
    void springSchedulingWhenBridgeIsOnShouldRunOnTheScheduler() {
        testRunner.withUserConfiguration(SchedulingEnabled.class).withPropertyValues("scheduler.spring.bridge=true")
                .run(context -> {
                    assertThat(context).hasSingleBean(TaskScheduler.class).hasSingleBean(AsyncTaskExecutor.class);
                    SchedulerTaskScheduler taskScheduler = context.getBean(SchedulerTaskScheduler.class);
                    assertThat(context.getBean("taskScheduler")).isSameAs(taskScheduler);
                    assertThat(taskScheduler.getClock()).isSameAs(context.getBean(SchedulerClock.class));
                    SchedulerTaskExecutor taskExecutor = context.getBean(SchedulerTaskExecutor.class);
                    assertThat(context.getBean("applicationTaskExecutor")).isSameAs(taskExecutor);
                    assertThat(context.getBean("taskExecutor")).isSameAs(taskExecutor);
                    assertThat(taskExecutor.executor()).isSameAs(context.getBean(Executor.class));
                });
    }

    @Test
    void taskSchedulerWhenUserDefinesOneShouldBackOffEvenWithTheBridge() {
        ThreadPoolTaskScheduler mine = new ThreadPoolTaskScheduler();
        testRunner.withPropertyValues("scheduler.spring.bridge=true")
                .withBean("myTaskScheduler", TaskScheduler.class, () -> mine)
                .run(context -> {
                    assertThat(context).getBean(TaskScheduler.class).isSameAs(mine);
                    assertThat(context).hasSingleBean(SchedulerTaskExecutor.class);
                });
    }

    // ---------------------------------------------------------------- metrics, endpoint, health

    @Test
    void metricsWhenMicrometerIsAbsentShouldBackOff() {
        testRunner.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(SchedulerMetrics.class));
    }

    @Test
    void metricsWhenThereIsARegistryShouldBindSchedulerMeters() {
        testRunner.run(context -> assertThat(context).doesNotHaveBean(SchedulerMetrics.class));
        testRunner.withBean(MeterRegistry.class, SimpleMeterRegistry::new).run(context -> {
            assertThat(context).hasSingleBean(SchedulerMetrics.class);
        });
    }

    @Test
    void endpointWhenExposedShouldBeAvailable() {
        testRunner.run(context -> assertThat(context).doesNotHaveBean(SchedulerEndpoint.class));
        testRunner.withPropertyValues("management.endpoints.web.exposure.include=scheduler")
                .run(context -> assertThat(context).hasSingleBean(SchedulerEndpoint.class));
    }

    @Test
    void endpointShouldShowTheDispatcherItsQueuesAndASessionsLiveTasks() {
        testRunner.withPropertyValues("management.endpoints.web.exposure.include=scheduler").run(context -> {
            TestScheduler scheduler = context.getBean(TestScheduler.class);
            Executor background = context.getBean(Executor.class);
            SimulatedExecutionContext platform = context.getBean(SimulatedExecutionContext.class);
            SessionId request = platform.createSession();
            platform.withSession(request, () -> {
                background.spawnLabeled(TaskLabel.of("warm-cache"), () -> background.timer(Duration.ofHours(1)).join());
                platform.waitUntil(() -> background.timer(Duration.ofHours(2)).join());
            });
            scheduler.runUntilParked();
            SchedulerEndpoint endpoint = context.getBean(SchedulerEndpoint.class);

            SchedulerEndpoint.SchedulerDescriptor described = endpoint.scheduler();
            assertThat(described.dispatcher()).isEqualTo(TestScheduler.class.getName());
            assertThat(described.now()).isEqualTo(TestScheduler.START);
            assertThat(described.queues().timers()).isEqualTo(2);
            assertThat(described.sessions()).containsExactly(
                    new SchedulerEndpoint.SessionDescriptor(request.toString(), 2, 1, 1, 0, false));

            SchedulerEndpoint.SessionTasksDescriptor tasks = endpoint.session(request.toString());
            assertThat(tasks.id()).isEqualTo(request.toString());
            assertThat(tasks.tasks()).hasSize(2);
            SchedulerEndpoint.TaskDescriptor leak = tasks.tasks().getFirst();
            assertThat(leak.label()).isEqualTo("warm-cache");
            assertThat(leak.state()).isEqualTo("parked");
            assertThat(leak.waitUntil()).isFalse();
            assertThat(leak.spawnSite()).startsWith(SchedulerAutoConfigurationTests.class.getName() + ".lambda$");
            assertThat(leak.parkedAt()).anyMatch(frame -> frame.startsWith("dev.scheduler.Task.join"));
            assertThat(tasks.tasks().get(1).waitUntil()).isTrue();
            assertThat(endpoint.session(String.valueOf(request.value()))).isEqualTo(tasks);
            assertThat(endpoint.session("session-" + (request.value() + 1000))).isNull();
            assertThat(endpoint.session("not-a-session")).isNull();

            scheduler.advanceClock(Duration.ofHours(2));
            assertThat(endpoint.session(request.toString()).tasks()).isEmpty();
        });
    }

    @Test
    void endpointOverHttpShouldAnswerASessionThatIsNotActiveWithA404ThatSaysSo() {
        testRunner.withPropertyValues("management.endpoints.web.exposure.include=scheduler").run(context -> {
            SchedulerEndpointWebExtension web = context.getBean(SchedulerEndpointWebExtension.class);

            WebEndpointResponse<Object> unknown = web.session("session-424242");

            assertThat(unknown.getStatus()).isEqualTo(404);
            assertThat(unknown.getBody()).isEqualTo(java.util.Map.of("error", "Not Found", "message",
                    "No active session 'session-424242'. Active sessions are listed at /actuator/scheduler; ended "
                            + "sessions are not kept."));

            SimulatedExecutionContext platform = context.getBean(SimulatedExecutionContext.class);
            SessionId request = platform.createSession();
            WebEndpointResponse<Object> active = web.session(request.toString());
            assertThat(active.getStatus()).isEqualTo(200);
            assertThat(active.getBody()).isEqualTo(context.getBean(SchedulerEndpoint.class).session(request.toString()));
            platform.endSession(request);
        });
    }

    @Test
    void healthIndicatorShouldBeOnUnlessDisabled() {
        testRunner.run(context -> assertThat(context).hasSingleBean(SchedulerHealthIndicator.class));
        testRunner.withPropertyValues("management.health.scheduler.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(SchedulerHealthIndicator.class));
    }

    // ---------------------------------------------------------------- fixtures

    @Configuration(proxyBeanMethods = false)
    static class UserScheduler {

        @org.springframework.context.annotation.Bean
        TestScheduler userScheduler() {
            return new TestScheduler();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableScheduling
    static class SchedulingEnabled {
    }
}
