package dev.scheduler;

import dev.scheduler.jdk.JdkHooks;
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
            out.append(lineBreak).append("  ").append(describe(task, tasks).replace(lineBreak, lineBreak + "  "));
        }
        return out.toString();
    }

    /** One task's entry; see {@link Task#dump()}. */
    static String describe(Task<?> task) {
        return describe(task, List.of());
    }

    /**
     * One task's entry: its metadata, then where its body is. A body blocked entering a monitor
     * names the monitor and, among {@code peers} and its scheduler's main thread, who holds it.
     */
    private static String describe(Task<?> task, List<Task<?>> peers) {
        String lineBreak = System.lineSeparator();
        TaskMetadata meta = task.metadata();
        StringBuilder out = new StringBuilder(meta.describe()).append(" (")
                .append(meta.isForeground() ? "foreground, " + meta.session() : "background").append(", ")
                .append(meta.priority()).append(')');
        if (meta.spawnSite() != null) {
            out.append(", spawned at ").append(meta.spawnSite());
        }
        Thread body = task.thread().orElse(null);
        List<StackTraceElement> stack = parkedAt(body);
        if (!stack.isEmpty()) {
            out.append(lineBreak).append("  ").append(waiting(task, body, peers)).append(':');
            for (StackTraceElement frame : stack.subList(0, Math.min(stack.size(), DUMP_DEPTH))) {
                out.append(lineBreak).append("    at ").append(frame);
            }
        } else if (task.isDone() && !task.isRunning()) {
            out.append(lineBreak).append("  finished: ").append(task.state().name().toLowerCase(Locale.ROOT));
        } else if (!task.isStarted()) {
            out.append(lineBreak).append("  has not started");
        } else if (ThreadWaits.kind(body) == ThreadWaits.Kind.READY) {
            out.append(lineBreak).append("  ready to run: its next step is queued");
        } else {
            out.append(lineBreak).append("  running");
        }
        return out.toString();
    }

    /** What a body that has a stack to show waits for: the line above its stack. */
    private static String waiting(Task<?> task, Thread body, List<Task<?>> peers) {
        ThreadWaits.Kind kind = ThreadWaits.kind(body);
        if (kind == ThreadWaits.Kind.UNKNOWN) {
            return body.getState() == Thread.State.BLOCKED ? "blocked entering a monitor at" : "parked at";
        }
        Object monitor = ThreadWaits.monitor(body).orElse(null);
        String on = monitor == null ? "" : " " + ThreadWaits.describe(monitor);
        return switch (kind) {
            case BLOCKED_ON_MONITOR -> "blocked entering the monitor" + (monitor == null ? "" : " of" + on)
                    + holder(task, monitor, peers) + " at";
            case WAITING_ON_MONITOR -> "waiting in Object.wait()" + (monitor == null ? "" : " on" + on) + " at";
            case TIMED_WAITING_ON_MONITOR -> "waiting in Object.wait(timeout)" + (monitor == null ? "" : " on" + on)
                    + onJdkClock(task) + " at";
            case TIMED_PARKED -> "parked with a timeout" + onJdkClock(task) + " at";
            default -> "parked at";
        };
    }

    /** ", held by ..." naming the peer task or main thread that holds {@code monitor}; empty if none is known. */
    private static String holder(Task<?> task, Object monitor, List<Task<?>> peers) {
        if (monitor == null) {
            return "";
        }
        for (Task<?> peer : peers) {
            Thread other = peer.thread().orElse(null);
            if (peer != task && other != null && ThreadWaits.holds(other, monitor)) {
                return ", held by " + peer.metadata().describe() + ",";
            }
        }
        Thread main = task.executor().scheduler().mainThread().orElse(null);
        if (main != null && ThreadWaits.holds(main, monitor)) {
            return ", held by the scheduler's thread \"" + main.getName() + "\" (outside any task),";
        }
        return "";
    }

    /**
     * Under a simulated clock without the test agent, a timed wait is armed on the JDK's own clock,
     * which the simulation never moves: the report says so and names the fix.
     */
    private static String onJdkClock(Task<?> task) {
        if (JdkHooks.instrumented() || task.executor().scheduler().as(Simulation.class).isEmpty()) {
            return "";
        }
        return " on the JDK's wall clock, because the scheduler's test agent is not loaded (" + JdkHooks.SWITCH + ")";
    }

    /**
     * The stack where {@code body} waits, without the JDK's own frames; empty unless it is parked,
     * waiting or blocked on a monitor. A body that is runnable but not mounted has no stack here:
     * asking the JDK for it would resubmit its continuation.
     */
    static List<StackTraceElement> parkedAt(Thread body) {
        if (body == null || !waits(body)) {
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

    private static boolean waits(Thread body) {
        return switch (ThreadWaits.kind(body)) {
            case PARKED, TIMED_PARKED, BLOCKED_ON_MONITOR, WAITING_ON_MONITOR, TIMED_WAITING_ON_MONITOR -> true;
            case UNKNOWN -> body.getState() == Thread.State.WAITING || body.getState() == Thread.State.TIMED_WAITING
                    || body.getState() == Thread.State.BLOCKED;
            default -> false;
        };
    }
}
