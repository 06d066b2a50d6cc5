package dev.scheduler.dispatch;

import static dev.scheduler.ModelChecks.check;
import static dev.scheduler.ModelChecks.join;

import dev.scheduler.Priority;
import dev.scheduler.TaskId;
import dev.scheduler.TaskMetadata;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Test;

/**
 * The worker pool's idle and wake-up protocol, model-checked with Lincheck: every interleaving of
 * the workers, the producers and the pool's own threads that Lincheck explores must run every
 * submitted step, even when the step taken first cannot finish before a later one has run.
 *
 * <p>A worker parks in a loop that re-checks its state, so a wake-up that never comes shows up as
 * a worker looping forever, which Lincheck reports as a hang, with the interleaving that led to it.
 * Spins are short here: the model checker explores each check of a spin.
 */
public class WorkerPoolModelCheckTest {

    private static final int INVOCATIONS = 1_000;

    /** Lincheck follows shared state from static fields (it treats objects only new threads see as their own). */
    static volatile Object shared;

    @Test
    void twoProducersAndTwoWorkersNeverStrandAStep() {
        Lincheck.runConcurrentTest(INVOCATIONS, WorkerPoolModelCheckTest::twoProducersTwoWorkers);
    }

    @Test
    void oneProducersBurstWakesAsManyWorkersAsItNeeds() {
        Lincheck.runConcurrentTest(INVOCATIONS, WorkerPoolModelCheckTest::oneProducerBurst);
    }

    /** Two producers submit at once; the first step to run waits for the other, so both workers are needed. */
    static void twoProducersTwoWorkers() {
        Admission admission = new Admission("model");
        WorkerPool pool = new WorkerPool(2, "model", admission, (thread, failure) -> { }, () -> { }, 2);
        AtomicBoolean[] ran = {new AtomicBoolean(), new AtomicBoolean()};
        AtomicInteger done = new AtomicInteger();
        shared = new Object[] {pool, ran, done};
        Thread first = new Thread(() -> submit(admission, pool, waitFor(ran, 0, 1, done)));
        Thread second = new Thread(() -> submit(admission, pool, waitFor(ran, 1, 0, done)));
        first.start();
        second.start();
        join(first);
        join(second);
        while (done.get() < 2) {
            Thread.onSpinWait();
        }
        pool.stop();
        check(done.get() == 2, "both steps ran once");
    }

    /** One producer submits two steps while the workers idle; the first waits for the second. */
    static void oneProducerBurst() {
        Admission admission = new Admission("model");
        WorkerPool pool = new WorkerPool(2, "model", admission, (thread, failure) -> { }, () -> { }, 2);
        AtomicBoolean[] ran = {new AtomicBoolean(), new AtomicBoolean()};
        AtomicInteger done = new AtomicInteger();
        shared = new Object[] {pool, ran, done};
        // Whichever worker takes the first step holds it until the second has run elsewhere.
        submit(admission, pool, waitFor(ran, 0, 1, done));
        submit(admission, pool, () -> {
            ran[1].set(true);
            done.incrementAndGet();
        });
        while (done.get() < 2) {
            Thread.onSpinWait();
        }
        pool.stop();
        check(done.get() == 2, "both steps ran once");
    }

    /** A step that marks itself started and returns only once step {@code other} has started too. */
    private static Runnable waitFor(AtomicBoolean[] ran, int self, int other, AtomicInteger done) {
        return () -> {
            ran[self].set(true);
            while (!ran[other].get()) {
                Thread.onSpinWait();
            }
            done.incrementAndGet();
        };
    }

    private static void submit(Admission admission, WorkerPool pool, Runnable step) {
        TaskMetadata meta = new TaskMetadata(TaskId.next(), null, Priority.MEDIUM, null, null);
        admission.admit(step, meta);
        pool.submit(step, meta);
    }
}
