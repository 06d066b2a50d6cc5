package dev.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scheduler.test.TestScheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** What an executor wraps around a task's body, and what a task's thread is called. */
class TaskDecorationTest {

    private static final ThreadLocal<String> CONTEXT = new ThreadLocal<>();

    /** Captures the spawning thread's context when called, and restores it around the body. */
    private static UnaryOperator<Runnable> propagating() {
        return body -> {
            String captured = CONTEXT.get();
            return () -> {
                CONTEXT.set(captured);
                try {
                    body.run();
                } finally {
                    CONTEXT.remove();
                }
            };
        };
    }

    @Nested
    class Decorators {

        @Test
        void aDecoratorCapturesOnTheSpawningThreadAndHoldsOnTheTasksThreadAcrossEveryPark() {
            try (TestScheduler scheduler = new TestScheduler()) {
                Executor executor = scheduler.background();
                executor.addDecorator(propagating());
                CONTEXT.set("spawner");
                Task<List<String>> task;
                try {
                    task = executor.spawn(() -> {
                        List<String> seen = new ArrayList<>();
                        seen.add(CONTEXT.get());
                        executor.timer(Duration.ofMinutes(1)).join();
                        seen.add(CONTEXT.get());
                        executor.spawn(() -> { }).join();
                        seen.add(CONTEXT.get());
                        return seen;
                    });
                    CONTEXT.set("changed after the spawn");
                } finally {
                    CONTEXT.remove();
                }

                assertThat(task.join()).containsExactly("spawner", "spawner", "spawner");
            }
        }

        @Test
        void decoratorsApplyInTheOrderTheyWereAddedTheFirstWrappingTheBody() {
            try (TestScheduler scheduler = new TestScheduler()) {
                Executor executor = scheduler.background();
                List<String> order = new ArrayList<>();
                executor.addDecorator(body -> () -> {
                    order.add("first");
                    body.run();
                });
                executor.addDecorator(body -> () -> {
                    order.add("second");
                    body.run();
                });

                executor.spawn(() -> order.add("body")).join();

                assertThat(order).containsExactly("second", "first", "body");
            }
        }

        @Test
        void theBodysResultAndItsCheckedExceptionReachTheTaskUnchanged() {
            try (TestScheduler scheduler = new TestScheduler()) {
                Executor executor = scheduler.background();
                executor.addDecorator(propagating());
                IOException checked = new IOException("disk");

                assertThat(executor.spawn(() -> 42).join()).isEqualTo(42);
                assertThatThrownBy(executor.spawn(() -> {
                    throw checked;
                })::join).isInstanceOf(CompletionException.class).cause().isSameAs(checked);
            }
        }

        @Test
        void aRemovedDecoratorNoLongerApplies() {
            try (TestScheduler scheduler = new TestScheduler()) {
                ForegroundExecutor foreground = scheduler.foreground();
                UnaryOperator<Runnable> marking = body -> () -> {
                    CONTEXT.set("marked");
                    try {
                        body.run();
                    } finally {
                        CONTEXT.remove();
                    }
                };
                foreground.addDecorator(marking);
                assertThat(foreground.spawn(CONTEXT::get).join()).isEqualTo("marked");

                assertThat(foreground.removeDecorator(marking)).isTrue();

                assertThat(foreground.spawn(CONTEXT::get).join()).isNull();
                assertThat(foreground.removeDecorator(marking)).isFalse();
            }
        }

        @Test
        void aDecoratorThatReturnsNullIsRefusedAtTheSpawnNamingIt() {
            try (TestScheduler scheduler = new TestScheduler()) {
                Executor executor = scheduler.background();
                executor.addDecorator(body -> null);

                assertThatThrownBy(() -> executor.spawn(() -> 1)).isInstanceOf(NullPointerException.class)
                        .hasMessageStartingWith("decorator ").hasMessageEndingWith(" returned null");
                assertThat(scheduler.pendingTasks()).isEmpty();
            }
        }

        @Test
        void aDecoratorThatCatchesTheBodysFailureDoesNotMakeTheTaskSucceed() {
            try (TestScheduler scheduler = new TestScheduler()) {
                Executor executor = scheduler.background();
                List<Throwable> logged = new ArrayList<>();
                executor.addDecorator(body -> () -> {
                    try {
                        body.run();
                    } catch (RuntimeException e) {
                        logged.add(e); // "log and carry on"
                    }
                });
                IllegalStateException boom = new IllegalStateException("boom");

                assertThatThrownBy(executor.spawn(() -> {
                    throw boom;
                })::join).isInstanceOf(CompletionException.class).cause().isSameAs(boom);
                assertThat(logged).containsExactly(boom);
            }
        }

        @Test
        void aDecoratorThatRunsTheBodyTwiceFailsTheTaskAndTheBodyRunsOnce() {
            try (TestScheduler scheduler = new TestScheduler()) {
                Executor executor = scheduler.background();
                executor.addDecorator(body -> () -> {
                    body.run();
                    body.run();
                });
                int[] runs = new int[1];

                assertThatThrownBy(executor.spawn(() -> ++runs[0])::join).cause().isInstanceOf(IllegalStateException.class)
                        .hasMessageStartingWith("A task decorator ran the task's body twice");
                assertThat(runs[0]).isEqualTo(1);
            }
        }

        @Test
        void aDecoratorThatNeverRunsTheBodyFailsTheTask() {
            try (TestScheduler scheduler = new TestScheduler()) {
                Executor executor = scheduler.background();
                executor.addDecorator(body -> () -> { });

                assertThatThrownBy(executor.spawn(() -> 1)::join).cause().isInstanceOf(IllegalStateException.class)
                        .hasMessageStartingWith("A task decorator did not run the task's body");
            }
        }
    }

    @Nested
    class ThreadNames {

        @Test
        void aTasksThreadIsNamedForItsIdAndLabelSoThatDumpsAndLogsSayWhichTaskItIs() {
            try (TestScheduler scheduler = new TestScheduler()) {
                Executor executor = scheduler.background();

                Task<String> labelled = executor.spawnLabeled(TaskLabel.of("indexer"), () -> Thread.currentThread().getName());
                Task<String> plain = executor.spawn(() -> Thread.currentThread().getName());

                assertThat(labelled.join()).isEqualTo("task-" + labelled.id().value() + " indexer");
                assertThat(plain.join()).isEqualTo("task-" + plain.id().value());
            }
        }
    }
}
