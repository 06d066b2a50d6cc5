package dev.scheduler.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scheduler.Priority;
import dev.scheduler.TaskId;
import dev.scheduler.TaskMetadata;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The native pool's defences at its edges, on the fake system pool: nothing escapes an upcall even
 * when the handler and the log both throw, and before the JVM exits the pool stops taking work,
 * releases its timers and waits for the work items it handed out.
 */
class NativePoolTest {

    /** A hang guard, not a timing assertion. */
    private static final long GUARD_SECONDS = 60;

    private final FakePoolBinding binding = new FakePoolBinding(FakePoolBinding.Flavour.WINDOWS, false);
    private final Admission admission = new Admission("test");
    private NativePool pool;

    @AfterEach
    void closeFake() {
        if (pool != null) {
            pool.close();
        }
        binding.close();
    }

    @Test
    void aFailureThatEscapesTheHandlerAndTheLogIsCountedAndNeverEscapesTheUpcall() throws Exception {
        pool = new NativePool(binding, admission, (thread, failure) -> {
            throw new IllegalStateException("the handler broke");
        }, "test-pool");
        Logger log = Logger.getLogger(Dispatcher.class.getName());
        Handler broken = new Handler() {
            @Override
            public void publish(LogRecord record) {
                throw new IllegalStateException("the log broke");
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        boolean parents = log.getUseParentHandlers();
        log.addHandler(broken);
        log.setUseParentHandlers(false);
        long lostBefore = NativePool.lostFailures();
        CountDownLatch after = new CountDownLatch(1);
        try {
            submit(() -> {
                throw new IllegalStateException("the step broke");
            });
            submit(after::countDown);

            assertThat(after.await(GUARD_SECONDS, TimeUnit.SECONDS)).as("the pool ran on").isTrue();
            long guard = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
            while (NativePool.lostFailures() == lostBefore && System.nanoTime() - guard < 0) {
                Thread.onSpinWait();
            }
        } finally {
            log.removeHandler(broken);
            log.setUseParentHandlers(parents);
        }

        assertThat(NativePool.lostFailures()).as("failures only counted").isEqualTo(lostBefore + 1);
        assertThat(binding.escapedUpcalls).as("exceptions that escaped an upcall, which would end the JVM").hasValue(0);
    }

    @Test
    void aShutdownRacingTheArmingOfATimerReleasesTheNativeTimerNeverANullHandle() throws Exception {
        pool = new NativePool(binding, admission, (thread, failure) -> { }, "test-pool");
        CountDownLatch registered = new CountDownLatch(1);
        CountDownLatch armNow = new CountDownLatch(1);
        pool.afterRegistration = () -> {
            registered.countDown();
            awaitQuietly(armNow);
        };
        Thread scheduling = Thread.ofPlatform().name("scheduling").start(
                () -> pool.scheduleAt(System.nanoTime() + TimeUnit.HOURS.toNanos(1), () -> { }));
        assertThat(registered.await(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
        // The timer is registered, its native timer not yet made: a shutdown now must wait for it.
        Thread dropping = Thread.ofPlatform().name("dropping").start(pool::dropAll);
        while (dropping.isAlive() && dropping.getState() != Thread.State.BLOCKED) {
            Thread.onSpinWait();
        }
        armNow.countDown();
        scheduling.join(TimeUnit.SECONDS.toMillis(GUARD_SECONDS));
        dropping.join(TimeUnit.SECONDS.toMillis(GUARD_SECONDS));

        assertThat(binding.badHandles).as("NULL or released handles passed to the system").hasValue(0);
        assertThat(binding.armedTimers()).as("native timers left armed behind a released entry").isZero();
        assertThat(binding.doubleReleases).hasValue(0);
        assertThat(pool.pending()).isZero();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(GUARD_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void beforeTheJvmExitsThePoolTakesNoWorkReleasesItsTimersAndWaitsForItsWorkItems() {
        pool = new NativePool(binding, admission, (thread, failure) -> { }, "test-pool");
        pool.scheduleAt(System.nanoTime() + TimeUnit.HOURS.toNanos(1), () -> { });
        submit(() -> { });
        assertThat(binding.armedTimers()).isEqualTo(1);

        assertThat(pool.beforeExit(Duration.ofSeconds(GUARD_SECONDS))).as("every work item called back").isTrue();

        assertThat(binding.armedTimers()).as("native timers left for the exiting JVM").isZero();
        assertThatThrownBy(() -> submit(() -> { })).isInstanceOf(RejectedExecutionException.class)
                .hasMessage("The JVM is shutting down, so the operating system's pool takes no more work");
        assertThatThrownBy(() -> pool.scheduleAt(System.nanoTime(), () -> { }))
                .isInstanceOf(RejectedExecutionException.class);
    }

    private void submit(Runnable step) {
        TaskMetadata meta = new TaskMetadata(TaskId.next(), null, Priority.MEDIUM, null, null);
        admission.admit(step, meta);
        pool.submit(step, meta);
    }
}
