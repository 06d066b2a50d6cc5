package dev.scheduler.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scheduler.BadInput;
import dev.scheduler.Priority;
import dev.scheduler.SessionId;
import dev.scheduler.TaskId;
import dev.scheduler.TaskMetadata;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Misuse of the dispatchers' public API meets a clear error: the core's reflective bad-input table
 * over every public method, and every way to hand in work on a closed dispatcher.
 */
class DispatcherBadInputTest {

    private static final BadInput.Values DISPATCH = (receiver, type) -> {
        if (type == DispatcherOptions.class) {
            return DispatcherOptions.defaults().withBackgroundThreads(1);
        }
        if (type == DispatcherOptions.Foreground.class) {
            return DispatcherOptions.Foreground.DEDICATED_THREAD;
        }
        if (type == Dispatchers.Kind.class) {
            return Dispatchers.Kind.PORTABLE;
        }
        if (type == TaskMetadata.class) {
            return new TaskMetadata(TaskId.next(), null, Priority.MEDIUM, SessionId.next(), null);
        }
        if (type == List.class) {
            return List.of();
        }
        return null;
    };

    private static final Supplier<Dispatcher> PORTABLE =
            () -> new PortableDispatcher(DispatcherOptions.defaults().withBackgroundThreads(1));

    @Nested
    class NullNegativeAndHugeArguments {

        @TestFactory
        Stream<DynamicTest> portableDispatcher() {
            return BadInput.forType(PortableDispatcher.class, PORTABLE).with(DISPATCH)
                    .nullable("PortableDispatcher.block(session)", "PortableDispatcher.block(timeout)").tests();
        }

        @TestFactory
        @EnabledOnOs(OS.LINUX)
        Stream<DynamicTest> linuxDispatcher() {
            return BadInput.forType(LinuxDispatcher.class,
                    () -> new LinuxDispatcher(DispatcherOptions.defaults().withBackgroundThreads(1))).with(DISPATCH)
                    .nullable("LinuxDispatcher.block(session)", "LinuxDispatcher.block(timeout)").tests();
        }

        @TestFactory
        Stream<DynamicTest> dispatcherOptions() {
            return BadInput.forType(DispatcherOptions.class, DispatcherOptions::defaults).with(DISPATCH).tests();
        }

        @TestFactory
        Stream<DynamicTest> dispatchersAndReports() {
            return Stream.concat(
                    BadInput.forType(Dispatchers.class, () -> null).with(DISPATCH).tests(),
                    BadInput.forType(ShutdownReport.class, () -> ShutdownReport.NOTHING).with(DISPATCH)
                            .skip("ShutdownReport.and").tests());
        }
    }

    @Nested
    class CallsOnAClosedDispatcher {

        @TestFactory
        Stream<DynamicTest> everyWayToHandInWorkIsRefusedSayingItIsClosed() {
            TaskMetadata meta = new TaskMetadata(TaskId.next(), null, Priority.MEDIUM, SessionId.next(), null);
            return Stream.<Case>of(
                    new Case("schedule", dispatcher -> dispatcher.schedule(() -> { }, meta)),
                    new Case("scheduleForeground", dispatcher -> dispatcher.scheduleForeground(() -> { }, meta)),
                    new Case("scheduleAfter", dispatcher -> dispatcher.scheduleAfter(Duration.ZERO, () -> { })))
                    .map(test -> DynamicTest.dynamicTest(test.name(), () -> {
                        Dispatcher dispatcher = PORTABLE.get();
                        dispatcher.close();
                        Throwable thrown = null;
                        try {
                            test.call().accept(dispatcher);
                        } catch (Throwable e) {
                            thrown = e;
                        }
                        assertThat(thrown).isInstanceOf(RejectedExecutionException.class)
                                .hasMessageStartingWith("The portable dispatcher is closed, so it does not accept ");
                    }));
        }
    }

    private record Case(String name, java.util.function.Consumer<Dispatcher> call) {
    }
}
