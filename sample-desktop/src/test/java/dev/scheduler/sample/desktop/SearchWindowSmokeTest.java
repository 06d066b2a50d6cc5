package dev.scheduler.sample.desktop;

import static dev.scheduler.sample.desktop.OnScreen.await;
import static dev.scheduler.sample.desktop.OnScreen.onTheUiThread;
import static dev.scheduler.sample.desktop.OnScreen.onTheUiThreadThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.scheduler.dispatch.ShutdownReport;
import java.awt.Point;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.event.InputEvent;
import java.awt.event.KeyEvent;
import java.awt.event.WindowEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import javax.swing.JTextField;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real window on a display (Xvfb in CI): a user types a query and sees its matches. */
class SearchWindowSmokeTest {

    @TempDir
    Path folder;

    @BeforeEach
    void display() {
        OnScreen.requireDisplay();
    }

    @Test
    void typingAQueryShowsItsMatchesAsTheUserSeesThem() throws Exception {
        OnScreen.writeFiles(folder, 300);
        Files.write(folder.resolve("logo.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 13});
        DesktopApplication application = DesktopApplication.open(folder);
        SearchWindow window = application.window();
        try {
            await("indexing to end", onTheUiThreadThat(window::indexingEnded));
            assertThat(onTheUiThread(window::statusText)).isEqualTo("300 files indexed; skipped 1 binary and 0 unreadable");

            Robot robot = new Robot();
            robot.setAutoDelay(15);
            Point field = onTheUiThread(() -> {
                JTextField query = window.queryField();
                Point at = query.getLocationOnScreen();
                return new Point(at.x + query.getWidth() / 2, at.y + query.getHeight() / 2);
            });
            robot.mouseMove(field.x, field.y);
            robot.mousePress(InputEvent.BUTTON1_DOWN_MASK);
            robot.mouseRelease(InputEvent.BUTTON1_DOWN_MASK);
            await("the query field to have the focus", onTheUiThreadThat(() -> window.queryField().isFocusOwner()));
            for (char key : "needle".toCharArray()) {
                int code = KeyEvent.getExtendedKeyCodeForChar(key);
                robot.keyPress(code);
                robot.keyRelease(code);
            }

            List<Match> expected = application.controller().index().files().stream()
                    .flatMap(file -> FolderIndex.matchesOf(file, "needle").stream()).toList();
            assertThat(expected).hasSize(43);
            await("the matches of what was typed", onTheUiThreadThat(() -> window.queryField().getText().equals("needle")
                    && window.shownResults().equals(expected)));
            Point firstRow = onTheUiThread(() -> {
                Rectangle row = window.resultList().getCellBounds(0, 0);
                Point at = window.resultList().getLocationOnScreen();
                return new Point(at.x + row.x + row.width / 4, at.y + row.y + row.height / 2);
            });
            robot.mouseMove(firstRow.x, firstRow.y);
            robot.mousePress(InputEvent.BUTTON1_DOWN_MASK);
            robot.mouseRelease(InputEvent.BUTTON1_DOWN_MASK);
            await("the selected match's lines", onTheUiThreadThat(() -> window.previewText().contains("where is the needle?")));
            assertThat(onTheUiThread(window::previewHighlights)).isEqualTo(1);
            robot.waitForIdle();

            Rectangle bounds = onTheUiThread(() -> window.frame().getBounds());
            Path screenshot = Path.of("target", "sample-desktop.png");
            Files.createDirectories(screenshot.getParent());
            ImageIO.write(robot.createScreenCapture(bounds), "png", screenshot.toFile());
            assertThat(screenshot).isNotEmptyFile();
        } finally {
            assertThat(application.close()).as("what closing gave up").matches(ShutdownReport::isEmpty);
        }
    }

    @Test
    void closingTheWindowWhileItIndexesCancelsItsTasksAndStopsTheDispatcherCleanly() throws Exception {
        OnScreen.writeFiles(folder, 3_000);
        DesktopApplication application = DesktopApplication.open(folder);
        SearchWindow window = application.window();
        onTheUiThread(() -> {
            window.queryField().setText("needle");
            window.frame().dispatchEvent(new WindowEvent(window.frame(), WindowEvent.WINDOW_CLOSING));
            return null;
        });

        ShutdownReport dropped = application.awaitClose();

        assertThat(dropped).as("what closing gave up").matches(ShutdownReport::isEmpty);
        assertThat(onTheUiThread(() -> window.frame().isDisplayable())).as("disposed").isFalse();
    }
}
