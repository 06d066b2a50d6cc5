package dev.scheduler.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.scheduler.Executor;
import dev.scheduler.Task;
import dev.scheduler.TaskLabel;
import dev.scheduler.jdk.JdkHooks;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * This module's tests run without the test agent: plain blocking Java that needs it fails with a
 * message that names the switch, instead of hanging on the JDK's wall clock.
 */
class WithoutTheAgentTest {

    @Test
    void theAgentIsReallyAbsentInThisJvm() {
        assertThat(JdkHooks.instrumented()).isFalse();
    }

    @Test
    void preemptionNeedsTheAgentsPointsAndSaysHowToAddIt() {
        TestSchedulerConfig config = TestSchedulerConfig.builder().preemption(Preemption.pct()).build();

        assertThatThrownBy(() -> new TestScheduler(config))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Preemption (PCT (depth 3)) switches tasks at the preemption points the "
                        + "scheduler's test agent puts into the application's classes, and the agent is not there")
                .hasMessageContaining("-javaagent:${dev.scheduler:scheduler-test-agent:jar}");
    }

    @Test
    void virtualClockReadsNeedTheAgentsRewriteAndSayHowToAddIt() {
        TestSchedulerConfig config = TestSchedulerConfig.builder().virtualClockReads(true).build();

        assertThatThrownBy(() -> new TestScheduler(config))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Virtual clock reads make the application's own System.currentTimeMillis()")
                .hasMessageContaining("-javaagent:${dev.scheduler:scheduler-test-agent:jar}");
    }

    @Test
    void aSleepInsideATaskIsReportedAsOnTheJdksClockNamingTheAgent() {
        try (TestScheduler scheduler = new TestScheduler()) {
            Executor executor = scheduler.background();
            Task<Void> sleeper = executor.spawnLabeled(TaskLabel.of("sleeper"), () -> {
                Thread.sleep(Duration.ofHours(1));
                return null;
            });

            assertThatThrownBy(() -> executor.blockOn(sleeper))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Parking forbidden")
                    .hasMessageContaining("parked with a timeout on the JDK's wall clock, because the scheduler's test "
                            + "agent is not loaded")
                    .hasMessageContaining("-javaagent:${dev.scheduler:scheduler-test-agent:jar}");
            sleeper.cancel();
        }
    }

    @Test
    void aMonitorHandedOverByTheJdkFailsTheTestNamingTheAgent() {
        Throwable failure = catchThrowable(() -> TestScheduler.withSeed(0, scheduler -> {
            Executor executor = scheduler.background();
            Object monitor = new Object();
            Task<Void> holder = executor.spawn(() -> {
                synchronized (monitor) {
                    executor.timer(Duration.ofSeconds(1)).join();
                }
            });
            Task<Void> blocked = executor.spawn(() -> {
                executor.timer(Duration.ofMillis(500)).join();
                synchronized (monitor) {
                    return;
                }
            });
            holder.join();
            blocked.join();
        }));

        // Whether the JDK's unblocker delivers before the scheduler gives up or after, the failure
        // (a deadlock report, or non-determinism at the end) names the fix.
        assertThat(failure).isNotNull();
        assertThat(failure).hasStackTraceContaining("scheduler-test-agent");
    }
}
