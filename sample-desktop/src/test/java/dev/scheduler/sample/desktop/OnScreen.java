package dev.scheduler.sample.desktop;

import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.awt.EventQueue;
import java.awt.GraphicsEnvironment;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** What the tests of the real window share: a display, a folder of files, the model read on the Swing thread, polling. */
final class OnScreen {

    /** A hang guard, not a timing assertion. */
    static final Duration GUARD = Duration.ofMinutes(2);

    private OnScreen() {
    }

    /** Skips the test, saying why, in a JVM without a display. */
    static void requireDisplay() {
        assumeFalse(GraphicsEnvironment.isHeadless(), "No display in this JVM (DISPLAY is not set): the real window "
                + "is tested under Xvfb, as .ci/run does with xvfb-run; the search logic is tested headless by "
                + "SearchControllerTest");
    }

    /** Writes {@code count} small text files into {@code folder}, every seventh mentioning a needle. */
    static void writeFiles(Path folder, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            Path dir = Files.createDirectories(folder.resolve("part-" + (i % 50)));
            Files.writeString(dir.resolve("notes-" + i + ".txt"), "notes " + i + "\n"
                    + (i % 7 == 0 ? "where is the needle? in file " + i + "\n" : "nothing to see\n")
                    + "the end\n", StandardCharsets.UTF_8);
        }
    }

    /** {@return what {@code read} returns on the Swing thread} */
    static <T> T onTheUiThread(Callable<T> read) throws Exception {
        Object[] result = new Object[1];
        Exception[] failure = new Exception[1];
        try {
            EventQueue.invokeAndWait(() -> {
                try {
                    result[0] = read.call();
                } catch (Exception e) {
                    failure[0] = e;
                }
            });
        } catch (InvocationTargetException e) {
            throw new IllegalStateException(e.getCause());
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        @SuppressWarnings("unchecked")
        T value = (T) result[0];
        return value;
    }

    /** Polls {@code condition} until it holds; fails naming {@code what} after {@link #GUARD}. */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + GUARD.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("Waited " + GUARD + " for " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }

    /** {@code condition} read on the Swing thread, for {@link #await}. */
    static BooleanSupplier onTheUiThreadThat(Callable<Boolean> condition) {
        return () -> {
            try {
                return onTheUiThread(condition);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }
}
