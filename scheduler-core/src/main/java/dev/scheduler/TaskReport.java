package dev.scheduler;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A list of tasks in a report, as a thread dump lists threads: a headline, then each task on its
 * own lines, indented, with its id, label, where it runs, priority, spawn site and where its body is
 * parked now. Deadlock reports, session leak reports and the Spring test listener all print tasks
 * this way.
 *
 * <pre>
 * Session cleanup failed: 1 unauthorized task still running in session-4 (...):
 *   task #12 "warm" (background, MEDIUM), spawned at com.example.Handler.handle(Handler.java:31)
 *     parked at:
 *       at dev.scheduler.Task.join(Task.java:281)
 *       at com.example.Cache.warm(Cache.java:57)
 * </pre>
 *
 * @param headline the first line
 * @param tasks the tasks to list, in the order given
 */
public record TaskReport(String headline, List<Task<?>> tasks) {

    /** How many frames of a parked body a report shows. */
    private static final int DUMP_DEPTH = 16;

    /**
     * Copies the list.
     *
     * @throws NullPointerException if {@code headline} or {@code tasks} is null, or a task is
     */
    public TaskReport {
        Objects.requireNonNull(headline, "headline");
        tasks = List.copyOf(Objects.requireNonNull(tasks, "tasks"));
    }

    /** {@return the headline, then every task, each line after the headline indented by two spaces} */
    @Override
    public String toString() {
        String lineBreak = System.lineSeparator();
        StringBuilder out = new StringBuilder(headline);
        for (Task<?> task : tasks) {
            out.append(lineBreak).append("  ").append(describe(task).replace(lineBreak, lineBreak + "  "));
        }
        return out.toString();
    }

    /** One task's entry; see {@link Task#dump()}. */
    static String describe(Task<?> task) {
        String lineBreak = System.lineSeparator();
        TaskMetadata meta = task.metadata();
        StringBuilder out = new StringBuilder(meta.describe()).append(" (")
                .append(meta.isForeground() ? "foreground, " + meta.session() : "background").append(", ")
                .append(meta.priority()).append(')');
        if (meta.spawnSite() != null) {
            out.append(", spawned at ").append(meta.spawnSite());
        }
        List<StackTraceElement> stack = task.parkedAt();
        if (!stack.isEmpty()) {
            out.append(lineBreak).append("  parked at:");
            for (StackTraceElement frame : stack.subList(0, Math.min(stack.size(), DUMP_DEPTH))) {
                out.append(lineBreak).append("    at ").append(frame);
            }
        } else if (task.isDone() && !task.isRunning()) {
            out.append(lineBreak).append("  finished: ").append(task.state().name().toLowerCase(Locale.ROOT));
        } else {
            out.append(lineBreak).append(task.isStarted() ? "  running" : "  has not started");
        }
        return out.toString();
    }

    /** The stack where {@code body} is parked, without the JDK's own frames; empty unless it is parked. */
    static List<StackTraceElement> parkedAt(Thread body) {
        if (body == null || body.getState() != Thread.State.WAITING && body.getState() != Thread.State.TIMED_WAITING) {
            return List.of();
        }
        List<StackTraceElement> frames = new ArrayList<>();
        for (StackTraceElement frame : body.getStackTrace()) {
            String type = frame.getClassName();
            if (!type.startsWith("java.lang.VirtualThread") && !type.startsWith("jdk.internal.")
                    && !type.startsWith("java.lang.System$") && !type.equals("java.util.concurrent.locks.LockSupport")) {
                frames.add(frame);
            }
        }
        return List.copyOf(frames);
    }
}
