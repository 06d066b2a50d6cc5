package dev.scheduler.sample.desktop;

import static dev.scheduler.sample.desktop.OnScreen.await;
import static dev.scheduler.sample.desktop.OnScreen.onTheUiThreadThat;
import static org.assertj.core.api.Assertions.assertThat;

import java.awt.EventQueue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures how long the Swing thread is kept from its events while the window indexes 10,000 files:
 * a probe posts an empty event every millisecond and records how late each one runs. It asserts
 * nothing about the figure (a unit test does not judge speed); it writes it to
 * {@code target/edt-latency.txt} for the README.
 */
class EventDispatchThreadLatencyTest {

    @TempDir
    Path folder;

    @BeforeEach
    void display() {
        OnScreen.requireDisplay();
    }

    @Test
    void indexingTenThousandFilesLeavesTheSwingThreadFreeForItsEvents() throws Exception {
        // A first window warms up Swing's painting (fonts, glyph caches, compiled code): a cold JVM's
        // first paints are slow whatever runs the tasks, and they are not what this measures.
        Path warmUp = Files.createDirectories(folder.resolve("warm-up"));
        OnScreen.writeFiles(warmUp, 500);
        DesktopApplication first = DesktopApplication.open(warmUp);
        await("the warm-up to index", onTheUiThreadThat(first.window()::indexingEnded));
        first.close();
        Path measured = Files.createDirectories(folder.resolve("measured"));
        OnScreen.writeFiles(measured, 10_000);
        AtomicBoolean indexing = new AtomicBoolean(true);
        long[] worst = new long[1];
        int[] probes = new int[1];
        AtomicBoolean stuck = new AtomicBoolean();
        DesktopApplication application = DesktopApplication.open(measured);
        long started = System.nanoTime();
        Thread probe = Thread.ofPlatform().name("edt-probe").start(() -> {
            while (indexing.get()) {
                CountDownLatch ran = new CountDownLatch(1);
                long posted = System.nanoTime();
                long[] late = new long[1];
                EventQueue.invokeLater(() -> {
                    late[0] = System.nanoTime() - posted;
                    ran.countDown();
                });
                try {
                    if (!ran.await(OnScreen.GUARD.toSeconds(), TimeUnit.SECONDS)) {
                        stuck.set(true); // a hang guard: the Swing thread never ran the probe
                        return;
                    }
                } catch (InterruptedException e) {
                    return;
                }
                worst[0] = Math.max(worst[0], late[0]);
                probes[0]++;
                LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
            }
        });
        try {
            await("indexing to end", onTheUiThreadThat(application.window()::indexingEnded));
            long took = System.nanoTime() - started;
            indexing.set(false);
            probe.join(OnScreen.GUARD.toMillis());

            assertThat(application.window().statusText()).startsWith("10,000 files indexed");
            assertThat(stuck).as("a probe waited " + OnScreen.GUARD + " for the Swing thread").isFalse();
            assertThat(probes[0]).isPositive();
            String figure = String.format("Indexing 10,000 files took %d ms after the window opened; the longest "
                    + "the Swing thread was kept from an event was %.1f ms, over %d probes (one every millisecond).%n",
                    TimeUnit.NANOSECONDS.toMillis(took), worst[0] / 1e6, probes[0]);
            System.out.print(figure);
            Files.writeString(Path.of("target", "edt-latency.txt"), figure, StandardCharsets.UTF_8);
        } finally {
            indexing.set(false);
            application.close();
        }
    }
}
