package dev.scheduler.autoconfigure;

import dev.scheduler.QueueDepths;
import dev.scheduler.Scheduler;
import dev.scheduler.SessionId;
import dev.scheduler.Task;
import dev.scheduler.TaskLabel;
import dev.scheduler.cloud.SessionState;
import dev.scheduler.cloud.SessionsSnapshot;
import dev.scheduler.cloud.WorkerSession;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The {@code scheduler} Actuator endpoint: which dispatcher runs the application's tasks, how many
 * steps wait in its queues, and the active cloud worker sessions. {@code /actuator/scheduler/{sessionId}}
 * lists one session's live tasks with their label, state and spawn site.
 */
@Endpoint(id = "scheduler")
public class SchedulerEndpoint {

    private final Scheduler scheduler;
    private final ExecutionContexts contexts;

    SchedulerEndpoint(Scheduler scheduler, ExecutionContexts contexts) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.contexts = Objects.requireNonNull(contexts, "contexts");
    }

    /** {@return the dispatcher, its queue depths and the active sessions} */
    @ReadOperation
    public SchedulerDescriptor scheduler() {
        SessionsSnapshot sessions = contexts.snapshot();
        return new SchedulerDescriptor(scheduler.getClass().getName(), scheduler.now(), scheduler.queueDepths(),
                sessions.sessions().stream().map(SessionDescriptor::of).toList(), sessions.cleanupFailures());
    }

    /**
     * Describes one active session's live tasks.
     *
     * @param sessionId the session, as {@code session-4} or {@code 4}
     * @return the session's tasks, or {@code null} (a 404) if no context has such an active session
     */
    @ReadOperation
    public SessionTasksDescriptor session(@Selector String sessionId) {
        SessionId id = parse(sessionId);
        if (id == null) {
            return null;
        }
        return contexts.session(id).map(SessionTasksDescriptor::of).orElse(null);
    }

    private static SessionId parse(String text) {
        String digits = text.startsWith("session-") ? text.substring("session-".length()) : text;
        try {
            long value = Long.parseLong(digits);
            return value > 0 ? new SessionId(value) : null;
        } catch (NumberFormatException notAnId) {
            // Not a session id this library hands out, so no session has it.
            return null;
        }
    }

    /**
     * What the endpoint shows of the scheduler.
     *
     * @param dispatcher the scheduler's class name
     * @param now the time on the scheduler's clock
     * @param queues the steps waiting in each queue
     * @param sessions the active sessions, oldest first
     * @param sessionCleanupFailures how many session ends or validations found unauthorized tasks
     */
    public record SchedulerDescriptor(String dispatcher, Instant now, QueueDepths queues,
            List<SessionDescriptor> sessions, long sessionCleanupFailures) {
    }

    /**
     * The counts of one active session.
     *
     * @param id the session's id
     * @param running its tasks still running
     * @param waitUntil of those, the ones allowed to outlive the session
     * @param unauthorized of those, the ones that would leak if the session ended now
     * @param failedWaitUntil its {@code waitUntil} tasks that failed
     * @param passesThrough whether the handler asked to fall through to the origin on failure
     */
    public record SessionDescriptor(String id, int running, int waitUntil, int unauthorized, int failedWaitUntil,
            boolean passesThrough) {

        static SessionDescriptor of(SessionState state) {
            return new SessionDescriptor(state.id().toString(), state.running(), state.waitUntil(),
                    state.unauthorized(), state.failedWaitUntil(), state.passesThrough());
        }
    }

    /**
     * One session's live tasks.
     *
     * @param id the session's id
     * @param tasks its tasks whose bodies have not finished, oldest first
     */
    public record SessionTasksDescriptor(String id, List<TaskDescriptor> tasks) {

        static SessionTasksDescriptor of(WorkerSession session) {
            Set<Task<?>> allowed = session.waitUntilTasks().stream().collect(Collectors.toSet());
            return new SessionTasksDescriptor(session.id().toString(), session.runningTasks().stream()
                    .map(task -> TaskDescriptor.of(task, allowed.contains(task)))
                    .toList());
        }
    }

    /**
     * One live task.
     *
     * @param id the task's id
     * @param label its label, or {@code null}
     * @param state {@code parked} (its body waits for something) or {@code running} (queued to run,
     *     or on a thread now)
     * @param waitUntil whether it may outlive its session
     * @param spawnSite where it was spawned, or {@code null} when the scheduler does not record
     *     spawn sites
     * @param parkedAt where its body is parked, innermost frame first; empty unless parked
     */
    public record TaskDescriptor(String id, String label, String state, boolean waitUntil, String spawnSite,
            List<String> parkedAt) {

        static TaskDescriptor of(Task<?> task, boolean waitUntil) {
            List<String> parkedAt = task.parkedAt().stream().map(StackTraceElement::toString).toList();
            StackTraceElement spawnSite = task.metadata().spawnSite();
            return new TaskDescriptor(task.id().toString(), task.label().map(TaskLabel::name).orElse(null),
                    stateOf(task, parkedAt), waitUntil, spawnSite == null ? null : spawnSite.toString(), parkedAt);
        }

        private static String stateOf(Task<?> task, List<String> parkedAt) {
            // Task has no public "started" flag, so a task queued for its first step counts as running.
            return parkedAt.isEmpty() ? "running" : "parked";
        }
    }
}
