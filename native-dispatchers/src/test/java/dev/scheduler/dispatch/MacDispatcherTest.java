package dev.scheduler.dispatch;

import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The macOS dispatcher on Grand Central Dispatch itself: the shared suite, with foreground steps on
 * a main loop thread (a test JVM's main thread runs no run loop for the main queue). Runs only on
 * macOS, in the project's hosted CI; on Linux, {@link NativePoolDispatcherTest} covers its logic.
 */
@EnabledOnOs(OS.MAC)
class MacDispatcherTest extends DispatcherContract {

    @Override
    Dispatcher create(DispatcherOptions options) {
        return new MacDispatcher(options);
    }

    @Override
    boolean boundedPool() {
        return false;
    }
}
