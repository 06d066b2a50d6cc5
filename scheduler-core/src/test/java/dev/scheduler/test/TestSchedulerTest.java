package dev.scheduler.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.scheduler.Executor;
import dev.scheduler.ForegroundExecutor;
import dev.scheduler.Priority;
import dev.scheduler.Task;
import dev.scheduler.TaskLabel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class TestSchedulerTest {

    // ---------------------------------------------------------------- determinism

    @Test
    void theSameSeedReplaysTheSameTraceOfARandomWorkload() {
        for (long seed : new long[] {0, 1, 42}) {
            List<String> first = traceOfRandomWorkload(seed);
            List<String> second = traceOfRandomWorkload(seed);

            assertThat(first).hasSizeGreaterThanOrEqualTo(1000);
            assertThat(second).isEqualTo(first);
        }
    }

    @Test
    void differentSeedsInterleaveTheSameWorkloadDifferently() {
        Set<List<String>> traces = new HashSet<>();
        for (long seed = 0; seed < 10; seed++) {
            traces.add(traceOfRandomWorkload(seed));
        }
        assertThat(traces).hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void hundredSeedsGiveSeveralOrdersOfThreeIndependentTasks() throws Exception {
        Set<String> orders = new HashSet<>();
        TestScheduler.many(100, scheduler -> orders.add(orderOfThreeTasks(scheduler)));

        assertThat(orders).hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void withoutRandomizationStepsRunInTheOrderTheyWereScheduled() throws Exception {
        Set<String> orders = new HashSet<>();
        TestScheduler.many(100, TestSchedulerConfig.builder().randomizeOrder(false).build(),
                scheduler -> orders.add(orderOfThreeTasks(scheduler)));

        assertThat(orders).containsExactly("abc");
    }

    @Test
    void checkDeterminismFailsATestWhoseStepsDependOnStateOutsideTheScheduler() {
        AtomicInteger runs = new AtomicInteger();
        TestSchedulerConfig config = TestSchedulerConfig.builder().seed(3).checkDeterminism(true).build();

        assertThatThrownBy(() -> TestScheduler.run(config, scheduler -> {
            int extraTasks = runs.incrementAndGet();
            for (int i = 0; i < extraTasks; i++) {
                scheduler.background().spawn(() -> 1).join();
            }
        }))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Your test is not deterministic: seed 3 ran 1 step the first time and 2 the second");
    }

    @Test
    void determinismCheckNamesTheFirstDifferingStep() {
        AtomicInteger runs = new AtomicInteger();
        TestSchedulerConfig config = TestSchedulerConfig.builder().seed(3).checkDeterminism(true).build();

        assertThatThrownBy(() -> TestScheduler.run(config, scheduler -> {
            Executor executor = scheduler.background();
            executor.spawnLabeled(TaskLabel.of("setup"), () -> 0).join();
            // Both runs take two steps; only the second step's label depends on the run.
            executor.spawnLabeled(TaskLabel.of("run-" + runs.incrementAndGet()), () -> 0).join();
        }))
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("Your test is not deterministic: seed 3 ran a different step at step 1 the "
                        + "second time: first run \"task 2 \"run-1\"\", second run \"task 2 \"run-2\"\".");
    }

    @Test
    void checkDeterminismPassesADeterministicTest() throws Exception {
        TestSchedulerConfig config = TestSchedulerConfig.builder().seed(5).checkDeterminism(true).build();

        TestScheduler.run(config, scheduler -> randomWorkload(scheduler));
    }

    // ---------------------------------------------------------------- ordering rules

    @Test
    void foregroundStepsOfOneSessionKeepTheirOrder() throws Exception {
        TestScheduler.many(50, scheduler -> {
            ForegroundExecutor foreground = scheduler.foreground();
            Executor background = scheduler.background();
            List<Integer> ran = new ArrayList<>();
            List<Task<?>> tasks = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                int index = i;
                tasks.add(background.spawn(() -> 0));
                tasks.add(foreground.spawn(() -> {
                    ran.add(index);
                }));
            }
            tasks.forEach(Task::join);

            assertThat(ran).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        });
    }

    @Test
    void aSessionInsideBlockOnDoesNotRunItsOwnForegroundSteps() throws Exception {
        TestScheduler.many(20, scheduler -> {
            ForegroundExecutor foreground = scheduler.foreground();
            Executor background = scheduler.background();
            List<String> events = new ArrayList<>();
            Task<Void> uiWork = foreground.spawn(() -> {
                events.add("ui");
            });
            Task<Void> io = background.spawn(() -> {
                background.timer(Duration.ofSeconds(1)).join();
                events.add("io");
            });

            foreground.blockOn(io);

            assertThat(events).containsExactly("io");
            uiWork.join();
            assertThat(events).containsExactly("io", "ui");
        });
    }

    @Test
    void blockingAForegroundSessionOnItsOwnWorkIsReportedAsADeadlock() {
        TestScheduler scheduler = new TestScheduler();
        ForegroundExecutor foreground = scheduler.foreground();
        Task<Integer> ownWork = foreground.spawnLabeled(TaskLabel.of("render"), () -> 1);

        assertThatThrownBy(() -> foreground.blockOn(ownWork))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Parking forbidden")
                .hasMessageContaining("\"render\" (foreground, " + foreground.sessionId())
                .hasMessageContaining("Foreground sessions inside blockOn, whose own steps cannot run until it returns: ["
                        + foreground.sessionId() + "]");
    }

    @Test
    void deprioritizedTasksRunOnlyWhenNothingElseCan() throws Exception {
        TestScheduler.many(30, scheduler -> {
            Executor executor = scheduler.background();
            TaskLabel slow = TaskLabel.of("prefetch");
            executor.deprioritize(slow);
            List<String> ran = new ArrayList<>();
            List<Task<?>> tasks = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                tasks.add(executor.spawnLabeled(slow, () -> {
                    ran.add("prefetch");
                }));
                tasks.add(executor.spawn(() -> {
                    ran.add("work");
                }));
            }
            tasks.forEach(Task::join);

            assertThat(ran).containsExactly("work", "work", "work", "work", "work",
                    "prefetch", "prefetch", "prefetch", "prefetch", "prefetch");
        });
    }

    @Test
    void higherPrioritiesAreDrawnMoreOftenAndLowerOnesAreNotStarved() throws Exception {
        int[] highFirstHalf = new int[1];
        int[] lowFirstHalf = new int[1];
        TestScheduler.many(20, scheduler -> {
            Executor executor = scheduler.background();
            List<Priority> ran = new ArrayList<>();
            List<Task<?>> tasks = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                tasks.add(executor.spawnWithPriority(Priority.HIGH, () -> {
                    ran.add(Priority.HIGH);
                }));
                tasks.add(executor.spawnWithPriority(Priority.LOW, () -> {
                    ran.add(Priority.LOW);
                }));
            }
            tasks.forEach(Task::join);
            List<Priority> firstHalf = ran.subList(0, 50);
            highFirstHalf[0] += (int) firstHalf.stream().filter(Priority.HIGH::equals).count();
            lowFirstHalf[0] += (int) firstHalf.stream().filter(Priority.LOW::equals).count();
        });

        // With weights 60:10, HIGH wins 6 draws in 7 while both wait: far more than half the early steps.
        assertThat(highFirstHalf[0]).isGreaterThan(3 * lowFirstHalf[0]);
        assertThat(lowFirstHalf[0]).isPositive();
    }

    // ---------------------------------------------------------------- time

    @Test
    void timeStandsStillUntilTheClockIsAdvanced() {
        TestScheduler scheduler = new TestScheduler();
        Task<Void> timer = scheduler.background().timer(Duration.ofSeconds(1));

        scheduler.runUntilParked();

        assertThat(scheduler.now()).isEqualTo(TestScheduler.START);
        assertThat(timer.isDone()).isFalse();
        scheduler.advanceClock(Duration.ofSeconds(1));
        assertThat(timer.isDone()).isTrue();
        assertThat(scheduler.now()).isEqualTo(TestScheduler.START.plusSeconds(1));
    }

    @Test
    void timersFireInDeadlineOrderEachSeeingItsOwnDeadline() throws Exception {
        TestScheduler.many(20, scheduler -> {
            Executor executor = scheduler.background();
            List<Instant> firedAt = new ArrayList<>();
            List<Duration> delays = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                Duration delay = Duration.ofMillis(scheduler.rng().nextInt(1, 10_000));
                delays.add(delay);
                executor.spawn(() -> {
                    executor.timer(delay).join();
                    firedAt.add(executor.now());
                });
            }

            scheduler.advanceClock(Duration.ofSeconds(10));

            assertThat(firedAt).isSorted()
                    .containsExactlyElementsOf(delays.stream().sorted().map(TestScheduler.START::plus).toList());
        });
    }

    @Test
    void timersWithTheSameDeadlineFireInTheOrderTheyWereSet() {
        TestScheduler scheduler = new TestScheduler();
        List<Integer> fired = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int index = i;
            scheduler.scheduleAfter(Duration.ofSeconds(1), () -> fired.add(index));
        }

        scheduler.advanceClock(Duration.ofSeconds(1));

        assertThat(fired).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void aCancelledTimerNeverFiresAndNeverMovesTheClock() {
        TestScheduler scheduler = new TestScheduler();
        List<String> fired = new ArrayList<>();
        scheduler.scheduleAfter(Duration.ofHours(1), () -> fired.add("cancelled")).cancel();
        Task<Void> later = scheduler.background().timer(Duration.ofHours(2));

        later.join();

        assertThat(fired).isEmpty();
        assertThat(scheduler.now()).isEqualTo(TestScheduler.START.plus(Duration.ofHours(2)));
    }

    @Test
    void advanceClockRunsEverythingEachTimerLetsRunBeforeTheNextFires() {
        TestScheduler scheduler = new TestScheduler();
        Executor executor = scheduler.background();
        List<Instant> ticks = new ArrayList<>();
        Task<Void> poller = executor.spawn(() -> {
            for (int i = 0; i < 5; i++) {
                executor.timer(Duration.ofMinutes(1)).join();
                ticks.add(executor.now());
            }
        });

        scheduler.advanceClock(Duration.ofHours(1));

        assertThat(poller.isDone()).isTrue();
        assertThat(ticks).containsExactly(
                TestScheduler.START.plus(Duration.ofMinutes(1)), TestScheduler.START.plus(Duration.ofMinutes(2)),
                TestScheduler.START.plus(Duration.ofMinutes(3)), TestScheduler.START.plus(Duration.ofMinutes(4)),
                TestScheduler.START.plus(Duration.ofMinutes(5)));
        assertThat(scheduler.now()).isEqualTo(TestScheduler.START.plus(Duration.ofHours(1)));
    }

    @Test
    void blockOnJumpsTheClockToTheNextTimerWhenNothingCanRun() {
        TestScheduler scheduler = new TestScheduler();
        Executor executor = scheduler.background();

        executor.blockOn(executor.timer(Duration.ofDays(3)));

        assertThat(scheduler.now()).isEqualTo(TestScheduler.START.plus(Duration.ofDays(3)));
    }

    @Test
    void blockWithTimeoutGivesUpAfterItsTickBudgetWithoutCancelling() {
        TestScheduler scheduler = new TestScheduler();
        scheduler.setTimeoutTicks(3, 3);
        Executor executor = scheduler.background();
        AtomicInteger steps = new AtomicInteger();
        Task<Void> busy = executor.spawn(() -> {
            for (int i = 0; i < 100; i++) {
                steps.incrementAndGet();
                Thread.yield();
            }
        });

        Optional<Void> result = executor.blockWithTimeout(Duration.ofHours(1), busy);

        assertThat(result).isEmpty();
        assertThat(steps).hasValue(3);
        assertThat(busy.isCancelled()).isFalse();
        busy.join();
        assertThat(steps).hasValue(100);
    }

    @Test
    void blockWithTimeoutNeverJumpsPastItsVirtualDeadline() {
        TestScheduler scheduler = new TestScheduler();
        Executor executor = scheduler.background();
        Task<Void> hourLong = executor.timer(Duration.ofHours(1));

        assertThat(executor.blockWithTimeout(Duration.ofMinutes(1), hourLong)).isEmpty();
        assertThat(scheduler.now()).isEqualTo(TestScheduler.START);
        assertThat(executor.blockWithTimeout(Duration.ofHours(2), executor.spawn(() -> "soon"))).contains("soon");
    }

    // ---------------------------------------------------------------- deadlocks and non-determinism

    @Test
    void aDeadlockReportNamesBothStuckTasksEachWithItsOwnParkSite() {
        TestScheduler scheduler = new TestScheduler();
        Executor executor = scheduler.background();
        // Each waits for what only the other would complete after its own wait.
        CompletableFuture<Void> alphaDone = new CompletableFuture<>();
        CompletableFuture<Void> betaDone = new CompletableFuture<>();
        AtomicReference<String> alphaWaits = new AtomicReference<>();
        AtomicReference<String> betaWaits = new AtomicReference<>();
        Task<Void> alpha = executor.spawnLabeled(TaskLabel.of("alpha"), () -> {
            waitNotingWhere(executor, betaDone, alphaWaits);
            alphaDone.complete(null);
        });
        Task<Void> beta = executor.spawnLabeled(TaskLabel.of("beta"), () -> {
            waitNotingWhere(executor, alphaDone, betaWaits);
            betaDone.complete(null);
        });

        Throwable report = catchThrowable(alpha::join);

        String alphaEntry = "task " + alpha.id() + " \"alpha\" (background, MEDIUM), spawned at " + TestSchedulerTest.class.getName();
        String betaEntry = "task " + beta.id() + " \"beta\" (background, MEDIUM), spawned at " + TestSchedulerTest.class.getName();
        assertThat(report)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Parking forbidden")
                .hasMessageContaining("2 tasks are pending")
                .hasMessageContaining(alphaEntry)
                .hasMessageContaining(betaEntry)
                .hasMessageContaining("call allowParking()");
        String message = report.getMessage();
        assertThat(message.split("parked at:", -1)).hasSize(3);
        String alphaPart = message.substring(message.indexOf(alphaEntry), message.indexOf(betaEntry));
        String betaPart = message.substring(message.indexOf(betaEntry));
        assertThat(alphaPart).contains("at dev.scheduler.AbstractExecutor.blockOn").contains("at " + alphaWaits.get())
                .doesNotContain(betaWaits.get());
        assertThat(betaPart).contains("at dev.scheduler.AbstractExecutor.blockOn").contains("at " + betaWaits.get())
                .doesNotContain(alphaWaits.get());
    }

    @Test
    void aJoinCycleFailsAtOnceNamingTheCycleOnEverySeed() throws Exception {
        TestScheduler.many(50, scheduler -> {
            Executor executor = scheduler.background();
            // Each body learns the other's handle only after both are spawned; neither runs before the joins below.
            AtomicReference<Task<Void>> aHandle = new AtomicReference<>();
            AtomicReference<Task<Void>> bHandle = new AtomicReference<>();
            Task<Void> a = executor.spawnLabeled(TaskLabel.of("a"), () -> {
                bHandle.get().join();
            });
            Task<Void> b = executor.spawnLabeled(TaskLabel.of("b"), () -> {
                aHandle.get().join();
            });
            aHandle.set(a);
            bHandle.set(b);

            Throwable aFailure = catchThrowable(a::join);
            Throwable bFailure = catchThrowable(b::join);

            assertThat(List.of(aFailure, bFailure)).allSatisfy(failure -> assertThat(failure)
                    .isInstanceOf(CompletionException.class).rootCause().isInstanceOf(IllegalStateException.class)
                    .message().startsWith("Join cycle: task ").endsWith(", so none of them can ever finish")
                    .contains("\"a\"").contains("\"b\""));
        });
    }

    @Test
    void aDeadlockThroughBlockOnShowsTheBlockOnFrames() {
        TestScheduler scheduler = new TestScheduler();
        Executor executor = scheduler.background();
        CompletableFuture<Void> alphaReady = new CompletableFuture<>();
        CompletableFuture<Void> betaReady = new CompletableFuture<>();
        Task<Void> alpha = executor.spawnLabeled(TaskLabel.of("alpha"), () -> {
            executor.blockOn(betaReady);
            alphaReady.complete(null);
        });
        executor.spawnLabeled(TaskLabel.of("beta"), () -> {
            executor.blockOn(alphaReady);
            betaReady.complete(null);
        });

        assertThatThrownBy(alpha::join)
                .hasMessageStartingWith("Parking forbidden")
                .hasMessageContaining("at dev.scheduler.AbstractExecutor.blockOn")
                .hasMessageContaining("at " + TestSchedulerTest.class.getName() + ".lambda$aDeadlockThroughBlockOn");
    }

    @Test
    void aWaitThatOnlyEverFiresAPeriodicTimerIsReportedAsALivelockNotAHang() {
        TestScheduler scheduler = new TestScheduler();
        Executor executor = scheduler.background();
        AtomicInteger heartbeats = new AtomicInteger();
        Runnable[] heartbeat = new Runnable[1];
        heartbeat[0] = () -> {
            heartbeats.incrementAndGet();
            scheduler.scheduleAfter(Duration.ofSeconds(1), heartbeat[0]);
        };
        scheduler.scheduleAfter(Duration.ofSeconds(1), heartbeat[0]);
        Task<Object> never = executor.spawnLabeled(TaskLabel.of("never"), () -> executor.blockOn(new CompletableFuture<>()));

        assertThatThrownBy(never::join)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Livelock: this wait jumped the clock " + TestScheduler.MAX_CLOCK_JUMPS_PER_WAIT + " times")
                .hasMessageContaining("\"never\"")
                .hasMessageContaining("parked at:");
        assertThat(heartbeats).hasValue(TestScheduler.MAX_CLOCK_JUMPS_PER_WAIT);
    }

    @Test
    void aStepFromAnotherThreadIsAcceptedAndReportedAsNonDeterminism() throws Exception {
        TestScheduler scheduler = new TestScheduler();
        Executor executor = scheduler.background();
        List<Task<Integer>> spawned = new ArrayList<>();
        Thread outsider = new Thread(() -> spawned.add(executor.spawn(() -> 7)), "outsider");
        outsider.start();
        outsider.join();

        assertThatThrownBy(scheduler::endTest)
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Your test is not deterministic")
                .hasMessageContaining("from thread \"outsider\"")
                .cause().hasStackTraceContaining("TestSchedulerTest.lambda$aStepFromAnotherThread");
        assertThat(spawned.getFirst().resultNow()).isEqualTo(7);
    }

    @Test
    void aWakeUpFromAnotherThreadIsReportedAsNonDeterminism() throws Exception {
        TestScheduler scheduler = new TestScheduler();
        Executor executor = scheduler.background();
        CompletableFuture<String> reply = new CompletableFuture<>();
        Task<String> waiter = executor.spawn(() -> executor.blockOn(reply));
        scheduler.runUntilParked();
        Thread network = new Thread(() -> reply.complete("pong"), "network");
        network.start();
        network.join();

        assertThatThrownBy(scheduler::endTest)
                .hasMessageContaining("Your test is not deterministic")
                .hasMessageContaining("from thread \"network\"");
        assertThat(waiter.resultNow()).isEqualTo("pong");
    }

    /**
     * The JDK gives a virtual thread the scheduler of the virtual thread that started it; one that a
     * body starts is not the task, and runs outside the scheduler like any thread the test starts.
     */
    @Test
    void aVirtualThreadABodyStartsRunsOutsideTheSchedulerAndOutlivesIt() throws Exception {
        SynchronousQueue<String> handOver = new SynchronousQueue<>();
        CompletableFuture<String> took = new CompletableFuture<>();
        Thread started;
        try (TestScheduler scheduler = new TestScheduler()) {
            Executor executor = scheduler.background();
            started = executor.spawn(() -> Thread.ofVirtual().start(() -> {
                try {
                    took.complete(handOver.take());
                } catch (Throwable e) {
                    took.completeExceptionally(e);
                }
            })).join();
            scheduler.endTest();
        }

        assertThat(handOver.offer("after the close", 60, TimeUnit.SECONDS)).as("taken within the hang guard").isTrue();
        assertThat(took.get(60, TimeUnit.SECONDS)).isEqualTo("after the close");
        assertThat(started.join(Duration.ofSeconds(60))).as("ended within the hang guard").isTrue();
    }

    @Test
    void whenParkingIsAllowedTheSchedulerWaitsForOtherThreads() throws Exception {
        TestScheduler scheduler = new TestScheduler(TestSchedulerConfig.builder().allowParking(true).build());
        Executor executor = scheduler.background();
        CompletableFuture<String> reply = new CompletableFuture<>();
        Task<String> waiter = executor.spawn(() -> executor.blockOn(reply));
        Thread network = new Thread(() -> reply.complete("pong"), "network");
        network.start();

        assertThat(waiter.join()).isEqualTo("pong");
        network.join();
        scheduler.endTest();
    }

    // ---------------------------------------------------------------- hooks and lifecycle

    @Test
    void isTaskRunningHoldsUntilTheBodyFinishes() {
        TestScheduler scheduler = new TestScheduler();
        Executor executor = scheduler.background();
        Task<Void> task = executor.spawn(() -> executor.timer(Duration.ofSeconds(1)).join());

        scheduler.runUntilParked();
        assertThat(scheduler.isTaskRunning(task.id())).isTrue();
        assertThat(scheduler.pendingTasks()).containsExactly(task);

        scheduler.advanceClock(Duration.ofSeconds(1));
        assertThat(scheduler.isTaskRunning(task.id())).isFalse();
        assertThat(scheduler.pendingTasks()).isEmpty();
    }

    @Test
    void simulateRandomDelayLetsOtherStepsOvertake() throws Exception {
        Set<String> orders = new HashSet<>();
        TestScheduler.many(50, TestSchedulerConfig.builder().randomizeOrder(false).build(), scheduler -> {
            Executor executor = scheduler.background();
            StringBuilder order = new StringBuilder();
            Task<Void> first = executor.spawn(() -> {
                scheduler.simulateRandomDelay();
                order.append('a');
            });
            Task<Void> second = executor.spawn(() -> {
                order.append('b');
            });
            first.join();
            second.join();
            orders.add(order.toString());
        });

        assertThat(orders).containsExactlyInAnyOrder("ab", "ba");
    }

    @Test
    void isMainThreadHoldsInForegroundTasksAndNotInBackgroundOnes() {
        TestScheduler scheduler = new TestScheduler();
        ForegroundExecutor foreground = scheduler.foreground();
        Executor background = scheduler.background();

        assertThat(scheduler.isMainThread()).isTrue();
        assertThat(foreground.spawn(foreground::isMainThread).join()).isTrue();
        assertThat(background.spawn(background::isMainThread).join()).isFalse();
        assertThat(foreground.spawn(() -> {
            background.spawn(() -> 1).join();
            return foreground.isMainThread();
        }).join()).isTrue();
    }

    @Test
    void testHooksMustBeCalledOnTheSchedulersThreadOutsideAnyTask() throws Exception {
        TestScheduler scheduler = new TestScheduler();
        Executor executor = scheduler.background();
        Task<Object> driving = executor.spawnLabeled(TaskLabel.of("driver"), () -> {
            scheduler.runUntilParked();
            return null;
        });
        assertThatThrownBy(driving::join).cause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("TestScheduler.runUntilParked() must be called on the scheduler's thread \""
                        + Thread.currentThread().getName() + "\" outside any task, but was called from the body of task "
                        + driving.id() + " \"driver\"");

        Throwable[] fromOtherThread = new Throwable[1];
        Thread other = new Thread(() -> {
            try {
                scheduler.advanceClock(Duration.ofSeconds(1));
            } catch (Throwable e) {
                fromOtherThread[0] = e;
            }
        }, "intruder");
        other.start();
        other.join();
        assertThat(fromOtherThread[0]).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("was called from thread \"intruder\"");
    }

    @Test
    void aClosedSchedulerRejectsNewWork() {
        TestScheduler scheduler = new TestScheduler();
        Executor executor = scheduler.background();
        scheduler.close();

        assertThatThrownBy(() -> executor.spawn(() -> 1))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("is closed");
        assertThatThrownBy(() -> executor.timer(Duration.ofSeconds(1))).isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void closingCancelsPendingTasksAndLetsTheirBodiesUnwind() {
        TestScheduler scheduler = new TestScheduler();
        Executor executor = scheduler.background();
        List<String> cleanedUp = new ArrayList<>();
        Task<Void> task = executor.spawn(() -> {
            try {
                executor.timer(Duration.ofDays(1)).join();
            } finally {
                cleanedUp.add("finally");
            }
        });
        scheduler.runUntilParked();

        scheduler.close();

        assertThat(task.isCancelled()).isTrue();
        assertThat(cleanedUp).containsExactly("finally");
        assertThat(scheduler.isTaskRunning(task.id())).isFalse();
    }

    @Test
    void queueDepthsCountWaitingStepsAndTimers() {
        TestScheduler scheduler = new TestScheduler();
        Executor executor = scheduler.background();
        executor.spawn(() -> 1);
        executor.spawn(() -> 2);
        scheduler.foreground().spawn(() -> 3);
        executor.timer(Duration.ofSeconds(1));

        assertThat(scheduler.queueDepths().background()).isEqualTo(2);
        assertThat(scheduler.queueDepths().foreground()).isEqualTo(1);
        assertThat(scheduler.queueDepths().timers()).isEqualTo(1);
        scheduler.advanceClock(Duration.ofSeconds(1));
        assertThat(scheduler.queueDepths().total()).isZero();
    }

    @Test
    void manyFailsWithTheFailingSeedAndItsReplayCommandCausedByWhatTheRunThrew() {
        IllegalStateException unlucky = new IllegalStateException("seed six is unlucky");

        assertThatThrownBy(() -> TestScheduler.many(10, scheduler -> {
            if (scheduler.seed() == 6) {
                throw unlucky;
            }
        }))
                .isExactlyInstanceOf(AssertionError.class)
                .hasMessageStartingWith("Failing seed: 6" + System.lineSeparator() + "Replay it with: SEED=6 ITERATIONS=1 mvn "
                        + "-pl scheduler-core -am test -Dtest='TestSchedulerTest#"
                        + "manyFailsWithTheFailingSeedAndItsReplayCommandCausedByWhatTheRunThrew'")
                .hasMessageEndingWith("java.lang.IllegalStateException: seed six is unlucky")
                .cause().isSameAs(unlucky);
    }

    @Test
    void manyLetsAFailedAssumptionThroughAsItIs() {
        TestAbortedException skipped = new TestAbortedException("no network here");

        assertThatThrownBy(() -> TestScheduler.many(10, scheduler -> {
            throw skipped;
        })).isSameAs(skipped);
    }

    @Test
    void theSeedSystemPropertyReplaysOneSeed() throws Exception {
        System.setProperty("scheduler.seed", "17");
        try {
            List<Long> seeds = new ArrayList<>();
            TestScheduler.many(100, scheduler -> seeds.add(scheduler.seed()));
            assertThat(seeds).containsExactly(17L);
        } finally {
            System.clearProperty("scheduler.seed");
        }
    }

    // ---------------------------------------------------------------- workloads

    /** Joins {@code task} from a task body, first noting the body's frame that waits, as a stack trace prints it. */
    private static void waitNotingWhere(Executor executor, CompletableFuture<Void> future,
            AtomicReference<String> waitingFrame) {
        waitingFrame.set(StackWalker.getInstance().walk(frames -> frames.skip(1).findFirst()).orElseThrow()
                .toStackTraceElement().toString());
        executor.blockOn(future);
    }

    private static String orderOfThreeTasks(TestScheduler scheduler) {
        Executor executor = scheduler.background();
        StringBuilder order = new StringBuilder();
        List<Task<?>> tasks = List.of(
                executor.spawn(() -> order.append('a')),
                executor.spawn(() -> order.append('b')),
                executor.spawn(() -> order.append('c')));
        tasks.forEach(Task::join);
        return order.toString();
    }

    private static List<String> traceOfRandomWorkload(long seed) {
        try (TestScheduler scheduler = new TestScheduler(TestSchedulerConfig.builder().seed(seed).recordTrace(true).build())) {
            randomWorkload(scheduler);
            scheduler.endTest();
            return scheduler.trace();
        }
    }

    /** About 400 tasks of four shapes that join each other, sleep on timers and yield; the shape is fixed. */
    private static void randomWorkload(TestScheduler scheduler) {
        SplittableRandom shape = new SplittableRandom(1234);
        Executor background = scheduler.background();
        ForegroundExecutor foreground = scheduler.foreground();
        List<Task<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            int value = i;
            Task<Integer> dependency = tasks.isEmpty() ? Task.ready(0) : tasks.get(shape.nextInt(tasks.size()));
            Priority priority = Priority.values()[shape.nextInt(3)];
            Duration delay = Duration.ofMillis(shape.nextInt(1, 500));
            tasks.add(switch (shape.nextInt(4)) {
                case 0 -> background.spawnWithPriority(priority, () -> value);
                case 1 -> background.spawnWithPriority(priority, () -> dependency.join() + value);
                case 2 -> foreground.spawn(() -> {
                    background.timer(delay).join();
                    return value;
                });
                default -> background.spawnLabeled(TaskLabel.of("yielder"), () -> {
                    scheduler.simulateRandomDelay();
                    Thread.yield();
                    return dependency.join() + 1;
                });
            });
        }
        tasks.forEach(Task::join);
    }
}
