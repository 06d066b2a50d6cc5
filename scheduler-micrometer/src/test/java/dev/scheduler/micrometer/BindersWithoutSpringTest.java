package dev.scheduler.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scheduler.Executor;
import dev.scheduler.ForegroundExecutor;
import dev.scheduler.SessionId;
import dev.scheduler.Task;
import dev.scheduler.cloud.CleanupPolicy;
import dev.scheduler.cloud.SimulatedExecutionContext;
import dev.scheduler.test.TestScheduler;
import dev.scheduler.test.TestSchedulerConfig;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The binders on a plain {@link SimpleMeterRegistry}, with no Spring: an application binds them
 * itself. Timed by a {@link MockClock} that moves only where the test moves it; steps run in spawn
 * order.
 */
class BindersWithoutSpringTest {

    private final MockClock clock = new MockClock();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
    private final TestScheduler scheduler = new TestScheduler(TestSchedulerConfig.builder().randomizeOrder(false).build());

    @Nested
    class AnExecutorsBinder {

        @Test
        @DisplayName("counts outcomes, tracks active tasks and times waiting and running, tagged by executor")
        void countsAndTimesTasks() {
            Executor background = scheduler.background();
            ExecutorMetrics.monitor(registry, background, Tags.of("app", "test"));

            Task<Void> completes = background.spawn(() -> {
                clock.add(Duration.ofSeconds(2));
            });
            Task<Void> fails = background.spawn(() -> {
                throw new IllegalStateException("boom");
            });
            Task<Void> cancelled = background.spawn(() -> { });
            assertThat(gauge("scheduler.tasks.active")).isEqualTo(3);
            clock.add(Duration.ofSeconds(1));
            cancelled.cancel();
            scheduler.runUntilParked();
            assertThatThrownBy(fails::join).isInstanceOf(CompletionException.class);

            assertThat(completes.isDone()).isTrue();
            assertThat(tasks("completed")).isEqualTo(1);
            assertThat(tasks("failed")).isEqualTo(1);
            assertThat(tasks("cancelled")).isEqualTo(1);
            assertThat(gauge("scheduler.tasks.active")).isZero();
            Timer waits = registry.get("scheduler.task.wait").tags("executor", "background", "app", "test").timer();
            assertThat(waits.count()).isEqualTo(2);
            assertThat(waits.totalTime(TimeUnit.SECONDS)).isEqualTo(4);
            Timer runs = registry.get("scheduler.task.run").tags("executor", "background").timer();
            assertThat(runs.totalTime(TimeUnit.SECONDS)).isEqualTo(2);
        }

        @Test
        @DisplayName("binds a foreground executor the same way, under its own name")
        void bindsAForegroundExecutor() {
            ForegroundExecutor ui = scheduler.foreground();
            ExecutorMetrics.monitor(registry, ui, Tags.empty());

            ui.spawn(() -> { });
            scheduler.runUntilParked();

            assertThat(registry.get("scheduler.tasks").tags("executor", "foreground", "outcome", "completed")
                    .functionCounter().count()).isEqualTo(1);
        }

        @Test
        @DisplayName("when closed removes its meters and stops observing")
        void closingRemovesMetersAndObserver() {
            Executor background = scheduler.background();
            ExecutorMetrics metrics = ExecutorMetrics.monitor(registry, background, Tags.empty());
            assertThat(schedulerMeters()).hasSize(6);

            metrics.close();
            background.spawn(() -> { });
            scheduler.runUntilParked();

            assertThat(schedulerMeters()).isEmpty();
        }
    }

    @Nested
    class AQueueBinder {

        @Test
        @DisplayName("shows the steps waiting in each queue of the scheduler")
        void showsQueueDepths() {
            SchedulerQueueMetrics.monitor(registry, scheduler, Tags.empty());

            scheduler.background().spawn(() -> { });
            scheduler.foreground().spawn(() -> { });
            scheduler.background().timer(Duration.ofHours(1));

            assertThat(gauge("scheduler.queue.depth", "queue", "background")).isEqualTo(1);
            assertThat(gauge("scheduler.queue.depth", "queue", "foreground")).isEqualTo(1);
            assertThat(gauge("scheduler.queue.depth", "queue", "timers")).isEqualTo(1);
            assertThat(gauge("scheduler.queue.depth", "queue", "deprioritized")).isZero();
        }
    }

    @Nested
    class ASessionBinder {

        @Test
        @DisplayName("shows active sessions and their tasks, and counts cleanup failures")
        void showsSessions() {
            SimulatedExecutionContext platform = new SimulatedExecutionContext(scheduler.foreground(), CleanupPolicy.REPORT);
            SessionMetrics.monitor(registry, platform, Tags.empty());
            Executor background = scheduler.background();

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
            platform.endSession(request);
            assertThat(registry.get("scheduler.sessions.cleanup.failures").functionCounter().count()).isEqualTo(1);
            scheduler.advanceClock(Duration.ofHours(2));
        }
    }

    @Test
    @DisplayName("every meter has a description and, but for timers, a unit")
    void everyMeterIsDescribed() {
        ExecutorMetrics.monitor(registry, scheduler.background(), Tags.empty());
        SchedulerQueueMetrics.monitor(registry, scheduler, Tags.empty());
        SessionMetrics.monitor(registry, new SimulatedExecutionContext(scheduler), Tags.empty());

        assertThat(schedulerMeters()).hasSize(6 + 4 + 5).allSatisfy(meter -> {
            assertThat(meter.getId().getDescription()).as(meter.getId().toString()).endsWith(".");
            if (!(meter instanceof Timer)) {
                assertThat(meter.getId().getBaseUnit()).as(meter.getId().toString()).isNotBlank();
            }
        });
    }

    private List<Meter> schedulerMeters() {
        return registry.getMeters().stream().filter(meter -> meter.getId().getName().startsWith("scheduler.")).toList();
    }

    private double gauge(String name, String... tags) {
        return registry.get(name).tags(tags).gauge().value();
    }

    private double tasks(String outcome) {
        return registry.get("scheduler.tasks").tags("executor", "background", "outcome", outcome).functionCounter().count();
    }
}
