package dev.scheduler.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scheduler.Executor;
import dev.scheduler.ForegroundExecutor;
import dev.scheduler.SessionId;
import dev.scheduler.Task;
import dev.scheduler.cloud.SessionCleanupException;
import dev.scheduler.cloud.SimulatedExecutionContext;
import dev.scheduler.test.TestScheduler;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The meters' values after a known workload on the TestScheduler, timed by a {@link MockClock}
 * that moves only where the test moves it: steps run in spawn order (randomize-order=false).
 */
class SchedulerMetricsTests {

    private final MockClock clock = new MockClock();

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SchedulerAutoConfiguration.class, MetricsAutoConfiguration.class,
                    SchedulerMetricsAutoConfiguration.class))
            .withPropertyValues("spring.profiles.active=test", "scheduler.test.randomize-order=false")
            .withBean(MeterRegistry.class, () -> registry);

    @Test
    @DisplayName("Task meters count outcomes per executor and time waiting and running")
    void taskMetersAfterAKnownWorkload() {
        contextRunner.run(context -> {
            TestScheduler scheduler = context.getBean(TestScheduler.class);
            Executor background = context.getBean(Executor.class);
            ForegroundExecutor foreground = context.getBean(ForegroundExecutor.class);

            Task<Void> completes = background.spawn(() -> {
                clock.add(Duration.ofSeconds(2));
            });
            Task<Void> fails = background.spawn(() -> {
                throw new IllegalStateException("boom");
            });
            Task<Void> cancelled = background.spawn(() -> {
            });
            Task<Void> onTheUiThread = foreground.spawn(() -> {
            });
            assertThat(gauge("scheduler.queue.depth", "queue", "background")).isEqualTo(3);
            assertThat(gauge("scheduler.queue.depth", "queue", "foreground")).isEqualTo(1);
            assertThat(gauge("scheduler.tasks.active", "executor", "background")).isEqualTo(3);

            clock.add(Duration.ofSeconds(1));
            cancelled.cancel();
            scheduler.runUntilParked();
            assertThatThrownBy(fails::join).isInstanceOf(CompletionException.class);

            assertThat(completes.isDone() && onTheUiThread.isDone()).isTrue();
            assertThat(tasks("background", "completed")).isEqualTo(1);
            assertThat(tasks("background", "failed")).isEqualTo(1);
            assertThat(tasks("background", "cancelled")).isEqualTo(1);
            assertThat(tasks("foreground", "completed")).isEqualTo(1);
            assertThat(gauge("scheduler.tasks.active", "executor", "background")).isZero();
            assertThat(gauge("scheduler.queue.depth", "queue", "background")).isZero();

            // In spawn order: the first waited 1s and ran 2s, the second waited those 3s and ran 0s;
            // the cancelled one never started.
            Timer waits = registry.get("scheduler.task.wait").tag("executor", "background").timer();
            assertThat(waits.count()).isEqualTo(2);
            assertThat(waits.totalTime(TimeUnit.SECONDS)).isEqualTo(4);
            assertThat(waits.max(TimeUnit.SECONDS)).isEqualTo(3);
            Timer runs = registry.get("scheduler.task.run").tag("executor", "background").timer();
            assertThat(runs.count()).isEqualTo(2);
            assertThat(runs.totalTime(TimeUnit.SECONDS)).isEqualTo(2);

            background.timer(Duration.ofHours(1));
            assertThat(gauge("scheduler.queue.depth", "queue", "timers")).isEqualTo(1);
        });
    }

    @Test
    @DisplayName("Session meters show running, waitUntil and unauthorized tasks and count cleanup failures")
    void sessionMetersAfterAKnownWorkload() {
        contextRunner.run(context -> {
            TestScheduler scheduler = context.getBean(TestScheduler.class);
            Executor background = context.getBean(Executor.class);
            SimulatedExecutionContext platform = context.getBean(SimulatedExecutionContext.class);

            SessionId request = platform.createSession();
            platform.withSession(request, () -> {
                background.spawn(() -> background.timer(Duration.ofHours(1)).join());
                platform.waitUntil(() -> background.timer(Duration.ofHours(2)).join());
            });
            scheduler.runUntilParked();

            assertThat(gauge("scheduler.sessions.active")).isEqualTo(1);
            assertThat(gauge("scheduler.sessions.tasks", "state", "running")).isEqualTo(2);
            assertThat(gauge("scheduler.sessions.tasks", "state", "wait-until")).isEqualTo(1);
            assertThat(gauge("scheduler.sessions.tasks", "state", "unauthorized")).isEqualTo(1);
            assertThat(registry.get("scheduler.sessions.cleanup.failures").functionCounter().count()).isZero();

            assertThatThrownBy(() -> platform.validateSessionCleanup(request)).isInstanceOf(SessionCleanupException.class);
            assertThat(registry.get("scheduler.sessions.cleanup.failures").functionCounter().count()).isEqualTo(1);

            scheduler.advanceClock(Duration.ofHours(2));
            platform.endSession(request);
            assertThat(gauge("scheduler.sessions.active")).isZero();
        });
    }

    @Test
    @DisplayName("Every meter has a description and a unit, and closing the context removes them")
    void metersAreDescribedAndRemovedOnClose() {
        contextRunner.run(context -> {
            assertThat(schedulerMeters()).hasSize(4 + 2 * (3 + 1 + 2) + 1 + 3 + 1);
            for (Meter meter : schedulerMeters()) {
                assertThat(meter.getId().getDescription()).as(meter.getId().toString()).endsWith(".");
                if (!(meter instanceof Timer)) {
                    assertThat(meter.getId().getBaseUnit()).as(meter.getId().toString()).isNotBlank();
                }
            }
        });
        assertThat(schedulerMeters()).isEmpty();
    }

    private java.util.List<Meter> schedulerMeters() {
        return registry.getMeters().stream().filter(meter -> meter.getId().getName().startsWith("scheduler.")).toList();
    }

    private double gauge(String name, String... tags) {
        return registry.get(name).tags(tags).gauge().value();
    }

    private double tasks(String executor, String outcome) {
        return registry.get("scheduler.tasks").tags("executor", executor, "outcome", outcome).functionCounter().count();
    }
}
