package dev.scheduler;

/** A handle on a step scheduled for later, which can be withdrawn before it runs. */
@FunctionalInterface
public interface Cancellable {

    /**
     * Withdraws the step if it has not started; a withdrawn step never runs and no longer holds its
     * scheduler's clock or queues.
     *
     * @return {@code true} if this call withdrew the step, {@code false} if it had already run,
     *     started, or been withdrawn
     */
    boolean cancel();
}
