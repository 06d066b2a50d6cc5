package dev.scheduler.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.scheduler.Executor;
import dev.scheduler.ForegroundExecutor;
import dev.scheduler.Scheduler;
import dev.scheduler.Task;
import dev.scheduler.TaskLabel;
import dev.scheduler.test.TestScheduler;
import dev.scheduler.test.junit.SchedulerTest;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.integration.Slf4jThreadLocalAccessor;
import io.micrometer.observation.Observation;
import io.micrometer.observation.tck.TestObservationRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.test.context.ActiveProfiles;

/**
 * A Spring Boot application under the test profile, as a user tests it: its beans are backed by
 * one TestScheduler that every test of the cached context shares, reseeded before each test and
 * checked for leaks after it; {@code @Scheduled} jobs run in virtual time and {@code @Async}
 * methods on the scheduler.
 */
@SpringBootTest(classes = SchedulerSpringBootTests.Application.class, properties = {
        "scheduler.spring.bridge=true", "scheduler.test.seed=7"})
@ActiveProfiles("test")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SchedulerSpringBootTests {


    @Autowired
    private TestScheduler testScheduler;

    @Autowired
    private Scheduler scheduler;

    @Autowired
    private Executor executor;

    @Autowired
    private ForegroundExecutor foreground;

    @Autowired
    private Clock clock;

    @Autowired
    private Jobs jobs;

    @Autowired
    private Reports reports;

    @Autowired
    private TestObservationRegistry observations;

    @Test
    @Order(1)
    void beansRunOnTheContextsTestScheduler() {
        assertThat(scheduler).isSameAs(testScheduler);
        assertThat(testScheduler.thread()).isSameAs(Thread.currentThread());
        assertThat(executor.scheduler()).isSameAs(testScheduler);
        assertThat(foreground.thread()).isSameAs(Thread.currentThread());
        assertThat(clock.instant()).isEqualTo(testScheduler.now());

        Task<String> greeting = foreground.spawn(() -> executor.spawn(() -> "hello").join() + " from the UI");
        assertThat(greeting.join()).isEqualTo("hello from the UI");
    }

    @SchedulerTest(iterations = 3)
    @Order(2)
    void schedulerTestReseedsTheContextsSchedulerForEachSeed(TestScheduler scheduler, TestInfo invocation) {
        assertThat(scheduler).isSameAs(testScheduler);
        assertThat("seed=" + scheduler.seed()).isEqualTo(invocation.getDisplayName());
        assertThat(scheduler.rng().nextLong()).isEqualTo(new SplittableRandom(scheduler.seed()).nextLong());
    }

    @Test
    @Order(3)
    void eachTestStartsWithTheConfiguredSeedAndAFreshRandomSequence() {
        // Also after the seeds above, when the whole class runs: they consumed and replaced the random sequence.
        assertThat(testScheduler.seed()).isEqualTo(7);
        assertThat(testScheduler.rng().nextLong()).isEqualTo(new SplittableRandom(7).nextLong());
    }

    @Test
    @Order(4)
    void anHourOfScheduledJobsRunsInVirtualTimeInOrder() {
        testScheduler.runUntilParked();
        jobs.runs.clear();
        Instant start = clock.instant();

        testScheduler.advanceClock(Duration.ofHours(1));

        // The context started at TestScheduler.START, and runs take no virtual time, so: fixed rate
        // every 10 minutes from the start; fixed delay 5 minutes in, then 25 minutes after each run;
        // cron on the hour (UTC). Exactly the runs due in (start, start + 1h], in order.
        Instant end = start.plus(Duration.ofHours(1));
        List<Instant> rate = dueIn(start, end, TestScheduler.START, Duration.ofMinutes(10));
        List<Instant> delay = dueIn(start, end, TestScheduler.START.plus(Duration.ofMinutes(5)), Duration.ofMinutes(25));
        List<Instant> hourly = dueIn(start, end, TestScheduler.START, Duration.ofHours(1));
        assertThat(rate).hasSize(6);
        assertThat(delay).hasSizeBetween(2, 3);
        assertThat(hourly).hasSize(1);
        assertThat(jobs.runs).extracting(Run::at).isSorted();
        assertThat(jobs.runs).filteredOn(run -> run.job().equals("rate")).extracting(Run::at).containsExactlyElementsOf(rate);
        assertThat(jobs.runs).filteredOn(run -> run.job().equals("delay")).extracting(Run::at).containsExactlyElementsOf(delay);
        assertThat(jobs.runs).filteredOn(run -> run.job().equals("hourly")).extracting(Run::at).containsExactlyElementsOf(hourly);
        assertThat(jobs.runs).hasSize(rate.size() + delay.size() + hourly.size());
        assertThat(clock.instant()).isEqualTo(end);
    }

    private static List<Instant> dueIn(Instant after, Instant until, Instant first, Duration every) {
        List<Instant> due = new ArrayList<>();
        for (Instant at = first; !at.isAfter(until); at = at.plus(every)) {
            if (at.isAfter(after)) {
                due.add(at);
            }
        }
        return due;
    }

    @Test
    @Order(5)
    void asyncMethodsRunAsTasksOnTheExecutor() {
        CompletableFuture<String> report = reports.build("daily");

        assertThat(report).as("queued on the TestScheduler, which has not run it yet").isNotDone();
        assertThat(executor.blockOn(report)).isEqualTo("daily built in a task");
    }

    @Test
    @Order(6)
    void aLeakingTestIsTheOneThatFailsAndTheNextOneStartsClean() {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(LeakingTests.class)).execute();

        results.testEvents().assertStatistics(stats -> stats.started(3).succeeded(1).failed(2));
        results.testEvents().assertThatEvents()
                .haveExactly(1, event(test("leavesATaskWaiting"), finishedWithFailure(message(m ->
                        m.startsWith("LeakingTests.leavesATaskWaiting left 1 task unfinished on the application's "
                                + "TestScheduler (seed 7")
                                && m.contains("\"forgotten\"")
                                && m.contains("spawned at " + LeakingTests.class.getName() + ".leavesATaskWaiting")
                                && m.contains("It was cancelled, so that the next test starts clean")))))
                .haveExactly(1, event(test("startsClean"), finishedSuccessfully()))
                .haveExactly(1, event(test("leavesAFailureNobodySaw"), finishedWithFailure(message(m ->
                        m.contains("1 task failed and nobody joined or handled the failure")
                                && m.contains("\"doomed\"")))));
        assertThat(testScheduler.pendingTasks()).isEmpty();
    }

    @Test
    @Order(7)
    void schedulerTestOutsideSpringGetsAFreshSchedulerEvenWithTheSpringSourcePresent() {
        PlainSchedulerTests.seen.clear();

        EngineTestKit.engine("junit-jupiter").selectors(selectClass(PlainSchedulerTests.class)).execute()
                .testEvents().assertStatistics(stats -> stats.started(2).succeeded(2));

        assertThat(PlainSchedulerTests.seen).hasSize(2).doesNotContain(testScheduler).doesNotHaveDuplicates();
    }

    @Test
    @Order(8)
    void scheduledRunsKeepSpringsTasksScheduledExecutionObservations() {
        testScheduler.runUntilParked();
        observations.clear();

        testScheduler.advanceClock(Duration.ofMinutes(10));

        assertThat(observations).hasObservationWithNameEqualTo("tasks.scheduled.execution")
                .that().hasBeenStarted().hasBeenStopped();
    }

    @Test
    @Order(9)
    void theSpawningCodesMdcTravelsIntoTheTaskAndEachOfItsContinuations() {
        MDC.put("request", "r-42");
        try {
            Task<List<String>> seen = executor.spawn(() -> {
                List<String> values = new ArrayList<>();
                values.add(MDC.get("request"));
                executor.timer(Duration.ofSeconds(1)).join();
                values.add(MDC.get("request"));
                return values;
            });
            MDC.put("request", "r-43");

            assertThat(seen.join()).containsExactly("r-42", "r-42");
        } finally {
            MDC.remove("request");
        }
    }

    @Test
    @Order(10)
    void theCurrentObservationTravelsIntoTheTaskAndStaysCurrentAfterAPark() {
        Observation request = Observation.start("request", observations);
        try (Observation.Scope scope = request.openScope()) {
            Task<Observation> current = executor.spawn(() -> {
                executor.timer(Duration.ofSeconds(1)).join();
                return observations.getCurrentObservation();
            });

            assertThat(current.join()).isSameAs(request);
        } finally {
            request.stop();
        }
        assertThat(observations.getCurrentObservation()).isNull();
    }

    /** A plain JUnit class, run by {@link #schedulerTestOutsideSpringGetsAFreshSchedulerEvenWithTheSpringSourcePresent()}. */
    static class PlainSchedulerTests {

        static final List<TestScheduler> seen = Collections.synchronizedList(new ArrayList<>());

        @SchedulerTest(iterations = 2)
        void runsOnItsOwnScheduler(TestScheduler scheduler) {
            seen.add(scheduler);
        }
    }

    /** Run by {@link #aLeakingTestIsTheOneThatFailsAndTheNextOneStartsClean()} through the engine test kit, on the same cached context. */
    @SpringBootTest(classes = SchedulerSpringBootTests.Application.class, properties = {
            "scheduler.spring.bridge=true", "scheduler.test.seed=7"})
    @ActiveProfiles("test")
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class LeakingTests {

        @Autowired
        private Executor executor;

        @Autowired
        private TestScheduler scheduler;

        @Test
        @Order(1)
        void leavesATaskWaiting() {
            executor.spawnLabeled(TaskLabel.of("forgotten"), () -> executor.timer(Duration.ofDays(1)).join());
        }

        @Test
        @Order(2)
        void startsClean() {
            assertThat(scheduler.pendingTasks()).isEmpty();
        }

        @Test
        @Order(3)
        void leavesAFailureNobodySaw() {
            executor.spawnLabeled(TaskLabel.of("doomed"), () -> {
                throw new IllegalStateException("nobody will know");
            }).detach();
        }
    }

    // ---------------------------------------------------------------- the application

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @EnableScheduling
    @EnableAsync
    @Import({Jobs.class, Reports.class})
    static class Application {

        static {
            // Micrometer registers the observation's accessor itself; MDC's is the application's to register.
            ContextRegistry.getInstance().registerThreadLocalAccessor(new Slf4jThreadLocalAccessor());
        }

        @Bean
        TestObservationRegistry observationRegistry() {
            return TestObservationRegistry.create();
        }
    }

    record Run(String job, Instant at) {
    }

    static class Jobs {

        final List<Run> runs = Collections.synchronizedList(new ArrayList<>());

        private final Clock clock;

        Jobs(Clock clock) {
            this.clock = clock;
        }

        @Scheduled(fixedRate = 10, timeUnit = TimeUnit.MINUTES)
        void rate() {
            runs.add(new Run("rate", clock.instant()));
        }

        @Scheduled(fixedDelay = 25, initialDelay = 5, timeUnit = TimeUnit.MINUTES)
        void delay() {
            runs.add(new Run("delay", clock.instant()));
        }

        @Scheduled(cron = "0 0 * * * *", zone = "UTC")
        void hourly() {
            runs.add(new Run("hourly", clock.instant()));
        }
    }

    static class Reports {

        @Async
        public CompletableFuture<String> build(String name) {
            return CompletableFuture.completedFuture(name + (Task.current().isPresent() ? " built in a task" : " built outside any task"));
        }
    }
}
