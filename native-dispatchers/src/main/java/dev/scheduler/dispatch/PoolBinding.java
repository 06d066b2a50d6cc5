package dev.scheduler.dispatch;

import dev.scheduler.Priority;

/**
 * The thin binding to an operating system's thread pool, as {@link MacDispatcher} (Grand Central
 * Dispatch) and {@link WindowsDispatcher} (the Windows thread pool API) use it: method handles and
 * the mapping of arguments, no logic. Every callback it arranges calls {@link NativePool#run(long)}
 * with the context it was given, on a thread of the operating system's choosing.
 *
 * <p>The logic (ownership of contexts, priorities, timers that must never fire early, the
 * lifecycle) is {@link NativePool}'s, tested against a fake binding on any operating system.
 */
interface PoolBinding {

    /** Runs the trampoline with {@code context} on a pool thread of {@code priority}. */
    void submit(Priority priority, long context);

    /** {@return whether the operating system has a main queue, serviced by the process's main thread} */
    boolean hasMainQueue();

    /** Runs the trampoline with {@code context} on the main queue. */
    void submitMain(long context);

    /** {@return whether the calling thread is the process's main thread} */
    boolean isMainThread();

    /**
     * Arms a one-shot timer that runs the trampoline with {@code context} after about
     * {@code delayNanos}; the operating system may fire it early, which the caller handles.
     *
     * @param handle the timer's native handle to re-arm, or 0 for a new timer
     * @return the timer's native handle, never 0
     * @throws IllegalStateException if the system refuses the timer, with its error code where it has one
     */
    long armTimer(long handle, long delayNanos, long context);

    /**
     * Releases a timer's native handle, once per handle, never 0: after it fired ({@code cancel}
     * false, called from its own callback) or to withdraw it ({@code cancel} true, from any other
     * thread). A withdrawn timer never calls back once this returns, except for a callback already
     * in flight, which finds its context gone.
     */
    void releaseTimer(long handle, boolean cancel);
}
