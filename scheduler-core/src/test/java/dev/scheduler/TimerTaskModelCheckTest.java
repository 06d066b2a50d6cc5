package dev.scheduler;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Future;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Test;

/**
 * A timer task's completion against cancel, detach and reads of its outcome from other threads,
 * model-checked with Lincheck: every concurrent history must match some order of the operations
 * run one at a time, so a task completes exactly once, as fired or as cancelled, and every reader
 * agrees which.
 */
public class TimerTaskModelCheckTest {

    private final CapturingScheduler scheduler = new CapturingScheduler();
    private final Task<Void> timer = new Executor(scheduler).timer(Duration.ofHours(1));

    /** The timer's deadline passes: its step runs, as a scheduler's timer thread would run it. */
    @Operation
    public void fire() {
        scheduler.deadline.run();
    }

    @Operation
    public boolean cancel() {
        return timer.cancel();
    }

    @Operation
    public void detach() {
        timer.detach();
    }

    @Operation
    public Future.State state() {
        return timer.state();
    }

    @Operation
    public boolean isDone() {
        return timer.isDone();
    }

    @Test
    void completionIsLinearizableAgainstCancelDetachAndReads() {
        new ModelCheckingOptions().iterations(15).invocationsPerIteration(500).threads(3).actorsPerThread(2)
                .actorsBefore(0).actorsAfter(1).check(TimerTaskModelCheckTest.class);
    }

    /** Keeps the one timer step it is given; everything else a timer task needs is trivial. */
    static final class CapturingScheduler implements Scheduler {

        Runnable deadline;

        @Override
        public void schedule(Runnable step, TaskMetadata meta) {
            throw new UnsupportedOperationException("timers only");
        }

        @Override
        public Cancellable scheduleAfter(Duration delay, Runnable step) {
            deadline = step;
            return () -> false;
        }

        @Override
        public boolean park(Duration timeout) {
            throw new UnsupportedOperationException("timers only");
        }

        @Override
        public Unparker unparker() {
            throw new UnsupportedOperationException("timers only");
        }

        @Override
        public boolean isMainThread() {
            return false;
        }

        @Override
        public Instant now() {
            return Instant.EPOCH;
        }

        @Override
        public QueueDepths queueDepths() {
            return QueueDepths.EMPTY;
        }
    }
}
