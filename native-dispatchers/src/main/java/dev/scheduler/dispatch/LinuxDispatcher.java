package dev.scheduler.dispatch;

/**
 * The Linux dispatcher: background worker threads (one per processor, at least two) drain a
 * three-level priority queue, and the main loop sleeps in {@code epoll} on an {@code eventfd}
 * (wake-ups from other threads) and a {@code timerfd} (the nearest timer, with nanosecond
 * resolution), the design of calloop. Natives are called through {@code java.lang.foreign}; no
 * native library ships with it.
 *
 * <p>Timers run on the main loop thread, so a long foreground step delays them; see
 * {@link Dispatcher} for the lifecycle. {@link #close()} closes its three file descriptors.
 */
public final class LinuxDispatcher extends AbstractDispatcher {

    /**
     * Creates a dispatcher with the {@linkplain DispatcherOptions#defaults() default options}.
     *
     * @throws UnsupportedOperationException if the Linux natives cannot be used here, saying why
     * @throws IllegalStateException if the kernel refuses a file descriptor
     */
    public LinuxDispatcher() {
        this(DispatcherOptions.defaults());
    }

    /**
     * Creates a dispatcher.
     *
     * @param options how to set it up; {@link DispatcherOptions.Foreground#MAIN_QUEUE} is refused
     * @throws NullPointerException if {@code options} is null
     * @throws IllegalArgumentException if {@code options} asks for the macOS main queue
     * @throws UnsupportedOperationException if the Linux natives cannot be used here, saying why
     * @throws IllegalStateException if the kernel refuses a file descriptor
     */
    public LinuxDispatcher(DispatcherOptions options) {
        super("linux", options, EpollWaiter::new);
    }

    /** {@return why the Linux natives cannot be used in this JVM, or empty if they can} */
    public static java.util.Optional<String> unavailableReason() {
        return java.util.Optional.ofNullable(LinuxNatives.unavailableReason());
    }
}
