package dev.scheduler.test.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.displayName;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.cause;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.scheduler.Executor;
import dev.scheduler.Task;
import dev.scheduler.TaskLabel;
import dev.scheduler.test.TestScheduler;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

class SchedulerTestExtensionTest {

    @Test
    void runsOneInvocationPerSeedNamedForItsSeedWithAFreshScheduler() {
        FiveSeeds.seen.clear();

        EngineExecutionResults results = run(FiveSeeds.class);

        results.testEvents().assertStatistics(stats -> stats.started(5).succeeded(5));
        assertThat(results.testEvents().started().stream().map(e -> e.getTestDescriptor().getDisplayName()))
                .containsExactly("seed=10", "seed=11", "seed=12", "seed=13", "seed=14");
        assertThat(FiveSeeds.seen).containsExactly(10L, 11L, 12L, 13L, 14L);
    }

    @Test
    void aFailingSeedFailsWithTheSeedAndItsReplayCommandCausedByWhatTheTestThrew() {
        EngineExecutionResults results = run(FailsOnSeedThree.class);

        results.testEvents().assertStatistics(stats -> stats.started(5).succeeded(4).failed(1));
        Event failure = results.testEvents().failed().stream().findFirst().orElseThrow();
        assertThat(failure.getTestDescriptor().getDisplayName()).isEqualTo("seed=3");
        assertThat(thrownBy(failure))
                .isExactlyInstanceOf(AssertionError.class)
                .hasMessageStartingWith("Failing seed: 3" + System.lineSeparator() + "Replay it with: SEED=3 ITERATIONS=1 mvn "
                        + "-pl scheduler-core -am test -Dtest='SchedulerTestExtensionTest$FailsOnSeedThree#fails'")
                .hasMessageEndingWith("java.lang.IllegalStateException: three is unlucky")
                .cause().isExactlyInstanceOf(IllegalStateException.class).hasMessage("three is unlucky")
                .hasStackTraceContaining(FailsOnSeedThree.class.getName() + ".fails");
    }

    @Test
    void aFailedAssumptionSkipsTheSeedInsteadOfFailingIt() {
        EngineExecutionResults results = run(AssumesSeedTwoAway.class);

        results.testEvents().assertStatistics(stats -> stats.started(3).succeeded(2).aborted(1).failed(0));
        Event aborted = results.testEvents().aborted().stream().findFirst().orElseThrow();
        assertThat(aborted.getTestDescriptor().getDisplayName()).isEqualTo("seed=2");
        assertThat(thrownBy(aborted)).isInstanceOf(org.opentest4j.TestAbortedException.class);
    }

    @Test
    void aTaskFailureNobodyObservedFailsTheTestThatCausedIt() {
        EngineExecutionResults results = run(LeavesAFailure.class);

        results.testEvents().assertThatEvents().haveExactly(1, event(test("leaks"), displayName("seed=0"),
                finishedWithFailure(message(m -> m.contains("task failed and nobody joined or handled the failure")))));
        results.testEvents().assertThatEvents().haveExactly(1, event(test("clean"), displayName("seed=0"),
                org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully()));
    }

    @Test
    void checkDeterminismReplaysEachSeedAndFailsWhenTheStepsDiffer() {
        NotDeterministic.runs.set(0);

        EngineExecutionResults results = run(NotDeterministic.class);

        results.testEvents().assertThatEvents()
                .haveExactly(1, event(displayName("seed=0"), org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully()))
                .haveExactly(1, event(displayName("seed=0 (replay)"), finishedWithFailure(
                        message(m -> m.startsWith("Failing seed: 0")),
                        cause(message(m -> m.startsWith("Your test is not deterministic: seed 0 ran 1 step"))))));
    }

    @Test
    void determinismCheckNamesTheFirstDifferingStep() {
        DiffersInOneStep.runs.set(0);

        EngineExecutionResults results = run(DiffersInOneStep.class);

        Event replay = results.testEvents().failed().stream().findFirst().orElseThrow();
        assertThat(replay.getTestDescriptor().getDisplayName()).isEqualTo("seed=4 (replay)");
        assertThat(thrownBy(replay).getCause())
                .isExactlyInstanceOf(AssertionError.class)
                .hasMessageStartingWith("Your test is not deterministic: seed 4 ran a different step at step 1 the "
                        + "second time: first run \"task 2 \"run-1\"\", second run \"task 2 \"run-2\"\".");
        results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(1).failed(1));
    }

    @Test
    void theSeedPropertyOverridesTheAnnotationToReplayOneSeed() {
        FiveSeeds.seen.clear();
        System.setProperty("scheduler.seed", "12");
        try {
            run(FiveSeeds.class).testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));
        } finally {
            System.clearProperty("scheduler.seed");
        }
        assertThat(FiveSeeds.seen).containsExactly(12L);
    }

    @Test
    void aSuppliedSchedulerIsReseededForEachSeedAndEndedButNeverClosed() {
        try (TestScheduler shared = new TestScheduler()) {
            SharedScheduler.seen.clear();
            SuppliedSchedulers.next = shared;
            try {
                run(SharedScheduler.class).testEvents().assertStatistics(stats -> stats.started(3).succeeded(2).failed(1));
            } finally {
                SuppliedSchedulers.next = null;
            }

            assertThat(SharedScheduler.seen).containsExactly(shared, shared, shared);
            assertThat(shared.seed()).isEqualTo(2);
            assertThat(shared.background().spawn(() -> "still open").join()).isEqualTo("still open");
        }
    }

    private static Throwable thrownBy(Event event) {
        return event.getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                .getThrowable().orElseThrow();
    }

    private static EngineExecutionResults run(Class<?> testClass) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(testClass)).execute();
    }

    /** Registered in META-INF/services of the test sources; supplies a scheduler only when one is set. */
    public static final class SuppliedSchedulers implements TestSchedulerSource {
        static volatile TestScheduler next;

        @Override
        public java.util.Optional<TestScheduler> schedulerFor(org.junit.jupiter.api.extension.ExtensionContext context) {
            return java.util.Optional.ofNullable(next);
        }
    }

    static class SharedScheduler {
        static final List<TestScheduler> seen = Collections.synchronizedList(new ArrayList<>());

        @SchedulerTest(iterations = 3)
        void runsOnTheSuppliedScheduler(TestScheduler scheduler) {
            seen.add(scheduler);
            if (scheduler.seed() == 1) {
                scheduler.background().spawn(() -> {
                    throw new IllegalStateException("unobserved");
                });
            }
        }
    }

    static class FiveSeeds {
        static final List<Long> seen = Collections.synchronizedList(new ArrayList<>());

        @SchedulerTest(iterations = 5, seed = 10)
        void records(TestScheduler scheduler) {
            assertThat(scheduler.thread()).isSameAs(Thread.currentThread());
            seen.add(scheduler.seed());
        }
    }

    static class FailsOnSeedThree {
        @SchedulerTest(iterations = 5)
        void fails(TestScheduler scheduler) {
            if (scheduler.seed() == 3) {
                throw new IllegalStateException("three is unlucky");
            }
        }
    }

    static class AssumesSeedTwoAway {
        @SchedulerTest(iterations = 3)
        void skipsSeedTwo(TestScheduler scheduler) {
            Assumptions.assumeTrue(scheduler.seed() != 2, "seed two needs a network");
        }
    }

    static class LeavesAFailure {
        @SchedulerTest
        void leaks(TestScheduler scheduler) {
            scheduler.background().spawn(() -> {
                throw new IllegalStateException("never joined");
            });
        }

        @SchedulerTest
        void clean(TestScheduler scheduler) {
            assertThat(scheduler.background().spawn(() -> 1).join()).isEqualTo(1);
        }
    }

    static class NotDeterministic {
        static final AtomicInteger runs = new AtomicInteger();

        @SchedulerTest(checkDeterminism = true)
        void dependsOnAStaticCounter(TestScheduler scheduler) {
            int tasks = runs.incrementAndGet();
            for (int i = 0; i < tasks; i++) {
                Task<Integer> task = scheduler.background().spawn(() -> 1);
                task.join();
            }
        }
    }

    static class DiffersInOneStep {
        static final AtomicInteger runs = new AtomicInteger();

        @SchedulerTest(seed = 4, checkDeterminism = true)
        void labelsItsSecondTaskByARunCounter(TestScheduler scheduler) {
            Executor executor = scheduler.background();
            executor.spawnLabeled(TaskLabel.of("setup"), () -> 0).join();
            // Both runs take two steps; only the second step's label depends on the run.
            executor.spawnLabeled(TaskLabel.of("run-" + runs.incrementAndGet()), () -> 0).join();
        }
    }
}
