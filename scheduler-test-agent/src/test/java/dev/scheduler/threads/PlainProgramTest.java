package dev.scheduler.threads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.scheduler.test.Preemption;
import dev.scheduler.test.TestScheduler;
import dev.scheduler.test.TestSchedulerConfig;
import org.junit.jupiter.api.Test;

/**
 * A program written with plain {@code Thread}s runs unmodified under the {@code TestScheduler}:
 * {@code TestScheduler.many(1000, s -> Program.main(args))}, its threads started and joined from the
 * test's own thread.
 */
class PlainProgramTest {

    private static final TestSchedulerConfig PREEMPTING = TestSchedulerConfig.builder()
            .preemption(Preemption.random()).build();

    @Test
    void preemptionFindsTheDoubleSaleInAnUnmodifiedMainAndTheSeedReplays() {
        Throwable failure = catchThrowable(() -> TestScheduler.many(1000, PREEMPTING,
                scheduler -> TicketCounter.main(new String[0])));

        assertThat(failure).hasMessageStartingWith("Failing seed: ").hasMessageContaining("one seat sold twice");
        long seed = Long.parseLong(failure.getMessage().lines().findFirst().orElseThrow().replace("Failing seed: ", ""));
        Throwable replay = catchThrowable(() -> TestScheduler.run(PREEMPTING.toBuilder().seed(seed).build(),
                scheduler -> TicketCounter.main(new String[0])));
        assertThat(replay).hasMessage(failure.getCause().getMessage());
    }

    @Test
    void withoutPreemptionTheBugHides() throws Exception {
        TestScheduler.many(1000, scheduler -> TicketCounter.main(new String[0]));
    }

    @Test
    void theFixedProgramPassesEverySeed() throws Exception {
        TestScheduler.many(1000, PREEMPTING, scheduler -> TicketCounter.mainFixed(new String[0]));
    }

    @Test
    void aMainThatWaitsOnFuturesALatchAndAPoolsTerminationRunsInVirtualTime() throws Exception {
        TestScheduler.many(50, scheduler -> {
            PoolProgram.main(new String[0]);
            // two workers: pauses of 1 s and 2 s, then 3 s after the first and 4 s after the second
            assertThat(scheduler.now()).isEqualTo(TestScheduler.START.plusSeconds(6));
        });
    }

    @Test
    void theThreadsAreTasksOfTheRunAndLeaveNothingBehind() throws Exception {
        TestScheduler.run(PREEMPTING, scheduler -> {
            TicketCounter.mainFixed(new String[0]);
            assertThat(scheduler.pendingTasks()).isEmpty();
        });
    }
}
