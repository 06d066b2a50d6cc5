package dev.scheduler.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** One seeded run's lifecycle, as every way of running seeded tests shares it. */
class SeedRunTest {

    @Nested
    class TheEndOfARun {

        @Test
        void addsWhatEndTestFindsToWhatTheTestThrew() {
            SeedRun run = SeedRun.fresh(TestSchedulerConfig.withSeed(3));
            run.scheduler().background().spawn(() -> {
                throw new IllegalStateException("unobserved");
            });
            IllegalStateException thrown = new IllegalStateException("the test's own failure");

            Throwable outcome = run.end(thrown);

            assertThat(outcome).isSameAs(thrown);
            assertThat(outcome.getSuppressed()).singleElement().asString().contains("1 task failed and nobody joined");
        }

        @Test
        void isWhatEndTestFindsWhenTheTestPassed() {
            SeedRun run = SeedRun.fresh(TestSchedulerConfig.withSeed(3));
            run.scheduler().background().spawn(() -> {
                throw new IllegalStateException("unobserved");
            });

            assertThat(run.end(null)).isInstanceOf(AssertionError.class).hasMessageContaining("(seed 3)");
        }

        @Test
        void isNothingForACleanRunAndClosesAFreshScheduler() {
            SeedRun run = SeedRun.fresh(TestSchedulerConfig.withSeed(3));
            run.scheduler().background().spawn(() -> 1).join();

            assertThat(run.end(null)).isNull();
            assertThatThrownBy(() -> run.scheduler().background().spawn(() -> 2))
                    .isInstanceOf(RejectedExecutionException.class).hasMessageContaining("is closed");
        }

        @Test
        void leavesASharedSchedulerOpenAndReseeded() {
            TestScheduler shared = new TestScheduler();
            SeedRun run = SeedRun.reseeded(shared, 9);

            assertThat(run.seed()).isEqualTo(9);
            assertThat(shared.config().seed()).as("config() tells the truth").isEqualTo(9);
            assertThat(run.end(null)).isNull();
            assertThat(shared.background().spawn(() -> "still open").join()).isEqualTo("still open");
        }
    }

    @Nested
    class TheVerdict {

        @Test
        void namesTheFailingSeedAndTheCommandThatReplaysIt() {
            IllegalStateException failure = new IllegalStateException("boom");

            Throwable verdict = SeedRun.verdict(17, failure, "com.example.CacheTest", "neverStale");

            assertThat(verdict).isInstanceOf(AssertionError.class).hasCause(failure)
                    .hasMessageStartingWith("Failing seed: 17" + System.lineSeparator() + "Replay it with: SEED=17 ")
                    .hasMessageContaining("-Dtest='CacheTest#neverStale'");
        }

        @Test
        void letsAFailedAssumptionThroughAsItIs() {
            TestAbortedException skipped = new TestAbortedException("not on this machine");

            assertThat(SeedRun.verdict(17, skipped, null, null)).isSameAs(skipped);
        }
    }
}
