package dev.scheduler.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scheduler.Executor;
import dev.scheduler.ForegroundExecutor;
import dev.scheduler.Priority;
import dev.scheduler.QueueDepths;
import dev.scheduler.Task;
import dev.scheduler.TaskLabel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Properties of the {@code TestScheduler}, checked on random programs: spawns on background and
 * foreground executors with random priorities and labels, joins of earlier tasks, timers, yields,
 * nested spawns and cancellations. Each program is drawn from its own seed and run under several
 * scheduler seeds; a failure names both, so that it replays.
 *
 * <p>The programs are generated here rather than with a property-testing library: jqwik, the
 * obvious choice, asks in its licence terms not to be used by AI coding agents, which write much
 * of this project, and the generator needs nothing a seeded {@link SplittableRandom} lacks.
 */
class TestSchedulerPropertiesTest {

    private static final int PROGRAMS = 150;
    private static final int SCHEDULER_SEEDS = 4;

    static LongStream programs() {
        return LongStream.range(0, PROGRAMS);
    }

    @ParameterizedTest(name = "program {0}")
    @MethodSource("programs")
    void theSameSeedAlwaysTakesTheSameSteps(long program) throws Exception {
        for (long seed = 0; seed < SCHEDULER_SEEDS; seed++) {
            TestScheduler.run(TestSchedulerConfig.builder().seed(seed).checkDeterminism(true).build(),
                    scheduler -> new Program(program, scheduler).run());
        }
    }

    @ParameterizedTest(name = "program {0}")
    @MethodSource("programs")
    void everyRunKeepsSessionOrderDeadlineOrderAndTheDeprioritizeRule(long program) throws Exception {
        for (long seed = 0; seed < SCHEDULER_SEEDS; seed++) {
            long schedulerSeed = seed;
            TestScheduler.withSeed(seed, scheduler -> {
                Program run = new Program(program, scheduler);
                run.run();
                String where = "program " + program + ", scheduler seed " + schedulerSeed;

                for (List<Integer> session : run.startsBySession) {
                    assertThat(session).as("foreground tasks of one session start in spawn order, " + where).isSorted();
                }
                assertThat(run.firings).as("timers fire in deadline order, then scheduling order, " + where)
                        .isSortedAccordingTo(Comparator.comparing(Firing::deadline).thenComparing(Firing::order));
                assertThat(run.firings).as("each timer fires at its own deadline, " + where)
                        .allSatisfy(firing -> assertThat(firing.firedAt()).isEqualTo(firing.deadline()));
                assertThat(run.deprioritizedRanWhileOthersWaited).as("a deprioritized step ran while "
                        + "other steps could, " + where).isEmpty();
                for (Program.Cancelled cancelled : run.cancelled) {
                    assertThat(cancelled.task().isCancelled()).as(where).isTrue();
                    if (!cancelled.startedBeforeCancel()) {
                        assertThat(run.started).as("a task cancelled before it started never starts, " + where)
                                .doesNotContain(cancelled.index());
                    }
                }
            });
        }
    }

    @ParameterizedTest(name = "programs from {0}")
    @MethodSource("priorityBatches")
    void whenStepsOfEveryPriorityWaitHighIsDrawnMostAndLowIsNeverStarved(long first) throws Exception {
        int[] firstRuns = new int[Priority.values().length];
        for (long seed = first; seed < first + 200; seed++) {
            TestScheduler.withSeed(seed, scheduler -> {
                Executor executor = scheduler.background();
                List<Priority> order = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    for (Priority priority : Priority.values()) {
                        executor.spawnWithPriority(priority, () -> {
                            order.add(priority);
                        });
                    }
                }
                scheduler.runUntilParked();
                firstRuns[order.getFirst().ordinal()]++;
                assertThat(order).containsOnly(Priority.values()).hasSize(9);
            });
        }
        // Weights 60/30/10: of 200 first draws, about 120, 60 and 20; the margins are wide.
        assertThat(firstRuns[Priority.HIGH.ordinal()]).isBetween(90, 150);
        assertThat(firstRuns[Priority.MEDIUM.ordinal()]).isBetween(35, 85);
        assertThat(firstRuns[Priority.LOW.ordinal()]).isBetween(5, 40);
    }

    static LongStream priorityBatches() {
        return LongStream.of(0, 1_000, 2_000);
    }

    /** One timer's deadline, the order it was scheduled in, and the virtual time it fired at. */
    record Firing(Instant deadline, int order, Instant firedAt) {
    }

    /** A random program, the same for one program seed whatever the scheduler seed. */
    private static final class Program {

        record Cancelled(int index, Task<?> task, boolean startedBeforeCancel) {
        }

        private static final TaskLabel PREFETCH = TaskLabel.of("prefetch");

        final SplittableRandom random;
        final TestScheduler scheduler;
        final Executor background;
        final List<ForegroundExecutor> sessions = new ArrayList<>();
        final List<List<Integer>> startsBySession = new ArrayList<>();
        final List<Task<?>> tasks = new ArrayList<>();
        final List<Integer> started = new ArrayList<>();
        final List<Firing> firings = new ArrayList<>();
        final List<String> deprioritizedRanWhileOthersWaited = new ArrayList<>();
        final List<Cancelled> cancelled = new ArrayList<>();
        int timers;

        Program(long seed, TestScheduler scheduler) {
            this.random = new SplittableRandom(seed);
            this.scheduler = scheduler;
            this.background = scheduler.background();
            background.deprioritize(PREFETCH);
            for (int i = random.nextInt(1, 3); i > 0; i--) {
                sessions.add(scheduler.foreground());
                startsBySession.add(new ArrayList<>());
            }
        }

        void run() {
            int count = random.nextInt(5, 25);
            for (int i = 0; i < count; i++) {
                spawn(i);
                if (random.nextInt(6) == 0) {
                    timer();
                }
                if (random.nextInt(8) == 0 && !tasks.isEmpty()) {
                    cancel(random.nextInt(tasks.size()));
                }
                if (random.nextInt(5) == 0) {
                    scheduler.tick();
                }
            }
            for (Task<?> task : tasks) {
                try {
                    task.join();
                } catch (CancellationException | CompletionException expected) {
                    // cancelled, or joined a cancelled task
                }
            }
            scheduler.advanceClock(Duration.ofHours(1));
        }

        private void spawn(int index) {
            List<Integer> joins = new ArrayList<>();
            for (int j = random.nextInt(3); j > 0 && !tasks.isEmpty(); j--) {
                joins.add(random.nextInt(tasks.size()));
            }
            long sleepMillis = random.nextInt(3) == 0 ? random.nextInt(1, 5_000) : 0;
            boolean child = random.nextInt(4) == 0;
            boolean yields = random.nextBoolean();
            List<Task<?>> earlier = List.copyOf(tasks);
            int kind = random.nextInt(10);
            Task<?> task;
            if (kind < 3) {
                int session = random.nextInt(sessions.size());
                ForegroundExecutor foreground = sessions.get(session);
                task = foreground.spawn(() -> {
                    startsBySession.get(session).add(index);
                    body(index, joins, earlier, sleepMillis, child, yields);
                });
            } else if (kind < 4) {
                task = background.spawnLabeled(PREFETCH, () -> {
                    QueueDepths waiting = scheduler.queueDepths();
                    if (waiting.background() + waiting.foreground() > 0) {
                        deprioritizedRanWhileOthersWaited.add("task " + index + " while " + waiting);
                    }
                    started.add(index);
                });
            } else {
                Priority priority = Priority.values()[random.nextInt(3)];
                task = background.spawnWithPriority(priority, () ->
                        body(index, joins, earlier, sleepMillis, child, yields));
            }
            tasks.add(task);
        }

        /** Joins earlier tasks (so never a cycle), yields, sleeps on a timer and joins a child, as drawn. */
        private void body(int index, List<Integer> joins, List<Task<?>> earlier, long sleepMillis, boolean child,
                boolean yields) {
            started.add(index);
            for (int joined : joins) {
                try {
                    earlier.get(joined).join();
                } catch (CancellationException | CompletionException cancelledOrFailed) {
                    // the joined task was cancelled, or failed because what it joined was
                }
            }
            if (yields) {
                scheduler.simulateRandomDelay();
            }
            if (sleepMillis > 0) {
                background.timer(Duration.ofMillis(sleepMillis)).join();
            }
            if (child) {
                background.spawn(() -> { }).join();
            }
        }

        private void timer() {
            int order = timers++;
            Duration delay = Duration.ofMillis(random.nextInt(0, 10_000));
            Instant deadline = scheduler.now().plus(delay);
            scheduler.scheduleAfter(delay, () -> firings.add(new Firing(deadline, order, scheduler.now())));
        }

        private void cancel(int index) {
            Task<?> task = tasks.get(index);
            boolean startedBefore = task.isStarted();
            if (task.cancel()) {
                cancelled.add(new Cancelled(index, task, startedBefore));
            }
        }
    }
}
