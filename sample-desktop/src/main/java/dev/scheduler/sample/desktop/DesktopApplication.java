package dev.scheduler.sample.desktop;

import dev.scheduler.Executor;
import dev.scheduler.ForegroundExecutor;
import dev.scheduler.dispatch.Dispatcher;
import dev.scheduler.dispatch.DispatcherOptions;
import dev.scheduler.dispatch.Dispatchers;
import dev.scheduler.dispatch.ShutdownReport;
import java.awt.EventQueue;
import java.awt.GraphicsEnvironment;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The desktop sample: {@code DesktopApplication [folder]} opens a window that searches the files
 * of {@code folder} (the current directory by default) as you type.
 *
 * <p>The scheduler is the operating system's dispatcher with its foreground on AWT's event
 * dispatch thread, so the window's {@link ForegroundExecutor} is the Swing thread and indexing and
 * searching run on the system's thread pool. Closing the window cancels its tasks, and the main
 * thread then closes the dispatcher: {@code close()} waits for the foreground to let the cancelled
 * tasks unwind, so it cannot run on the event dispatch thread itself.
 */
public final class DesktopApplication {

    private final Dispatcher dispatcher;
    private final SearchWindow window;
    private final SearchController controller;
    private final CountDownLatch closed = new CountDownLatch(1);

    private DesktopApplication(Dispatcher dispatcher, SearchWindow window, SearchController controller) {
        this.dispatcher = dispatcher;
        this.window = window;
        this.controller = controller;
    }

    /**
     * Opens the window on {@code folder} and returns once it is shown.
     *
     * @param folder the folder to search
     * @return the running application
     */
    static DesktopApplication open(Path folder) throws InterruptedException {
        Dispatcher dispatcher = Dispatchers.select(System.getProperty("os.name"), DispatcherOptions.defaults()
                .withForeground(DispatcherOptions.Foreground.EVENT_DISPATCH_THREAD).withThreadNamePrefix("desktop"));
        Executor background = new Executor(dispatcher);
        DesktopApplication[] opened = new DesktopApplication[1];
        try {
            onTheEventDispatchThread(() -> {
                ForegroundExecutor ui = new ForegroundExecutor(dispatcher);  // confined to this, the Swing thread
                SearchWindow window = new SearchWindow(folder.toAbsolutePath().normalize().toString());
                SearchController controller = new SearchController(ui, background, window);
                DesktopApplication application = new DesktopApplication(dispatcher, window, controller);
                window.attach(controller, application.closed::countDown);
                window.show();
                controller.open(folder);
                opened[0] = application;
            });
        } catch (RuntimeException | Error | InterruptedException e) {
            dispatcher.close(); // its hold on AWT's thread would keep the JVM from exiting
            throw e;
        }
        return opened[0];
    }

    /**
     * Waits until the user closes the window, then stops the dispatcher and disposes of the window.
     *
     * @return what the dispatcher gave up, which is nothing when the window's tasks unwound in time
     */
    ShutdownReport awaitClose() throws InterruptedException {
        closed.await();
        return close();
    }

    /**
     * Closes the window as its close button does, then stops the dispatcher.
     *
     * @return what the dispatcher gave up; logged when it is not nothing
     */
    ShutdownReport close() throws InterruptedException {
        if (closed.getCount() > 0) {
            onTheEventDispatchThread(() -> {
                controller.close();
                closed.countDown();
            });
        }
        ShutdownReport report = dispatcher.close(dispatcher.options().shutdownTimeout());
        if (!report.isEmpty()) {
            System.getLogger(DesktopApplication.class.getName()).log(System.Logger.Level.WARNING,
                    "The window closed with work left: " + report);
        }
        onTheEventDispatchThread(() -> window.frame().dispose());
        return report;
    }

    SearchWindow window() {
        return window;
    }

    SearchController controller() {
        return controller;
    }

    Dispatcher dispatcher() {
        return dispatcher;
    }

    private static void onTheEventDispatchThread(Runnable action) throws InterruptedException {
        try {
            EventQueue.invokeAndWait(action);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException unchecked ? unchecked : new IllegalStateException(e.getCause());
        }
    }

    /**
     * Opens the window.
     *
     * @param args the folder to search, optionally; the current directory otherwise
     * @throws InterruptedException if the main thread is interrupted while the window is open
     */
    public static void main(String[] args) throws InterruptedException {
        if (GraphicsEnvironment.isHeadless()) {
            System.err.println("The desktop sample needs a display, and this JVM has none (no DISPLAY, or "
                    + "-Djava.awt.headless=true). Run it on a desktop, or under xvfb-run.");
            System.exit(2);
        }
        Path folder = Path.of(args.length > 0 ? args[0] : ".");
        open(folder).awaitClose();
    }
}
