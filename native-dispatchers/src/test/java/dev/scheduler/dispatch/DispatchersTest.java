package dev.scheduler.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** Choosing a dispatcher by operating system, and falling back when a native one cannot start. */
class DispatchersTest {

    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final Logger logger = Logger.getLogger(Dispatchers.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record.getLevel() + " " + record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLog() {
        Dispatchers.LOGGED_FALLBACKS.clear();
        logger.addHandler(capture);
    }

    @AfterEach
    void releaseLog() {
        logger.removeHandler(capture);
    }

    @Test
    void theOperatingSystemNamePicksTheDispatcher() {
        assertThat(Dispatchers.kindFor("Linux")).isEqualTo(Dispatchers.Kind.LINUX);
        assertThat(Dispatchers.kindFor("Mac OS X")).isEqualTo(Dispatchers.Kind.MAC);
        assertThat(Dispatchers.kindFor("Darwin")).isEqualTo(Dispatchers.Kind.MAC);
        assertThat(Dispatchers.kindFor("Windows 11")).isEqualTo(Dispatchers.Kind.WINDOWS);
        assertThat(Dispatchers.kindFor("windows server 2025")).isEqualTo(Dispatchers.Kind.WINDOWS);
        assertThat(Dispatchers.kindFor("FreeBSD")).isEqualTo(Dispatchers.Kind.PORTABLE);
        assertThat(Dispatchers.kindFor("")).isEqualTo(Dispatchers.Kind.PORTABLE);
        assertThatThrownBy(() -> Dispatchers.kindFor(null)).isInstanceOf(NullPointerException.class).hasMessage("osName");
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void onLinuxTheCurrentOsGetsTheLinuxDispatcher() {
        try (Dispatcher dispatcher = Dispatchers.forCurrentOs()) {
            assertThat(dispatcher).isInstanceOf(LinuxDispatcher.class);
            assertThat(dispatcher.name()).isEqualTo("linux");
        }
        assertThat(logged).isEmpty();
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void aNativeDispatcherThatCannotLoadFallsBackToThePortableOneAndSaysWhyOnce() {
        try (Dispatcher first = Dispatchers.select("Mac OS X"); Dispatcher second = Dispatchers.select("Mac OS X")) {
            assertThat(first).isInstanceOf(PortableDispatcher.class);
            assertThat(second).isInstanceOf(PortableDispatcher.class);
        }
        try (Dispatcher windows = Dispatchers.select("Windows 11")) {
            assertThat(windows).isInstanceOf(PortableDispatcher.class);
        }

        assertThat(logged).containsExactly(
                "WARNING The mac dispatcher cannot start here, so the portable dispatcher runs tasks instead: "
                        + "The macOS dispatcher is unavailable: the operating system is Linux, not macOS",
                "WARNING The windows dispatcher cannot start here, so the portable dispatcher runs tasks instead: "
                        + "The Windows dispatcher is unavailable: the operating system is Linux, not Windows");
    }

    @Test
    void anUnknownSystemGetsThePortableDispatcherWithoutAWarning() {
        try (Dispatcher dispatcher = Dispatchers.select("Plan 9")) {
            assertThat(dispatcher).isInstanceOf(PortableDispatcher.class);
        }
        assertThat(logged).isEmpty();
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void anExplicitChoiceThatCannotRunHereFailsSayingWhy() {
        assertThatThrownBy(() -> Dispatchers.create(Dispatchers.Kind.WINDOWS, DispatcherOptions.defaults()))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessage("The Windows dispatcher is unavailable: the operating system is Linux, not Windows");
        assertThat(MacDispatcher.unavailableReason()).contains("the operating system is Linux, not macOS");
        assertThat(LinuxDispatcher.unavailableReason()).isEmpty();
    }

    @Test
    void badOptionsAreRefusedNamingTheParameter() {
        assertThatThrownBy(() -> DispatcherOptions.defaults().withBackgroundThreads(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("backgroundThreads must be at least 1, was 0");
        assertThatThrownBy(() -> DispatcherOptions.defaults().withShutdownTimeout(java.time.Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("shutdownTimeout must not be negative, was PT-1S");
        assertThatThrownBy(() -> DispatcherOptions.defaults().withThreadNamePrefix(null)).hasMessage("threadNamePrefix");
        assertThatThrownBy(() -> Dispatchers.select("Linux", null)).hasMessage("options");
        assertThatThrownBy(() -> new PortableDispatcher(null)).hasMessage("options");
        assertThat(DispatcherOptions.defaults().backgroundThreads())
                .isEqualTo(Math.max(2, Runtime.getRuntime().availableProcessors()));
    }
}
