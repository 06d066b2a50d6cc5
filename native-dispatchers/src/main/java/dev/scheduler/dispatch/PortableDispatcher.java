package dev.scheduler.dispatch;

/**
 * The dispatcher that runs anywhere: the same background pool and main loop as the
 * {@link LinuxDispatcher}, with the main loop sleeping in
 * {@link java.util.concurrent.locks.LockSupport} instead of {@code epoll}, so it needs only the
 * JDK. {@link Dispatchers} falls back to it on an unknown operating system, or when a native
 * dispatcher cannot load.
 *
 * <p>Timers run on the main loop thread, so a long foreground step delays them; see
 * {@link Dispatcher} for the lifecycle.
 */
public final class PortableDispatcher extends AbstractDispatcher {

    /** Creates a dispatcher with the {@linkplain DispatcherOptions#defaults() default options}. */
    public PortableDispatcher() {
        this(DispatcherOptions.defaults());
    }

    /**
     * Creates a dispatcher.
     *
     * @param options how to set it up; {@link DispatcherOptions.Foreground#MAIN_QUEUE} is refused
     * @throws NullPointerException if {@code options} is null
     * @throws IllegalArgumentException if {@code options} asks for the macOS main queue
     */
    public PortableDispatcher(DispatcherOptions options) {
        super("portable", options, LoopWaiter.Parking::new);
    }
}
