package dev.scheduler.autoconfigure;

import dev.scheduler.SessionId;
import dev.scheduler.cloud.SessionState;
import dev.scheduler.cloud.SessionsSnapshot;
import dev.scheduler.cloud.SimulatedExecutionContext;
import dev.scheduler.cloud.WorkerExecutionContext;
import dev.scheduler.cloud.WorkerSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.springframework.beans.factory.ObjectProvider;

/**
 * The application's execution contexts, simulated and worker, seen together by metrics and the
 * Actuator endpoint. Beans are looked up on each use, so contexts created late are included.
 */
final class ExecutionContexts {

    /** What this class needs of one context; the two kinds share no public supertype. */
    private record View(Supplier<SessionsSnapshot> snapshot, Function<SessionId, WorkerSession> session) {
    }

    private final ObjectProvider<SimulatedExecutionContext> simulated;
    private final ObjectProvider<WorkerExecutionContext> workers;

    ExecutionContexts(ObjectProvider<SimulatedExecutionContext> simulated, ObjectProvider<WorkerExecutionContext> workers) {
        this.simulated = simulated;
        this.workers = workers;
    }

    private Stream<View> views() {
        return Stream.concat(
                simulated.orderedStream().map(context -> new View(context::snapshot, context::session)),
                workers.orderedStream().map(context -> new View(context::snapshot, context::session)));
    }

    /** {@return every context's active sessions, and their cleanup failures added up} */
    SessionsSnapshot snapshot() {
        List<SessionState> sessions = new ArrayList<>();
        long cleanupFailures = 0;
        for (View view : views().toList()) {
            SessionsSnapshot snapshot = view.snapshot().get();
            sessions.addAll(snapshot.sessions());
            cleanupFailures += snapshot.cleanupFailures();
        }
        return new SessionsSnapshot(sessions, cleanupFailures);
    }

    /** {@return the active session {@code id} of whichever context has it} */
    Optional<WorkerSession> session(SessionId id) {
        for (View view : views().toList()) {
            try {
                return Optional.of(view.session().apply(id));
            } catch (IllegalArgumentException notThisContexts) {
                // session(id) documents this as "unknown to this context or ended": try the next one.
            }
        }
        return Optional.empty();
    }
}
