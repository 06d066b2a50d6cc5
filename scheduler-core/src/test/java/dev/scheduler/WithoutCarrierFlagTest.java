package dev.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.scheduler.test.TestScheduler;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import dev.scheduler.test.junit.SchedulerTest;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Runs in its own Surefire execution without {@code --add-opens java.base/java.lang=ALL-UNNAMED}:
 * the library must still work, and say exactly what to fix where it cannot.
 */
class WithoutCarrierFlagTest {

    @Test
    void theFlagIsReallyAbsentInThisJvm() {
        assertThat(TaskThreads.available()).isFalse();
    }

    @Test
    void bodiesRunToCompletionAsPlainSteps() throws Exception {
        TestScheduler.many(10, scheduler -> {
            Executor executor = scheduler.background();
            Task<Boolean> onVirtualThread = executor.spawn(() -> Thread.currentThread().isVirtual());
            Task<Integer> sum = executor.spawn(() -> 40 + 2);

            assertThat(onVirtualThread.join()).isFalse();
            assertThat(sum.join()).isEqualTo(42);
        });
    }

    @Test
    void theTestThreadStillDrivesTimersAndBlockOn() {
        try (TestScheduler scheduler = new TestScheduler()) {
            Executor executor = scheduler.background();

            executor.blockOn(executor.timer(Duration.ofMinutes(5)));

            assertThat(scheduler.now()).isEqualTo(TestScheduler.START.plus(Duration.ofMinutes(5)));
        }
    }

    @Test
    void waitingForFinishedWorkInsideABodyNeedsNoCarrier() {
        try (TestScheduler scheduler = new TestScheduler()) {
            Executor executor = scheduler.background();

            assertThat(executor.spawn(() -> Task.ready(1).join() + 1).join()).isEqualTo(2);
        }
    }

    @Test
    void waitingForUnfinishedWorkInsideABodyFailsAtOnceNamingTheFlagAndWhereToSetIt() {
        try (TestScheduler scheduler = new TestScheduler()) {
            Executor executor = scheduler.background();
            Task<Void> waits = executor.spawn(() -> executor.timer(Duration.ofSeconds(1)).join());

            assertThatThrownBy(waits::join)
                    .isInstanceOf(CompletionException.class)
                    .cause()
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Start the JVM with --add-opens java.base/java.lang=ALL-UNNAMED")
                    .hasMessageContaining("Surefire or Failsafe <argLine>")
                    .hasMessageContaining("spring-boot:run in <jvmArguments>")
                    .hasMessageContaining("'Add-Opens: java.base/java.lang'");
            scheduler.advanceClock(Duration.ofSeconds(1));
        }
    }

    @Test
    void aSchedulerTestFailsAtOnceNamingTheFlagAndTheOptOutInsteadOfRunningItsSeeds() {
        ParkingSeeds.runs = 0;

        EngineExecutionResults results = run(ParkingSeeds.class);

        assertThat(ParkingSeeds.runs).as("seeds run").isZero();
        assertThat(results.allEvents().failed().stream()
                .map(event -> event.getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow())
                .map(result -> result.getThrowable().orElseThrow().getMessage()))
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .startsWith("@SchedulerTest parks runs task bodies that may park")
                .contains("Start the JVM with --add-opens java.base/java.lang=ALL-UNNAMED")
                .contains("-Dscheduler.require-carrier=false");
    }

    @Test
    void withTheOptOutASchedulerTestRunsItsSeedsAsPlainSteps() {
        ParkingSeeds.runs = 0;
        System.setProperty(TaskThreads.REQUIRE_PROPERTY, "false");
        try {
            EngineExecutionResults results = run(ParkingSeeds.class);

            // As many as SEED and ITERATIONS leave of the three, so that a replay command elsewhere in the build passes here.
            long seeds = dev.scheduler.test.Seeds.resolve(0, 3).stream().count();
            results.testEvents().assertStatistics(stats -> stats.started(seeds).succeeded(seeds));
            assertThat(ParkingSeeds.runs).isEqualTo(seeds);
        } finally {
            System.clearProperty(TaskThreads.REQUIRE_PROPERTY);
        }
    }

    @Test
    void anOptOutThatIsNeitherTrueNorFalseIsRefusedNamingTheProperty() {
        System.setProperty(TaskThreads.REQUIRE_PROPERTY, "sometimes");
        try {
            EngineExecutionResults results = run(ParkingSeeds.class);

            assertThat(results.allEvents().failed().stream()
                    .map(event -> event.getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow())
                    .map(result -> result.getThrowable().orElseThrow().getMessage()))
                    .containsExactly("-Dscheduler.require-carrier must be true or false, was 'sometimes'");
        } finally {
            System.clearProperty(TaskThreads.REQUIRE_PROPERTY);
        }
    }

    private static EngineExecutionResults run(Class<?> testClass) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(testClass)).execute();
    }

    /** Run only through the engine test kit above. */
    static class ParkingSeeds {
        static int runs;

        @SchedulerTest(iterations = 3)
        void parks(TestScheduler scheduler) {
            runs++;
            assertThat(scheduler.background().spawn(() -> 1).join()).isEqualTo(1);
        }
    }
}
