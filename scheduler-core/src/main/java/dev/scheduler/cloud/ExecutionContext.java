package dev.scheduler.cloud;

import dev.scheduler.Task;
import java.util.concurrent.Callable;

/**
 * What a cloud worker's request handler may ask of the platform about work that outlives the
 * response. Every method applies to the <em>current session</em>: the one bound by
 * {@code withSession}, or inherited by the task the caller runs in.
 *
 * <p>Work may outlive its session only through {@code waitUntil}; anything else still running when
 * the session ends is a leak, reported with the task's id, label, spawn site and where it is parked.
 */
public interface ExecutionContext {

    /**
     * Allows {@code task}, spawned in the current session, to outlive it, and detaches it: its
     * failure is reported, never lost. Tasks it spawns from now on are allowed too. Returns at once.
     *
     * @param task the task
     * @throws NullPointerException if {@code task} is null
     * @throws IllegalStateException if no session is current
     * @throws IllegalArgumentException if {@code task} is running and was not spawned in the current
     *     session
     */
    void waitUntil(Task<?> task);

    /**
     * Spawns {@code body} in the current session and allows it, and everything it spawns, to
     * outlive the session. Returns at once.
     *
     * @param body the work
     * @param <T> the result type
     * @return the detached task
     * @throws NullPointerException if {@code body} is null
     * @throws IllegalStateException if no session is current
     */
    <T> Task<T> waitUntil(Callable<T> body);

    /**
     * Spawns {@code body} in the current session and allows it, and everything it spawns, to
     * outlive the session. Returns at once.
     *
     * @param body the work
     * @return the detached task
     * @throws NullPointerException if {@code body} is null
     * @throws IllegalStateException if no session is current
     */
    Task<Void> waitUntil(Runnable body);

    /**
     * Lets the request fall through to the origin if its handler fails, as Cloudflare's
     * {@code passThroughOnException}: marks the current session, which the host reads through
     * {@link WorkerSession#passesThrough()}.
     *
     * @throws IllegalStateException if no session is current
     */
    void passThrough();
}
