package dev.scheduler.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.scheduler.Executor;
import dev.scheduler.Task;
import dev.scheduler.TaskObserver;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * The {@link Task} state machine's races on real threads: a body completing on one thread while
 * another cancels, detaches or waits for the task. Each test is a specification of what may be
 * seen, with every other outcome forbidden.
 */
public final class TaskRaces {

    private TaskRaces() {
    }

    /** Counts the observer callbacks of one task and keeps the outcome they reported. */
    static final class Outcomes implements TaskObserver {

        final AtomicInteger finished = new AtomicInteger();
        final AtomicReference<Future.State> outcome = new AtomicReference<>();

        @Override
        public void taskSpawned(Task<?> task) {
        }

        @Override
        public void taskFinished(Task<?> task, Future.State state) {
            finished.incrementAndGet();
            outcome.set(state);
        }
    }

    static int code(Future.State state) {
        return state == null ? -1 : state.ordinal();
    }

    /**
     * Cancel against the body's completion: one of them wins, the observers hear of the task
     * exactly once, and what they hear agrees with the task's final state. Results: whether cancel
     * succeeded; the final state; the outcome observed (as {@code Future.State} ordinals:
     * 1 SUCCESS, 2 FAILED, 3 CANCELLED), and 9 if observers heard of it other than once.
     */
    @JCStressTest
    @Outcome(id = "1, 3, 3", expect = ACCEPTABLE, desc = "cancelled first: the body never ran, or its result was discarded")
    @Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = "the body completed first; cancel was too late")
    @Outcome(expect = FORBIDDEN, desc = "cancel and completion both won, or observers disagree with the task")
    @State
    public static class CancelAgainstCompletion {

        final StepScheduler scheduler = new StepScheduler();
        final Outcomes outcomes = new Outcomes();
        final Task<Integer> task = spawn(scheduler, outcomes, () -> 42);
        int cancelled;

        @Actor
        public void body() {
            scheduler.runStep();
        }

        @Actor
        public void cancel() {
            cancelled = task.cancel() ? 1 : 0;
        }

        @Arbiter
        public void arbiter(III_Result result) {
            result.r1 = cancelled;
            result.r2 = code(task.state());
            result.r3 = outcomes.finished.get() == 1 ? code(outcomes.outcome.get()) : 9;
        }
    }

    /**
     * Detach against a failing body: however they interleave, the failure of the detached task is
     * reported to the scheduler exactly once.
     */
    @JCStressTest
    @Outcome(id = "1", expect = ACCEPTABLE, desc = "the failure was reported once")
    @Outcome(expect = FORBIDDEN, desc = "the failure was lost, or reported twice")
    @State
    public static class DetachAgainstFailure {

        final StepScheduler scheduler = new StepScheduler();
        final Task<Integer> task = new Executor(scheduler).spawn(() -> {
            throw new IllegalStateException("boom");
        });

        @Actor
        public void body() {
            scheduler.runStep();
        }

        @Actor
        public void detach() {
            task.detach();
        }

        @Arbiter
        public void arbiter(I_Result result) {
            result.r1 = scheduler.reportedFailures.get();
        }
    }

    /**
     * A thread outside the scheduler waits for the task while the body completes: it always sees
     * the body's result, never a lost wake-up. Results: the value seen (-1 on a timeout, a lost
     * wake-up); the observer count.
     */
    @JCStressTest
    @Outcome(id = "42, 1", expect = ACCEPTABLE, desc = "the waiter saw the result")
    @Outcome(expect = FORBIDDEN, desc = "the waiter missed the completion, or observers heard of it other than once")
    @State
    public static class JoinAgainstCompletion {

        final StepScheduler scheduler = new StepScheduler();
        final Outcomes outcomes = new Outcomes();
        final Task<Integer> task = spawn(scheduler, outcomes, () -> 42);
        int seen;

        @Actor
        public void body() {
            scheduler.runStep();
        }

        @Actor
        public void waiter() {
            try {
                seen = task.get(10, TimeUnit.SECONDS);
            } catch (TimeoutException lostWakeUp) {
                seen = -1;
            } catch (Exception e) {
                seen = -2;
            }
        }

        @Arbiter
        public void arbiter(II_Result result) {
            result.r1 = seen;
            result.r2 = outcomes.finished.get();
        }
    }

    private static Task<Integer> spawn(StepScheduler scheduler, Outcomes outcomes, java.util.concurrent.Callable<Integer> body) {
        Executor executor = new Executor(scheduler);
        executor.addObserver(outcomes);
        return executor.spawn(body);
    }
}
