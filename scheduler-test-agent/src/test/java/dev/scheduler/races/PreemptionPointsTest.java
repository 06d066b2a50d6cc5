package dev.scheduler.races;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.scheduler.Executor;
import dev.scheduler.ForegroundExecutor;
import dev.scheduler.Task;
import dev.scheduler.jdk.PreemptionPoints;
import dev.scheduler.test.Preemption;
import dev.scheduler.test.TestScheduler;
import dev.scheduler.test.TestSchedulerConfig;
import dev.scheduler.test.junit.SchedulerTest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * Preemption points in the application's classes, with the agent: where they are, what a
 * scheduler with preemption does at them, and what a failing seed reports.
 */
class PreemptionPointsTest {

    @Nested
    class Reports {

        @Test
        void aFailingSeedListsTheSwitchesTakenWithTaskClassAndLine() {
            Events events = EngineTestKit.engine("junit-jupiter").selectors(selectClass(LostUpdateSpecification.class))
                    .execute().testEvents();

            // Each seed is an invocation of its own; the lost update shows in some of them.
            assertThat(events.failed().count()).isPositive();
            assertThat(events.succeeded().count()).isPositive();
            Throwable failure = events.failed().stream().findFirst().orElseThrow().getPayload(
                    org.junit.platform.engine.TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow();
            assertThat(failure).hasMessageStartingWith("Failing seed: ");
            Throwable lostUpdate = failure.getCause();
            assertThat(lostUpdate).hasMessageStartingWith("lost update");
            assertThat(lostUpdate.getSuppressed()).singleElement().satisfies(switches -> assertThat(switches.getMessage())
                    .startsWith("Preemption, PCT (depth 3), switched tasks ")
                    .contains("1. from task #")
                    .contains(" at dev.scheduler.races.RaceProgram$VolatileCounter.increment(RaceProgram.java:")
                    .contains("), before a volatile "));
        }

        @Test
        void aPassingRunListsItsSwitchesToo() throws Exception {
            List<Preemption.Switch> taken = new ArrayList<>();
            TestScheduler.run(TestSchedulerConfig.builder().seed(3).preemption(Preemption.random()).build(), scheduler -> {
                RaceProgram.VolatileCounter counter = new RaceProgram.VolatileCounter();
                Executor executor = scheduler.background();
                List<Task<Void>> tasks = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    tasks.add(executor.spawn(() -> {
                        synchronized (counter) {
                            counter.increment();
                        }
                    }));
                }
                tasks.forEach(Task::join);
                assertThat(counter.count).isEqualTo(4); // the monitor keeps it whole, whatever the switches
                taken.addAll(scheduler.switches());
                assertThat(scheduler.switchCount()).isEqualTo(taken.size());
            });
            assertThat(taken).isNotEmpty().allSatisfy(taken1 -> assertThat(taken1.at()).startsWith("dev.scheduler.races."));
        }
    }

    @Nested
    class WherePointsAct {

        @Test
        void outsideTasksAPointDoesNothing() throws Exception {
            TestScheduler.run(TestSchedulerConfig.builder().preemption(Preemption.random()).build(), scheduler -> {
                RaceProgram.VolatileCounter counter = new RaceProgram.VolatileCounter();
                counter.increment(); // on the scheduler's own thread: no task to switch from
                assertThat(scheduler.switchCount()).isZero();
                assertThat(counter.count).isEqualTo(1);
            });
        }

        @Test
        void withPreemptionOffATaskRunsUntilItParks() throws Exception {
            TestScheduler.many(200, TestSchedulerConfig.defaults(), scheduler -> {
                RaceProgram.VolatileCounter counter = new RaceProgram.VolatileCounter();
                Executor executor = scheduler.background();
                Task<Void> a = executor.spawn(() -> repeat(100, counter::increment));
                Task<Void> b = executor.spawn(() -> repeat(100, counter::increment));
                a.join();
                b.join();
                assertThat(counter.count).isEqualTo(200);
                assertThat(scheduler.switchCount()).isZero();
            });
        }

        @SchedulerTest(iterations = 200, preemption = Preemption.Strategy.RANDOM)
        void aForegroundTaskKeepsItsPlaceAmongItsSessionsTasks(TestScheduler scheduler) {
            ForegroundExecutor ui = scheduler.foreground();
            RaceProgram.VolatileCounter shared = new RaceProgram.VolatileCounter();
            List<String> order = new ArrayList<>();
            Task<Void> first = ui.spawn(() -> {
                order.add("first starts");
                repeat(20, shared::increment); // points: background work may run in between
                order.add("first ends");
            });
            Task<Void> second = ui.spawn(() -> {
                order.add("second");
            });
            Task<Void> background = scheduler.background().spawn(() -> repeat(20, shared::increment));
            first.join();
            second.join();
            background.join();

            assertThat(order).containsExactly("first starts", "first ends", "second");
        }

        @Test
        void classInitializersHaveNoPoints() throws Exception {
            TestScheduler.run(TestSchedulerConfig.builder().preemption(Preemption.random()).build(), scheduler -> {
                Executor executor = scheduler.background();
                Task<Integer> a = executor.spawn(() -> Registry.SIZE.get());
                Task<Integer> b = executor.spawn(() -> Registry.SIZE.get());
                assertThat(a.join() + b.join()).isEqualTo(2 * Registry.ENTRIES);
                assertThat(scheduler.switches()).noneSatisfy(taken -> assertThat(taken.at()).contains("<clinit>"));
            });
        }

        @Test
        void thoroughPointsReachClassesLoadedBeforeAnyoneAskedForThem() throws Exception {
            LoadedEarly early = new LoadedEarly();
            early.add(); // loaded now, with the default points only, and none of them in add()
            AtomicInteger failingSeeds = new AtomicInteger();
            for (long seed = 0; seed < 200; seed++) {
                try {
                    TestScheduler.run(TestSchedulerConfig.builder().seed(seed)
                            .preemption(Preemption.random().thoroughly()).build(), scheduler -> {
                                LoadedEarly counter = new LoadedEarly();
                                Executor executor = scheduler.background();
                                Task<Void> a = executor.spawn(counter::add);
                                Task<Void> b = executor.spawn(counter::add);
                                a.join();
                                b.join();
                                if (counter.total != 2) {
                                    throw new AssertionError("lost update");
                                }
                            });
                } catch (AssertionError lost) {
                    failingSeeds.incrementAndGet();
                }
            }
            assertThat(PreemptionPoints.instrumented()).isTrue();
            assertThat(failingSeeds).hasPositiveValue();
        }
    }

    private static void repeat(int times, Runnable action) {
        for (int i = 0; i < times; i++) {
            action.run();
        }
    }

    /** A class whose initializer takes locks and calls into java.util.concurrent, which gets no points. */
    static final class Registry {
        static final int ENTRIES = 50;
        static final java.util.concurrent.atomic.AtomicInteger SIZE = new java.util.concurrent.atomic.AtomicInteger();

        static {
            java.util.Map<Integer, Integer> map = new java.util.concurrent.ConcurrentHashMap<>();
            for (int i = 0; i < ENTRIES; i++) {
                synchronized (map) {
                    map.put(i, i);
                }
            }
            SIZE.set(map.size());
        }
    }

    /** A plain counter first loaded before thorough points were asked for. */
    static final class LoadedEarly {
        int total;

        void add() {
            total++;
        }
    }

    /** Run by {@link Reports#aFailingSeedListsTheSwitchesTakenWithTaskClassAndLine()} through the test kit. */
    static class LostUpdateSpecification {

        @SchedulerTest(iterations = 1000, preemption = Preemption.Strategy.PCT)
        void twoIncrementsCountTwo(TestScheduler scheduler) {
            RaceProgram.VolatileCounter counter = new RaceProgram.VolatileCounter();
            Executor executor = scheduler.background();
            Task<Void> a = executor.spawn(counter::increment);
            Task<Void> b = executor.spawn(counter::increment);
            a.join();
            b.join();
            if (counter.count != 2) {
                throw new AssertionError("lost update: count is " + counter.count);
            }
        }
    }
}
