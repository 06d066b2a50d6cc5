package dev.scheduler.dispatch;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Picks and creates the dispatcher for an operating system.
 *
 * <p>Selection by {@code os.name}: {@code Linux…} gets the {@link LinuxDispatcher}, {@code Mac…} or
 * {@code Darwin} the {@link MacDispatcher}, {@code Windows…} the {@link WindowsDispatcher}, and
 * anything else the {@link PortableDispatcher}. When the native dispatcher cannot start (native
 * access denied, a missing symbol, a descriptor the kernel refuses), {@link #select(String,
 * DispatcherOptions)} falls back to the portable one and says why in the log, once per reason; it
 * never fails for that.
 */
public final class Dispatchers {

    private static final System.Logger LOGGER = System.getLogger(Dispatchers.class.getName());

    /** Fallback reasons already logged: each is said once. */
    static final Set<String> LOGGED_FALLBACKS = ConcurrentHashMap.newKeySet();

    /** The dispatchers there are. */
    public enum Kind {

        /** {@link LinuxDispatcher}. */
        LINUX,

        /** {@link MacDispatcher}. */
        MAC,

        /** {@link WindowsDispatcher}. */
        WINDOWS,

        /** {@link PortableDispatcher}. */
        PORTABLE
    }

    private Dispatchers() {
    }

    /** {@return the dispatcher for the operating system this JVM runs on, with default options} */
    public static Dispatcher forCurrentOs() {
        return forCurrentOs(DispatcherOptions.defaults());
    }

    /**
     * {@return the dispatcher for the operating system this JVM runs on, or the portable one if it
     * cannot start}
     *
     * @param options how to set it up
     * @throws NullPointerException if {@code options} is null
     */
    public static Dispatcher forCurrentOs(DispatcherOptions options) {
        return select(System.getProperty("os.name", ""), options);
    }

    /**
     * {@return the dispatcher for an operating system named {@code osName}, with default options}
     *
     * @param osName a value of the {@code os.name} system property
     */
    public static Dispatcher select(String osName) {
        return select(osName, DispatcherOptions.defaults());
    }

    /**
     * {@return the dispatcher for an operating system named {@code osName}, or the portable one if
     * that cannot start here}
     *
     * @param osName a value of the {@code os.name} system property
     * @param options how to set it up
     * @throws NullPointerException if {@code osName} or {@code options} is null
     * @throws IllegalArgumentException if {@code options} are invalid for the chosen dispatcher,
     *     such as the macOS main queue for another one
     */
    public static Dispatcher select(String osName, DispatcherOptions options) {
        Kind kind = kindFor(osName);
        Objects.requireNonNull(options, "options");
        if (kind == Kind.PORTABLE) {
            return new PortableDispatcher(options);
        }
        try {
            return create(kind, options);
        } catch (UnsupportedOperationException | IllegalStateException | LinkageError e) {
            String reason = "The " + kind.name().toLowerCase(Locale.ROOT) + " dispatcher cannot start here, so the "
                    + "portable dispatcher runs tasks instead: " + e.getMessage();
            if (LOGGED_FALLBACKS.add(reason)) {
                LOGGER.log(System.Logger.Level.WARNING, reason);
            }
            return new PortableDispatcher(options.foreground() == DispatcherOptions.Foreground.MAIN_QUEUE
                    ? options.withForeground(DispatcherOptions.Foreground.DEDICATED_THREAD) : options);
        }
    }

    /**
     * {@return which dispatcher suits an operating system named {@code osName}}
     *
     * @param osName a value of the {@code os.name} system property
     * @throws NullPointerException if {@code osName} is null
     */
    public static Kind kindFor(String osName) {
        String os = Objects.requireNonNull(osName, "osName").trim().toLowerCase(Locale.ROOT);
        if (os.startsWith("linux")) {
            return Kind.LINUX;
        }
        if (os.startsWith("mac") || os.startsWith("darwin")) {
            return Kind.MAC;
        }
        if (os.startsWith("windows")) {
            return Kind.WINDOWS;
        }
        return Kind.PORTABLE;
    }

    /**
     * {@return a dispatcher of exactly {@code kind}, with no fallback}
     *
     * @param kind which dispatcher
     * @param options how to set it up
     * @throws NullPointerException if {@code kind} or {@code options} is null
     * @throws UnsupportedOperationException if that dispatcher cannot run in this JVM, saying why
     * @throws IllegalStateException if the operating system refuses what the dispatcher needs
     */
    public static Dispatcher create(Kind kind, DispatcherOptions options) {
        Objects.requireNonNull(options, "options");
        return switch (Objects.requireNonNull(kind, "kind")) {
            case LINUX -> new LinuxDispatcher(options);
            case MAC -> new MacDispatcher(options);
            case WINDOWS -> new WindowsDispatcher(options);
            case PORTABLE -> new PortableDispatcher(options);
        };
    }
}
