package dev.scheduler.dispatch;

import java.util.Optional;

/**
 * The Windows dispatcher, on the Windows thread pool API: each background step is a
 * {@code TrySubmitThreadpoolCallback} work item whose callback environment carries the priority
 * that matches its {@link dev.scheduler.Priority}, and each work item takes whichever queued step
 * the weighted 60/30/10 draw picks: the pool alone would run higher priorities strictly first and
 * could starve {@code LOW} work. Timers are thread pool timers (re-armed if the system fires one
 * early), and foreground steps run on a main loop thread. Natives are called through
 * {@code java.lang.foreign}, with one upcall stub per callback signature as the trampoline; every
 * context handed to the thread pool is released exactly once, each timer's native object is closed
 * exactly once and never while NULL, a refusal carries the {@code GetLastError} code, and the
 * pool's threads carry the dispatcher's name and its creator's context class loader while they run
 * its steps. The system sizes its thread pool, so
 * {@link DispatcherOptions#backgroundThreads()} does not apply.
 *
 * <p>This dispatcher can only run on Windows; its logic is tested on every system against a fake
 * binding, and the project's Windows CI job runs the shared dispatcher suite against it.
 */
public final class WindowsDispatcher extends AbstractDispatcher {

    /**
     * Creates a dispatcher with the {@linkplain DispatcherOptions#defaults() default options}.
     *
     * @throws UnsupportedOperationException if the thread pool API cannot be used here, saying why
     */
    public WindowsDispatcher() {
        this(DispatcherOptions.defaults());
    }

    /**
     * Creates a dispatcher.
     *
     * @param options how to set it up; {@link DispatcherOptions.Foreground#MAIN_QUEUE} is refused
     * @throws NullPointerException if {@code options} is null
     * @throws IllegalArgumentException if {@code options} asks for the macOS main queue
     * @throws UnsupportedOperationException if the thread pool API cannot be used here, saying why
     */
    public WindowsDispatcher(DispatcherOptions options) {
        this(options, new WindowsNatives());
    }

    /** A dispatcher on {@code binding}: the Windows thread pool, or a fake of it in tests. */
    WindowsDispatcher(DispatcherOptions options, PoolBinding binding) {
        super("windows", options, binding);
    }

    /** {@return why the Windows thread pool API cannot be used in this JVM, or empty if it can} */
    public static Optional<String> unavailableReason() {
        return Optional.ofNullable(WindowsNatives.unavailableReason());
    }
}
