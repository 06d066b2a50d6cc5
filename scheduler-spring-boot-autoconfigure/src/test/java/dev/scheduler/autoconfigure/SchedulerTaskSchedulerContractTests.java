package dev.scheduler.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scheduler.Executor;
import dev.scheduler.Scheduler;
import dev.scheduler.dispatch.DispatcherOptions;
import dev.scheduler.dispatch.PortableDispatcher;
import dev.scheduler.test.TestScheduler;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.core.task.TaskRejectedException;
import org.springframework.scheduling.Trigger;

/**
 * The contract Spring Framework's own tests hold {@code ThreadPoolTaskScheduler} and
 * {@code SimpleAsyncTaskScheduler} to, held against the bridge on a real dispatcher and on the
 * {@code TestScheduler}. Waits go through {@link Executor#blockOn}, which waits in real time on the
 * dispatcher and runs virtual time under the TestScheduler, so one text states both.
 */
class SchedulerTaskSchedulerContractTests {

    private static final Duration PERIOD = Duration.ofMillis(10);

    @Nested
    class OnTheTestScheduler extends Contract {

        @Override
        Scheduler open() {
            return new TestScheduler();
        }

        @Test
        void anHourOfAOneMinuteFixedRateJobStartedNowIsSixtyOneRunsTheLastAtTheHourItself() {
            TestScheduler test = (TestScheduler) scheduler;
            List<Instant> runs = new CopyOnWriteArrayList<>();
            Instant start = taskScheduler.getClock().instant();

            ScheduledFuture<?> job = taskScheduler.scheduleAtFixedRate(() -> runs.add(taskScheduler.getClock().instant()),
                    start, Duration.ofMinutes(1));
            test.advanceClock(Duration.ofHours(1));

            assertThat(runs).hasSize(61).startsWith(start).endsWith(start.plus(Duration.ofHours(1)));
            job.cancel(false);
        }
    }

    @Nested
    class OnAPortableDispatcher extends Contract {

        @Override
        Scheduler open() {
            return new PortableDispatcher(DispatcherOptions.defaults().withThreadNamePrefix("bridge-contract"));
        }

        @Test
        void aPeriodicJobThatThrowsWithoutAnErrorHandlerIsReportedAndKeepsItsSchedule() {
            CompletableFuture<Void> thirdRun = new CompletableFuture<>();
            AtomicInteger runs = new AtomicInteger();

            // On a dispatcher a reported failure is logged; under the TestScheduler it fails the test.
            ScheduledFuture<?> job = taskScheduler.scheduleAtFixedRate(() -> {
                if (runs.incrementAndGet() == 3) {
                    thirdRun.complete(null);
                }
                throw new IllegalStateException("boom " + runs.get());
            }, PERIOD);
            executor.blockOn(thirdRun);

            assertThat(job.isDone()).as("still scheduled after three failures").isFalse();
            job.cancel(false);
        }

        @Test
        void aTriggerThatThrowsEndsItsJobAndGetSaysWhy() {
            IllegalStateException broken = new IllegalStateException("no next time");
            AtomicInteger runs = new AtomicInteger();
            Trigger onceThenBroken = context -> {
                if (context.lastCompletion() != null) {
                    throw broken;
                }
                return context.getClock().instant();
            };

            ScheduledFuture<?> job = taskScheduler.schedule(runs::incrementAndGet, onceThenBroken);

            assertThatThrownBy(() -> job.get(1, TimeUnit.MINUTES)).isInstanceOf(ExecutionException.class)
                    .cause().isSameAs(broken);
            assertThat(runs).hasValue(1);
        }

        @Test
        void anErrorHandlerThatThrowsEndsThePeriodicJobWithWhatItThrew() {
            IllegalStateException escalated = new IllegalStateException("escalated");
            taskScheduler.setErrorHandler(failure -> {
                throw escalated;
            });

            ScheduledFuture<?> job = taskScheduler.scheduleAtFixedRate(() -> {
                throw new IllegalArgumentException("boom");
            }, PERIOD);

            assertThatThrownBy(() -> job.get(1, TimeUnit.MINUTES)).isInstanceOf(ExecutionException.class)
                    .cause().isSameAs(escalated);
        }
    }

    abstract static class Contract {

        Scheduler scheduler;
        Executor executor;
        SchedulerTaskScheduler taskScheduler;

        abstract Scheduler open();

        @BeforeEach
        void openScheduler() {
            scheduler = open();
            executor = new Executor(scheduler);
            taskScheduler = new SchedulerTaskScheduler(executor, new SchedulerClock(scheduler, ZoneId.of("UTC")));
        }

        @AfterEach
        void closeScheduler() throws Exception {
            ((AutoCloseable) scheduler).close();
        }

        @Test
        void aOneTimeTaskThatThrowsFailsItsFutureWithWhatItThrew() {
            IllegalStateException boom = new IllegalStateException("boom");

            ScheduledFuture<?> job = taskScheduler.schedule(() -> {
                throw boom;
            }, taskScheduler.getClock().instant());

            assertThatThrownBy(() -> job.get(1, TimeUnit.MINUTES)).isInstanceOf(ExecutionException.class)
                    .cause().isSameAs(boom);
            assertThat(job.isDone()).isTrue();
            assertThat(job.isCancelled()).isFalse();
        }

        @Test
        void aOneTimeTaskThatThrowsGoesToTheErrorHandlerAndItsFutureCompletesNormally() throws Exception {
            List<Throwable> handled = new CopyOnWriteArrayList<>();
            taskScheduler.setErrorHandler(handled::add);
            IllegalStateException boom = new IllegalStateException("boom");

            ScheduledFuture<?> job = taskScheduler.schedule(() -> {
                throw boom;
            }, taskScheduler.getClock().instant().plus(PERIOD));

            assertThat(job.get(1, TimeUnit.MINUTES)).isNull();
            assertThat(handled).containsExactly(boom);
        }

        @Test
        void aOneTimeTaskThatSucceedsCompletesItsFutureWithNull() throws Exception {
            AtomicInteger runs = new AtomicInteger();

            ScheduledFuture<?> job = taskScheduler.schedule(runs::incrementAndGet, taskScheduler.getClock().instant());

            assertThat(job.get(1, TimeUnit.MINUTES)).isNull();
            assertThat(runs).hasValue(1);
        }

        @Test
        void aPeriodicJobThatThrowsGoesToTheErrorHandlerEveryTimeAndKeepsItsSchedule() {
            CompletableFuture<Void> thirdFailure = new CompletableFuture<>();
            AtomicInteger handled = new AtomicInteger();
            taskScheduler.setErrorHandler(failure -> {
                if (handled.incrementAndGet() == 3) {
                    thirdFailure.complete(null);
                }
            });

            ScheduledFuture<?> job = taskScheduler.scheduleAtFixedRate(() -> {
                throw new IllegalStateException("boom");
            }, PERIOD);
            executor.blockOn(thirdFailure);

            assertThat(job.isDone()).as("still scheduled after three failures").isFalse();
            job.cancel(false);
        }

        @Test
        void aTriggerTaskRunsExactlyAsOftenAsItsTriggerSaysAndThenCompletes() throws Exception {
            AtomicInteger runs = new AtomicInteger();
            AtomicInteger asked = new AtomicInteger();
            Trigger threeTimes = context -> asked.incrementAndGet() <= 3
                    ? (context.lastCompletion() == null ? context.getClock().instant() : context.lastCompletion()).plus(PERIOD)
                    : null;

            ScheduledFuture<?> job = taskScheduler.schedule(runs::incrementAndGet, threeTimes);

            assertThat(job.get(1, TimeUnit.MINUTES)).isNull();
            assertThat(runs).hasValue(3);
            assertThat(asked).hasValue(4);
        }

        @Test
        void aFixedDelayJobStartsEachRunADelayAfterThePreviousEnded() {
            List<Instant> starts = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> third = new CompletableFuture<>();

            ScheduledFuture<?> job = taskScheduler.scheduleWithFixedDelay(() -> {
                starts.add(taskScheduler.getClock().instant());
                executor.timer(PERIOD).join(); // each run takes a period
                if (starts.size() == 3) {
                    third.complete(null);
                }
            }, PERIOD);
            executor.blockOn(third);
            job.cancel(false);

            assertThat(Duration.between(starts.get(0), starts.get(1))).isGreaterThanOrEqualTo(PERIOD.multipliedBy(2));
            assertThat(Duration.between(starts.get(1), starts.get(2))).isGreaterThanOrEqualTo(PERIOD.multipliedBy(2));
        }

        @Test
        void aCancelledPeriodicJobNeverRunsAgainAndItsGetThrowsCancellation() {
            AtomicInteger runs = new AtomicInteger();
            CompletableFuture<Void> secondRun = new CompletableFuture<>();
            ScheduledFuture<?> job = taskScheduler.scheduleAtFixedRate(() -> {
                if (runs.incrementAndGet() == 2) {
                    secondRun.complete(null);
                }
            }, PERIOD);
            executor.blockOn(secondRun);

            assertThat(job.cancel(false)).isTrue();
            int runsAtCancel = runs.get();
            executor.blockOn(executor.timer(PERIOD.multipliedBy(10)));

            assertThat(runs).hasValue(runsAtCancel);
            assertThat(job.isCancelled()).isTrue();
            assertThat(job.isDone()).isTrue();
            assertThatThrownBy(job::get).isInstanceOf(CancellationException.class);
            assertThatThrownBy(() -> job.get(1, TimeUnit.MINUTES)).isInstanceOf(CancellationException.class);
            assertThat(job.cancel(false)).as("a second cancel").isFalse();
        }

        @Test
        void getDelayIsTheTimeToTheNextRunOnTheSchedulersClock() {
            Instant inAnHour = taskScheduler.getClock().instant().plus(Duration.ofHours(1));

            ScheduledFuture<?> job = taskScheduler.schedule(() -> { }, inAnHour);

            assertThat(job.getDelay(TimeUnit.MINUTES)).isBetween(59L, 60L);
            assertThat(job.getDelay(TimeUnit.NANOSECONDS)).isPositive().isLessThanOrEqualTo(Duration.ofHours(1).toNanos());
            job.cancel(false);
        }

        @Test
        void shutdownWithdrawsEveryNextRunAndRefusesNewJobs() {
            AtomicInteger runs = new AtomicInteger();
            ScheduledFuture<?> periodic = taskScheduler.scheduleAtFixedRate(runs::incrementAndGet,
                    taskScheduler.getClock().instant().plus(Duration.ofHours(1)), Duration.ofHours(1));

            taskScheduler.shutdown();

            assertThat(periodic.isCancelled()).isTrue();
            assertThat(runs).hasValue(0);
            assertThatThrownBy(() -> taskScheduler.schedule(runs::incrementAndGet, taskScheduler.getClock().instant()))
                    .isInstanceOf(TaskRejectedException.class).hasMessageContaining("is shut down");
        }
    }
}
