package dev.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scheduler.test.TestScheduler;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

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
}
