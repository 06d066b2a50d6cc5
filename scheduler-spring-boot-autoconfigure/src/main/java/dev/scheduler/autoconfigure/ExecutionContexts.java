package dev.scheduler.autoconfigure;

import dev.scheduler.SessionId;
import dev.scheduler.cloud.SessionState;
import dev.scheduler.cloud.SessionsSnapshot;
import dev.scheduler.cloud.AbstractExecutionContext;
import dev.scheduler.cloud.WorkerSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;

/**
 * The application's execution contexts, simulated and worker, seen together by metrics and the
 * Actuator endpoint. Beans are looked up on each use, so contexts created late are included.
 */
final class ExecutionContexts {

    private final ObjectProvider<AbstractExecutionContext> contexts;

    ExecutionContexts(ObjectProvider<AbstractExecutionContext> contexts) {
        this.contexts = contexts;
    }

    /** {@return every context's active sessions, and their cleanup failures added up} */
    SessionsSnapshot snapshot() {
        List<SessionState> sessions = new ArrayList<>();
        long cleanupFailures = 0;
        for (AbstractExecutionContext context : contexts.orderedStream().toList()) {
            SessionsSnapshot snapshot = context.snapshot();
            sessions.addAll(snapshot.sessions());
            cleanupFailures += snapshot.cleanupFailures();
        }
        return new SessionsSnapshot(sessions, cleanupFailures);
    }

    /** {@return the active session {@code id} of whichever context has it} */
    Optional<WorkerSession> session(SessionId id) {
        return contexts.orderedStream()
                .map(context -> context.findSession(id))
                .flatMap(Optional::stream)
                .findFirst();
    }
}
