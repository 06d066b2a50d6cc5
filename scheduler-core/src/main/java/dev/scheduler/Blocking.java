package dev.scheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * How a caller waits for a future: the one place that decides between parking a task's body,
 * failing a body that cannot park, and asking the scheduler to block a thread.
 */
/*
 * Implementation Overview
 * =======================
 *
 * There are four situations, tried in order.
 *   1. The future is done: nothing to do.
 *   2. The caller is a task body on its own virtual thread: park that thread at once (never spin:
 *      on a single carrier, spinning only delays the step that would complete the future) and let
 *      the future's completion unpark it. A timeout is a timer on the body's own scheduler, so it is
 *      virtual time under a TestScheduler. An untimed wait for a task records its edge first, and a
 *      wait that closes a cycle of such edges fails at once.
 *   3. The caller is a plain-step body (virtual threads unavailable): it cannot park without
 *      blocking its carrier, so fail with the flag that fixes it.
 *   4. Otherwise the caller is an ordinary thread: Scheduler.block, which parks it through the
 *      scheduler's park and unparker by default, and which the TestScheduler overrides to drive its
 *      simulation until the future is done.
 */
final class Blocking {

    /** How far a join chain is followed looking for a cycle; longer chains are not checked. */
    private static final int MAX_JOIN_CHAIN = 1_000;

    private Blocking() {
    }

    /**
     * Waits until {@code future} is done or {@code timeout} (null: none) passes; see the overview.
     * {@code blockingSession} is the foreground session that waits, whose own steps a scheduler may
     * then hold back, or null.
     *
     * @return whether the future is done
     */
    static boolean await(Scheduler scheduler, Future<?> future, Duration timeout, SessionId blockingSession) {
        if (future.isDone()) {
            return true;
        }
        Task<?> current = TaskScope.currentTask();
        Thread caller = Thread.currentThread();
        if (current != null && current.thread().orElse(null) == caller) {
            return parkBody(current, future, timeout);
        }
        if (current != null && !caller.isVirtual()) {
            throw TaskThreads.carrierRequired("Waiting for " + describe(future));
        }
        return scheduler.block(blockingSession, future, timeout);
    }

    private static boolean parkBody(Task<?> current, Future<?> future, Duration timeout) {
        if (timeout == null && future instanceof Task<?> target) {
            current.awaiting(target);
            try {
                refuseJoinCycle(current, target);
                return parkBodyOn(current, future, null);
            } finally {
                current.awaiting(null);
            }
        }
        return parkBodyOn(current, future, timeout);
    }

    /**
     * Fails at once if {@code waiter}, which now waits for {@code target}, closes a cycle of tasks
     * each waiting for the next: none of them could ever finish. Each waiter records its edge
     * before it follows the chain, so of two tasks that close a cycle at the same moment at least
     * one sees the other's edge.
     */
    private static void refuseJoinCycle(Task<?> waiter, Task<?> target) {
        if (target == waiter) {
            throw new IllegalStateException("Join cycle: " + waiter.metadata().describe()
                    + " waits for itself, so it can never finish");
        }
        // Describe the edges as this walk read them: another task of the cycle may see it at the same
        // moment, fail and take its edge away, and a second reading would then show no cycle.
        Task<?> next = target.isDone() ? null : target.awaiting();
        if (next == null) {
            return; // the common case, a target that waits for no task, allocates nothing
        }
        List<Task<?>> chain = new ArrayList<>();
        chain.add(target);
        for (int hops = 1; next != null && hops < MAX_JOIN_CHAIN; hops++) {
            if (next == waiter) {
                throw new IllegalStateException(describeCycle(waiter, chain));
            }
            chain.add(next);
            next = next.isDone() ? null : next.awaiting();
        }
    }

    private static String describeCycle(Task<?> waiter, List<Task<?>> chain) {
        StringBuilder cycle = new StringBuilder("Join cycle: ").append(waiter.metadata().describe());
        for (Task<?> task : chain) {
            cycle.append(" waits for ").append(task.metadata().describe());
        }
        return cycle.append(" waits for ").append(waiter.metadata().describe())
                .append(", so none of them can ever finish").toString();
    }

    private static boolean parkBodyOn(Task<?> current, Future<?> future, Duration timeout) {
        Thread body = Thread.currentThread();
        TaskEvents.parked(current, future instanceof Task<?> task && task.isTimer()
                ? "the timer " + task.metadata().describe() : describe(future));
        if (!onDone(future, () -> LockSupport.unpark(body))) {
            // A plain Future cannot wake us; its own get() parks this virtual thread instead.
            return getBlocking(future, timeout);
        }
        boolean[] timedOut = new boolean[1];
        Cancellable timer = null;
        if (timeout != null) {
            timer = current.executor().scheduler().scheduleAfter(timeout, () -> {
                timedOut[0] = true;
                LockSupport.unpark(body);
            });
        }
        boolean interrupted = false;
        try {
            while (!future.isDone()) {
                if (current.isCancelled()) {
                    throw new CancellationException(current + " was cancelled while waiting for " + describe(future));
                }
                if (timedOut[0]) {
                    return false;
                }
                LockSupport.park(future);
                if (Thread.interrupted()) {
                    interrupted = true;
                }
            }
            return true;
        } finally {
            if (timer != null) {
                timer.cancel();
            }
            if (interrupted) {
                body.interrupt();
            }
        }
    }

    /**
     * What {@link Scheduler#block} does unless a scheduler overrides it: parks the calling thread
     * through the scheduler's {@link Scheduler#park(Duration) park} and {@link Scheduler#unparker()
     * unparker} until {@code future} completes or {@code timeout} (null: none) passes.
     *
     * @throws IllegalStateException if the caller is the scheduler's main thread waiting without a
     *     timeout for a foreground task, which only that thread could run
     */
    static boolean parkThread(Scheduler scheduler, Future<?> future, Duration timeout) {
        Thread caller = Thread.currentThread();
        if (timeout == null && future instanceof Task<?> target && target.metadata().isForeground()
                && scheduler.mainThread().orElse(null) == caller) {
            throw new IllegalStateException("Waiting for " + target + " on thread \"" + caller.getName()
                    + "\" could never end: it is a foreground task, and this thread, which runs the foreground "
                    + "steps, would be the one blocked. Wait inside a foreground task instead (it parks only the "
                    + "task), or from another thread.");
        }
        Unparker unparker = scheduler.unparker();
        if (!onDone(future, unparker::unpark)) {
            return getBlocking(future, timeout);
        }
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        boolean interrupted = false;
        try {
            while (!future.isDone()) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                scheduler.park(Duration.ofNanos(Math.min(remaining, TimeUnit.DAYS.toNanos(1))));
                if (Thread.interrupted()) {
                    interrupted = true;
                }
            }
            return true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static boolean getBlocking(Future<?> future, Duration timeout) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (timeout == null) {
                        future.get();
                    } else {
                        future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
                    }
                    return true;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (TimeoutException e) {
                    return false;
                } catch (ExecutionException | CancellationException e) {
                    return true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String describe(Future<?> future) {
        return future instanceof Task<?> ? future.toString() : future.getClass().getName();
    }

    /** Arranges for {@code wake} to run when {@code future} completes; false if it cannot tell. */
    private static boolean onDone(Future<?> future, Runnable wake) {
        CompletableFuture<?> completable = future instanceof Task<?> task ? task.result()
                : future instanceof CompletableFuture<?> cf ? cf : null;
        if (completable == null) {
            return false;
        }
        completable.whenComplete((value, failure) -> wake.run());
        return true;
    }
}
