package dev.scheduler.dispatch;

import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The Windows dispatcher on the Windows thread pool itself: the shared suite. Runs only on
 * Windows, in the project's hosted CI; on Linux, {@link NativePoolDispatcherTest} covers its logic.
 */
@EnabledOnOs(OS.WINDOWS)
class WindowsDispatcherTest extends DispatcherContract {

    @Override
    Dispatcher create(DispatcherOptions options) {
        return new WindowsDispatcher(options);
    }

    @Override
    boolean boundedPool() {
        return false;
    }
}
