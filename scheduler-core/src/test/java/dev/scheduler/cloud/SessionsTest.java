package dev.scheduler.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scheduler.Executor;
import dev.scheduler.ForegroundExecutor;
import dev.scheduler.SessionId;
import dev.scheduler.Task;
import dev.scheduler.TaskLabel;
import dev.scheduler.ThreadPoolScheduler;
import dev.scheduler.test.TestScheduler;
import dev.scheduler.test.junit.SchedulerTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class SessionsTest {

    // ---------------------------------------------------------------- clean and leaking handlers

    @SchedulerTest(iterations = 100)
    void aHandlerThatAwaitsItsWorkAndHandsTheRestToWaitUntilEndsClean(TestScheduler scheduler) {
        SimulatedExecutionContext platform = new SimulatedExecutionContext(scheduler);
        Executor background = scheduler.background();
        SessionId request = platform.createSession();

        String response = platform.withSession(request, () -> {
            Task<String> lookup = background.spawn(() -> {
                platform.delay(Duration.ofMillis(20));
                return "user-7";
            });
            Task<Void> audit = background.spawnLabeled(TaskLabel.of("audit-log"),
                    () -> platform.delay(Duration.ofSeconds(5)));
            platform.waitUntil(audit);
            return "hello " + lookup.join();
        });

        assertThat(response).isEqualTo("hello user-7");
        platform.validateSessionCleanup(request);
        assertThat(platform.session(request).waitUntilTasks()).hasSize(1);
        assertThat(platform.endSession(request)).isEmpty();
        scheduler.advanceClock(Duration.ofSeconds(5));
    }

    @SchedulerTest(iterations = 100)
    void aHandlerThatLeaksATaskFailsValidationNamingThatTask(TestScheduler scheduler) {
        SimulatedExecutionContext platform = new SimulatedExecutionContext(scheduler);
        Executor background = scheduler.background();
        SessionId request = platform.createSession();
        Task<Void> leak = platform.withSession(request, () -> {
            background.spawn(() -> 1).join();
            return background.spawnLabeled(TaskLabel.of("metrics-flush"),
                    () -> platform.delay(Duration.ofMinutes(1)));
        });
        scheduler.runUntilParked();

        assertThatThrownBy(() -> platform.validateSessionCleanup(request))
                .isInstanceOf(SessionCleanupException.class)
                .hasMessageStartingWith("Session cleanup failed: 1 unauthorized task still running in " + request)
                .hasMessageContaining("task " + leak.id() + " \"metrics-flush\" (background, MEDIUM), spawned at "
                        + SessionsTest.class.getName())
                .hasMessageContaining("parked at:")
                .hasMessageContaining("at dev.scheduler.Task.join")
                .satisfies(e -> assertThat(((SessionCleanupException) e).unauthorizedTasks()).containsExactly(leak));
        assertThat(platform.snapshot().cleanupFailures()).isEqualTo(1);
        leak.cancel();
    }

    @SchedulerTest(iterations = 100)
    void nestedSpawnsOnEitherExecutorBelongToTheSessionAtAnyDepth(TestScheduler scheduler) {
        SimulatedExecutionContext platform = new SimulatedExecutionContext(scheduler);
        ForegroundExecutor foreground = platform.foreground();
        Executor background = scheduler.background();
        SessionId request = platform.createSession();
        List<Task<?>> deepest = new ArrayList<>();

        platform.withSession(request, () -> {
            foreground.spawn(() -> {
                foreground.spawn(() -> {
                    background.spawn(() -> {
                        deepest.add(background.spawn(() -> 1));
                        deepest.add(background.spawnLabeled(TaskLabel.of("grandchild"),
                                () -> platform.delay(Duration.ofHours(1))));
                        assertThat(platform.currentSession()).contains(request);
                    });
                });
            });
        });
        scheduler.runUntilParked();

        assertThat(platform.session(request).unauthorizedTasks()).containsExactly(deepest.get(1));
        assertThatThrownBy(() -> platform.validateSessionCleanup(request)).hasMessageContaining("\"grandchild\"");
        deepest.get(1).cancel();
    }

    @SchedulerTest(iterations = 20)
    void tasksSpawnedByAWaitUntilTaskMayOutliveTheSessionToo(TestScheduler scheduler) {
        SimulatedExecutionContext platform = new SimulatedExecutionContext(scheduler);
        Executor background = scheduler.background();
        SessionId request = platform.createSession();

        platform.withSession(request, () -> {
            platform.waitUntil(() -> {
                background.spawn(() -> platform.delay(Duration.ofSeconds(3)));
                Task<Void> later = background.spawn(() -> platform.delay(Duration.ofSeconds(2)));
                platform.delay(Duration.ofSeconds(1));
                later.join();
            });
        });
        scheduler.runUntilParked();

        assertThat(platform.session(request).runningTasks()).hasSize(3);
        platform.validateSessionCleanup(request);
        platform.endSession(request);
        scheduler.advanceClock(Duration.ofSeconds(3));
    }

    // ---------------------------------------------------------------- time, failures, policies

    @Test
    void delayParksTheCallingTaskUntilVirtualTimeHasPassed() {
        try (TestScheduler scheduler = new TestScheduler()) {
            SimulatedExecutionContext platform = new SimulatedExecutionContext(scheduler);
            Task<Instant> waited = scheduler.background().spawn(() -> {
                platform.delay(Duration.ofHours(1));
                return scheduler.now();
            });

            scheduler.advanceClock(Duration.ofMinutes(59));
            assertThat(waited.isDone()).isFalse();
            scheduler.advanceClock(Duration.ofMinutes(1));

            assertThat(waited.join()).isEqualTo(TestScheduler.START.plus(Duration.ofHours(1)));
        }
    }

    @Test
    void delayOnTheSchedulersOwnThreadDrivesTheClockForward() {
        try (TestScheduler scheduler = new TestScheduler()) {
            SimulatedExecutionContext platform = new SimulatedExecutionContext(scheduler);

            platform.delay(Duration.ofHours(2));

            assertThat(scheduler.now()).isEqualTo(TestScheduler.START.plus(Duration.ofHours(2)));
        }
    }

    @Test
    void aFailingWaitUntilTaskIsCountedAndReportedNeverLost() {
        TestScheduler scheduler = new TestScheduler();
        SimulatedExecutionContext platform = new SimulatedExecutionContext(scheduler);
        SessionId request = platform.createSession();
        platform.withSession(request, () -> {
            platform.waitUntil(() -> {
                platform.delay(Duration.ofSeconds(1));
                throw new IllegalStateException("webhook refused");
            });
        });
        scheduler.advanceClock(Duration.ofSeconds(1));

        assertThat(platform.session(request).state().failedWaitUntil()).isEqualTo(1);
        assertThatThrownBy(scheduler::endTest)
                .hasMessageContaining("(detached) failed with java.lang.IllegalStateException: webhook refused");
    }

    @Test
    void theReportPolicyLogsAndCountsLeaksAndLetsThemRun() {
        try (TestScheduler scheduler = new TestScheduler(); CapturedLog log = new CapturedLog()) {
            WorkerExecutionContext platform = new WorkerExecutionContext(scheduler.background(), CleanupPolicy.REPORT);
            SessionId request = platform.createSession();
            Task<Void> leak = platform.withSession(request, () -> scheduler.background()
                    .spawnLabeled(TaskLabel.of("late-flush"), () -> platform.delay(Duration.ofSeconds(1))));
            scheduler.runUntilParked();

            assertThat(platform.endSession(request)).containsExactly(leak);

            assertThat(log.records()).singleElement().satisfies(record -> {
                assertThat(record.getLevel()).isEqualTo(Level.WARNING);
                assertThat(record.getMessage())
                        .startsWith("Session cleanup failed: 1 unauthorized task still running in " + request)
                        .contains("task " + leak.id() + " \"late-flush\" (background, MEDIUM), spawned at "
                                + SessionsTest.class.getName())
                        .contains("parked at:")
                        .doesNotContain("cancelled");
            });
            assertThat(platform.snapshot().cleanupFailures()).isEqualTo(1);
            assertThat(leak.isCancelled()).isFalse();
            scheduler.advanceClock(Duration.ofSeconds(1));
            assertThat(leak.isDone()).isTrue();
        }
    }

    @Test
    void theCancelPolicyCancelsLeaksAndLogsThemAsCancelled() {
        try (TestScheduler scheduler = new TestScheduler(); CapturedLog log = new CapturedLog()) {
            WorkerExecutionContext platform = new WorkerExecutionContext(scheduler.background(), CleanupPolicy.CANCEL);
            SessionId request = platform.createSession();
            Task<Void> leak = platform.withSession(request, () -> scheduler.background()
                    .spawnLabeled(TaskLabel.of("stale-poll"), () -> platform.delay(Duration.ofDays(1))));
            scheduler.runUntilParked();

            assertThat(platform.endSession(request)).containsExactly(leak);

            assertThat(log.records()).singleElement().satisfies(record -> {
                assertThat(record.getLevel()).isEqualTo(Level.WARNING);
                assertThat(record.getMessage())
                        .startsWith("Session cleanup failed: 1 unauthorized task still running in " + request)
                        .contains("task " + leak.id() + " \"stale-poll\" (background, MEDIUM)")
                        .endsWith(System.lineSeparator() + "They were cancelled.");
            });
            assertThat(platform.snapshot().cleanupFailures()).isEqualTo(1);
            scheduler.runUntilParked();
            assertThat(leak.isCancelled()).isTrue();
            assertThat(leak.isRunning()).isFalse();
        }
    }

    @Test
    void aSessionThatEndsCleanLogsNothing() {
        try (TestScheduler scheduler = new TestScheduler(); CapturedLog log = new CapturedLog()) {
            WorkerExecutionContext platform = new WorkerExecutionContext(scheduler.background(), CleanupPolicy.REPORT);
            SessionId request = platform.createSession();
            platform.withSession(request, () -> scheduler.background().spawn(() -> 1).join());

            assertThat(platform.endSession(request)).isEmpty();

            assertThat(log.records()).isEmpty();
        }
    }

    @Test
    void theFailPolicyThrowsButStillEndsTheSession() {
        try (TestScheduler scheduler = new TestScheduler()) {
            SimulatedExecutionContext platform = new SimulatedExecutionContext(scheduler);
            SessionId request = platform.createSession();
            Task<Void> leak = platform.withSession(request,
                    () -> scheduler.background().spawn(() -> platform.delay(Duration.ofDays(1))));
            scheduler.runUntilParked();

            assertThatThrownBy(() -> platform.endSession(request)).isInstanceOf(SessionCleanupException.class);

            assertThat(platform.snapshot().activeSessions()).isZero();
            leak.cancel();
        }
    }

    // ---------------------------------------------------------------- current session

    @Test
    void theCurrentSessionIsTheOneSetOnTheThreadUntilChanged() {
        try (TestScheduler scheduler = new TestScheduler()) {
            SimulatedExecutionContext platform = new SimulatedExecutionContext(scheduler);
            SessionId first = platform.createSession();
            SessionId second = platform.createSession();

            platform.setCurrentSession(first);
            Task<Void> inFirst = scheduler.background().spawn(() -> platform.delay(Duration.ofSeconds(1)));
            platform.setCurrentSession(second);
            assertThat(platform.currentSession()).contains(second);
            assertThat(platform.withSession(first, platform::currentSession)).contains(first);
            platform.clearCurrentSession();

            assertThat(platform.currentSession()).isEmpty();
            assertThat(platform.session(first).runningTasks()).containsExactly(inFirst);
            assertThat(platform.session(second).runningTasks()).isEmpty();
            scheduler.advanceClock(Duration.ofSeconds(1));
        }
    }

    @Test
    void aTaskKeepsItsSessionEvenWhenTheThreadMovesOnToAnother() {
        try (TestScheduler scheduler = new TestScheduler()) {
            SimulatedExecutionContext platform = new SimulatedExecutionContext(scheduler);
            SessionId first = platform.createSession();
            SessionId second = platform.createSession();
            Task<java.util.Optional<SessionId>> seenLater = platform.withSession(first, () -> scheduler.background().spawn(() -> {
                platform.delay(Duration.ofSeconds(1));
                return platform.currentSession();
            }));

            platform.setCurrentSession(second);
            scheduler.advanceClock(Duration.ofSeconds(1));

            assertThat(seenLater.join()).contains(first);
            platform.clearCurrentSession();
        }
    }

    // ---------------------------------------------------------------- bookkeeping and bad input

    @Test
    void aHundredThousandSessionsLeaveNoBookkeepingBehind() {
        try (TestScheduler scheduler = new TestScheduler(dev.scheduler.test.TestSchedulerConfig.builder()
                .capturePendingTraces(false).build())) {
            SimulatedExecutionContext platform = new SimulatedExecutionContext(scheduler);
            Executor background = scheduler.background();
            for (int i = 0; i < 100_000; i++) {
                SessionId request = platform.createSession();
                platform.withSession(request, () -> {
                    platform.waitUntil(() -> {
                    });
                    return background.spawn(() -> 1).join();
                });
                scheduler.runUntilParked();
                assertThat(platform.endSession(request)).isEmpty();
            }

            assertThat(platform.snapshot().activeSessions()).isZero();
            assertThat(platform.snapshot().cleanupFailures()).isZero();
            assertThat(scheduler.pendingTasks()).isEmpty();
        }
    }

    @Test
    void unknownAndEndedSessionsAreRejectedNamingTheSession() {
        try (TestScheduler scheduler = new TestScheduler()) {
            SimulatedExecutionContext platform = new SimulatedExecutionContext(scheduler);
            SessionId ended = platform.createSession();
            platform.endSession(ended);
            SessionId stranger = SessionId.next();

            assertThatThrownBy(() -> platform.validateSessionCleanup(ended))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(ended + " is unknown to this execution context or has already ended");
            assertThatThrownBy(() -> platform.withSession(stranger, () -> 1)).hasMessageContaining(stranger.toString());
            assertThatThrownBy(() -> platform.endSession(ended)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void waitUntilOutsideAnySessionIsAMisuse() {
        try (TestScheduler scheduler = new TestScheduler()) {
            SimulatedExecutionContext platform = new SimulatedExecutionContext(scheduler);

            assertThatThrownBy(() -> platform.waitUntil(() -> {
            }))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("waitUntil() needs a current session");
            assertThatThrownBy(platform::passThrough).hasMessageStartingWith("passThrough() needs a current session");
            assertThatThrownBy(() -> platform.waitUntil((Task<?>) null)).isInstanceOf(NullPointerException.class)
                    .hasMessage("task");
            assertThatThrownBy(() -> platform.waitUntil((Runnable) null)).hasMessage("body");
            assertThatThrownBy(() -> platform.withSession(null, () -> 1)).hasMessage("id");
            assertThatThrownBy(() -> new SimulatedExecutionContext((dev.scheduler.Scheduler) null)).hasMessage("scheduler");
        }
    }

    @Test
    void waitUntilRefusesARunningTaskOfAnotherSession() {
        try (TestScheduler scheduler = new TestScheduler()) {
            SimulatedExecutionContext platform = new SimulatedExecutionContext(scheduler);
            SessionId mine = platform.createSession();
            SessionId theirs = platform.createSession();
            Task<Void> foreign = platform.withSession(theirs,
                    () -> scheduler.background().spawn(() -> platform.delay(Duration.ofSeconds(1))));

            assertThatThrownBy(() -> platform.withSession(mine, () -> platform.waitUntil(foreign)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(foreign.metadata().describe() + " was not spawned in " + mine
                            + ", so waitUntil cannot let it outlive that session");
            scheduler.advanceClock(Duration.ofSeconds(1));
        }
    }

    @Test
    void theSnapshotCountsEachActiveSessionsRunningWaitUntilAndUnauthorizedTasks() {
        try (TestScheduler scheduler = new TestScheduler()) {
            SimulatedExecutionContext platform = new SimulatedExecutionContext(scheduler);
            Executor background = scheduler.background();
            SessionId mixed = platform.createSession();
            SessionId clean = platform.createSession();
            SessionId ended = platform.createSession();
            SessionId leaky = platform.createSession();
            platform.withSession(mixed, () -> {
                background.spawn(() -> 1).join();
                platform.waitUntil(() -> platform.delay(Duration.ofMinutes(1)));
                platform.waitUntil(() -> platform.delay(Duration.ofMinutes(2)));
                background.spawn(() -> platform.delay(Duration.ofMinutes(3)));
            });
            platform.withSession(clean, () -> background.spawn(() -> 2).join());
            platform.endSession(ended);
            platform.withSession(leaky, () -> {
                background.spawn(() -> platform.delay(Duration.ofMinutes(4)));
                background.spawn(() -> platform.delay(Duration.ofMinutes(5)));
            });
            scheduler.runUntilParked();

            SessionsSnapshot snapshot = platform.snapshot();

            assertThat(snapshot.sessions()).containsExactly(
                    new SessionState(mixed, 3, 2, 1, 0, false),
                    new SessionState(clean, 0, 0, 0, 0, false),
                    new SessionState(leaky, 2, 0, 2, 0, false));
            assertThat(snapshot.activeSessions()).isEqualTo(3);
            assertThat(snapshot.runningTasks()).isEqualTo(5);
            assertThat(snapshot.waitUntilTasks()).isEqualTo(2);
            assertThat(snapshot.unauthorizedTasks()).isEqualTo(3);

            scheduler.advanceClock(Duration.ofMinutes(3));
            assertThat(platform.snapshot().sessions()).containsExactly(
                    new SessionState(mixed, 0, 0, 0, 0, false),
                    new SessionState(clean, 0, 0, 0, 0, false),
                    new SessionState(leaky, 2, 0, 2, 0, false));
        }
    }

    @Test
    void passThroughMarksTheSessionForTheHost() {
        try (TestScheduler scheduler = new TestScheduler()) {
            SimulatedExecutionContext platform = new SimulatedExecutionContext(scheduler);
            SessionId request = platform.createSession();

            platform.withSession(request, platform::passThrough);

            assertThat(platform.session(request).passesThrough()).isTrue();
            assertThat(platform.snapshot().sessions()).singleElement().extracting(SessionState::passesThrough).isEqualTo(true);
        }
    }

    // ---------------------------------------------------------------- a real multi-threaded scheduler

    @Test
    void aJoinedTaskIsNeverStillCountedAsRunningInItsSession() {
        try (ThreadPoolScheduler threads = new ThreadPoolScheduler()) {
            Executor executor = new Executor(threads);
            WorkerExecutionContext platform = new WorkerExecutionContext(executor, CleanupPolicy.FAIL);
            for (int i = 0; i < 2_000; i++) {
                SessionId request = platform.createSession();
                platform.withSession(request, () -> executor.spawn(() -> executor.spawn(() -> 1).join()).join());

                platform.validateSessionCleanup(request);
                platform.endSession(request);
            }
        }
    }

    @Test
    void onARealMultiThreadedSchedulerLeaksAreFoundAndCleanSessionsPass() throws Exception {
        try (ThreadPoolScheduler threads = new ThreadPoolScheduler()) {
            Executor executor = new Executor(threads);
            WorkerExecutionContext platform = new WorkerExecutionContext(executor, CleanupPolicy.FAIL);
            CountDownLatch release = new CountDownLatch(1);

            SessionId clean = platform.createSession();
            String answer = platform.withSession(clean, () -> {
                Task<Boolean> flush = platform.waitUntil(() -> release.await(1, TimeUnit.MINUTES));
                executor.spawn(() -> executor.spawn(() -> 1).join()).join();
                return flush.isDone() ? "early" : "ok";
            });
            assertThat(answer).isEqualTo("ok");
            platform.validateSessionCleanup(clean);

            SessionId leaky = platform.createSession();
            Task<Boolean> leak = platform.withSession(leaky, () -> executor.spawnLabeled(TaskLabel.of("orphan"),
                    () -> release.await(1, TimeUnit.MINUTES)));
            assertThatThrownBy(() -> platform.endSession(leaky)).hasMessageContaining("\"orphan\"");

            release.countDown();
            assertThat(executor.blockOn(leak)).as("the orphan was released, not timed out").isTrue();
            platform.endSession(clean);
            assertThat(platform.snapshot().activeSessions()).isZero();
        }
    }

    /**
     * Collects what the cloud package logs. {@code System.Logger} goes to java.util.logging unless a
     * logging backend is installed, and this module's tests install none.
     */
    private static final class CapturedLog extends Handler implements AutoCloseable {

        // A strong reference: java.util.logging keeps loggers weakly, and a collected one loses its handler.
        private final Logger logger = Logger.getLogger(AbstractExecutionContext.class.getName());
        private final List<LogRecord> records = new CopyOnWriteArrayList<>();
        private final boolean parentHandlers = logger.getUseParentHandlers();

        CapturedLog() {
            logger.addHandler(this);
            logger.setUseParentHandlers(false);
        }

        List<LogRecord> records() {
            return List.copyOf(records);
        }

        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            logger.removeHandler(this);
            logger.setUseParentHandlers(parentHandlers);
        }
    }
}
