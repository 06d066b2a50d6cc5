package dev.scheduler.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scheduler.Executor;
import dev.scheduler.Task;
import dev.scheduler.ThreadWaits;
import dev.scheduler.jdk.JdkHooks;
import dev.scheduler.test.TestScheduler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** What the agent sets up, seen from a test JVM started with it and nothing else. */
class SchedulerAgentTest {

    @Nested
    class SettingUp {

        @Test
        void theHooksLiveInTheBootstrapClassLoaderWhereTheJdkCanCallThem() {
            assertThat(JdkHooks.class.getClassLoader()).isNull();
            assertThat(JdkHooks.instrumented()).isTrue();
            assertThat(JdkHooks.instrumentation()).contains("java.util.concurrent.locks.AbstractQueuedSynchronizer");
        }

        @Test
        void theAgentAloneOpensWhatTheSchedulerReadsSoNoFlagIsNeeded() {
            assertThat(ThreadWaits.available()).isTrue();
            assertThat(ThreadWaits.monitorsNamed()).isTrue();
            // Without java.lang open, bodies would run as plain steps and this join would fail.
            try (TestScheduler scheduler = new TestScheduler()) {
                Executor executor = scheduler.background();
                Task<Integer> inner = executor.spawn(() -> 41);
                assertThat(executor.spawn(() -> inner.join() + 1).join()).isEqualTo(42);
            }
        }
    }

    @Nested
    class OtherThreads {

        @Test
        void aPlatformThreadKeepsTheSystemClock() {
            long before = System.nanoTime();
            long hooked = JdkHooks.nanoTime();
            long after = System.nanoTime();

            assertThat(hooked).isBetween(before, after);
        }

        @Test
        void aVirtualThreadThatIsNoTaskSleepsOnTheSystemClock() throws InterruptedException {
            long[] slept = new long[1];
            Thread plain = Thread.ofVirtual().start(() -> {
                long start = System.nanoTime();
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                slept[0] = System.nanoTime() - start;
            });
            plain.join();

            assertThat(slept[0]).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(20)); // it really slept
        }

        @Test
        void insideATaskTheJdksTimedWaitsReadTheSchedulersClock() {
            try (TestScheduler scheduler = new TestScheduler()) {
                scheduler.advanceClock(Duration.ofHours(3));
                Task<Long> seen = scheduler.background().spawn(JdkHooks::nanoTime);

                assertThat(seen.join()).isEqualTo(TestScheduler.NANO_TIME_AT_START + Duration.ofHours(3).toNanos())
                        .isEqualTo(scheduler.nanoTime());
            }
        }
    }
}
