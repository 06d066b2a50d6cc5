package dev.scheduler.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scheduler.Priority;
import dev.scheduler.TaskId;
import dev.scheduler.TaskMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The worker pool's idle protocol, replayed step by step: a spinner is held at the start of its spin
 * while the other workers are parked, steps are submitted, and the spinner is let go. Every step
 * submitted must then run while the steps before it block, whatever the spinner does.
 */
class WorkerPoolTest {

    /** A hang guard, not a timing assertion. */
    private static final long GUARD_SECONDS = 60;

    private final CountDownLatch spinnerHeld = new CountDownLatch(1);
    private final CountDownLatch releaseSpinner = new CountDownLatch(1);
    private final AtomicReference<Thread> spinner = new AtomicReference<>();
    private final AtomicInteger spins = new AtomicInteger();
    private final List<CountDownLatch> toRelease = new ArrayList<>();
    private final Admission admission = new Admission("test");
    private WorkerPool pool;

    @AfterEach
    void stopPool() {
        releaseSpinner.countDown();
        toRelease.forEach(CountDownLatch::countDown);
        if (pool != null) {
            pool.stop();
        }
    }

    /** Holds the first worker that spins until the test lets it go; later spins pass. */
    private void holdFirstSpinner() {
        if (spins.getAndIncrement() == 0) {
            spinner.set(Thread.currentThread());
            spinnerHeld.countDown();
            awaitQuietly(releaseSpinner);
        }
    }

    private WorkerPool startPool(int threads, String name) throws InterruptedException {
        pool = new WorkerPool(threads, name, admission, (thread, failure) -> { }, this::holdFirstSpinner, WorkerPool.SPINS);
        await(spinnerHeld);
        // Every other worker has announced itself idle and parked: only a wake-up can start it now.
        while (pool.idleWorkers() < threads - 1 || !othersParked(name)) {
            Thread.onSpinWait();
        }
        return pool;
    }

    private boolean othersParked(String name) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith(name + "-worker-") && thread != spinner.get())
                .allMatch(thread -> thread.getState() == Thread.State.WAITING);
    }

    private void submit(Runnable step) {
        TaskMetadata meta = new TaskMetadata(TaskId.next(), null, Priority.MEDIUM, null, null);
        admission.admit(step, meta);
        pool.submit(step, meta);
    }

    /** A step that blocks until {@code until} opens, recording that it started. */
    private Runnable blocking(CountDownLatch started, CountDownLatch until) {
        toRelease.add(until);
        return () -> {
            started.countDown();
            awaitQuietly(until);
        };
    }

    @Nested
    class AStepQueuedWhileAWorkerSpins {

        @Test
        void runsOnAnIdleWorkerWhileTheSpinnerRunsTheStepBeforeIt() throws Exception {
            startPool(2, "two");
            CountDownLatch firstStarted = new CountDownLatch(1);
            CountDownLatch secondRan = new CountDownLatch(1);

            // Both submits see the spinner and wake nobody; the spinner takes the first, which blocks
            // until the second has run, so only the parked worker can run the second.
            submit(blocking(firstStarted, secondRan));
            submit(secondRan::countDown);
            releaseSpinner.countDown();

            await(firstStarted);
            await(secondRan);
        }

        @Test
        void aBurstWakesAsManyIdleWorkersAsItHasSteps() throws Exception {
            startPool(4, "four");
            CountDownLatch blockersStarted = new CountDownLatch(3);
            CountDownLatch lastRan = new CountDownLatch(1);

            // Three blockers need three workers and the last step a fourth: each worker that takes a
            // step and leaves more behind must wake the next idle one.
            for (int i = 0; i < 3; i++) {
                submit(blocking(blockersStarted, lastRan));
            }
            submit(lastRan::countDown);
            releaseSpinner.countDown();

            await(blockersStarted);
            await(lastRan);
        }
    }

    private static void await(CountDownLatch latch) throws InterruptedException {
        assertThat(latch.await(GUARD_SECONDS, TimeUnit.SECONDS)).as("opened within the hang guard").isTrue();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(GUARD_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
