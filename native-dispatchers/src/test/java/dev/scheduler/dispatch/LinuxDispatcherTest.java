package dev.scheduler.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The Linux dispatcher: the shared suite, priorities, and its file descriptors. */
@EnabledOnOs(OS.LINUX)
class LinuxDispatcherTest extends PooledDispatcherContract {

    @Override
    Dispatcher create(DispatcherOptions options) {
        return new LinuxDispatcher(options);
    }

    @Test
    void aThousandDispatchersCreatedAndClosedLeaveNoFileDescriptorOpen() throws IOException {
        dispatcher.close();
        // One round first, so that descriptors the JVM opens once (class loading, the native linker) are counted in.
        new LinuxDispatcher(options().withBackgroundThreads(1)).close();
        long before = openDescriptors();

        for (int i = 0; i < 1000; i++) {
            try (Dispatcher linux = new LinuxDispatcher(options().withBackgroundThreads(1))) {
                linux.schedule(() -> { }, background(dev.scheduler.Priority.MEDIUM));
                linux.scheduleAfter(java.time.Duration.ofHours(1), () -> { }); // arms the timerfd
                assertThat(linux.shutdownNow().droppedTimers()).isEqualTo(1);
            }
        }

        assertThat(openDescriptors()).isLessThanOrEqualTo(before);
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
            return descriptors.count();
        }
    }
}
