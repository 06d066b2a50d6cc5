package dev.scheduler.dispatch;

import java.util.Optional;

/**
 * The macOS dispatcher, on Grand Central Dispatch: each background step is a work item on the
 * global queue of the quality of service that matches its {@link dev.scheduler.Priority}
 * ({@code HIGH}: user initiated, {@code MEDIUM}: default, {@code LOW}: utility) with
 * {@code dispatch_async_f}, and each work item takes whichever queued step the weighted 60/30/10
 * draw picks, so the priority contract holds as on the other dispatchers. Timers are one-shot timer
 * dispatch sources, released as soon as they are cancelled, with a leeway of at most a millisecond;
 * {@link #isMainThread()} is {@code pthread_main_np}. Natives are called through
 * {@code java.lang.foreign}, with one upcall stub as the trampoline of every callback; every
 * context handed to GCD is released exactly once, and GCD's threads carry the dispatcher's name and
 * its creator's context class loader while they run its steps.
 *
 * <p>Foreground steps go to the main dispatch queue with
 * {@link DispatcherOptions.Foreground#MAIN_QUEUE}, for applications whose main thread runs a run
 * loop (AppKit, JavaFX, SWT, started with {@code -XstartOnFirstThread}); otherwise, as on the other
 * systems, to a main loop thread. GCD sizes its own thread pool, so
 * {@link DispatcherOptions#backgroundThreads()} does not apply.
 *
 * <p>This dispatcher can only run on macOS; its logic is tested on every system against a fake
 * binding, and the project's macOS CI job runs the shared dispatcher suite against it.
 */
public final class MacDispatcher extends AbstractDispatcher {

    /**
     * Creates a dispatcher with the {@linkplain DispatcherOptions#defaults() default options}.
     *
     * @throws UnsupportedOperationException if Grand Central Dispatch cannot be used here, saying why
     */
    public MacDispatcher() {
        this(DispatcherOptions.defaults());
    }

    /**
     * Creates a dispatcher.
     *
     * @param options how to set it up
     * @throws NullPointerException if {@code options} is null
     * @throws UnsupportedOperationException if Grand Central Dispatch cannot be used here, saying why
     */
    public MacDispatcher(DispatcherOptions options) {
        this(options, new GcdNatives());
    }

    /** A dispatcher on {@code binding}: Grand Central Dispatch, or a fake of it in tests. */
    MacDispatcher(DispatcherOptions options, PoolBinding binding) {
        super("mac", options, binding);
    }

    /** {@return why Grand Central Dispatch cannot be used in this JVM, or empty if it can} */
    public static Optional<String> unavailableReason() {
        return Optional.ofNullable(GcdNatives.unavailableReason());
    }
}
