package dev.scheduler.micrometer;

import dev.scheduler.cloud.AbstractExecutionContext;
import dev.scheduler.cloud.SessionsSnapshot;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Binds the cloud worker sessions' meters, read from a {@link SessionsSnapshot} each time:
 * {@code scheduler.sessions.active} (gauge, sessions), {@code scheduler.sessions.tasks} (gauge,
 * tasks; tag {@code state}: running, wait-until, unauthorized) and
 * {@code scheduler.sessions.cleanup.failures} (function counter, sessions).
 *
 * <pre>{@code
 * SessionMetrics.monitor(registry, platform, Tags.empty());   // a WorkerExecutionContext
 * }</pre>
 */
public final class SessionMetrics implements MeterBinder, AutoCloseable {

    private final Supplier<SessionsSnapshot> sessions;
    private final Tags tags;
    private final MeterBindings bindings = new MeterBindings();

    /**
     * A binder over the sessions {@code sessions} reports: one execution context's, or several added
     * up.
     *
     * @param sessions where the snapshot comes from, called on every read of a meter
     * @param tags tags added to every meter
     * @throws NullPointerException if an argument is null
     */
    public SessionMetrics(Supplier<SessionsSnapshot> sessions, Iterable<Tag> tags) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
    }

    /**
     * Binds a new binder over {@code context}'s sessions to {@code registry}.
     *
     * @param registry the registry
     * @param context the execution context
     * @param tags tags added to every meter
     * @return the binder, which removes its meters when closed
     */
    public static SessionMetrics monitor(MeterRegistry registry, AbstractExecutionContext context, Iterable<Tag> tags) {
        Objects.requireNonNull(context, "context");
        SessionMetrics metrics = new SessionMetrics(context::snapshot, tags);
        metrics.bindTo(Objects.requireNonNull(registry, "registry"));
        return metrics;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        List<Meter.Id> ids = bindings.bind(registry);
        ids.add(Gauge.builder("scheduler.sessions.active", sessions, s -> s.get().activeSessions())
                .tags(tags)
                .description("The number of cloud worker sessions that have not ended.")
                .baseUnit("sessions")
                .register(registry).getId());
        Map<String, ToDoubleFunction<SessionsSnapshot>> states = new LinkedHashMap<>();
        states.put("running", SessionsSnapshot::runningTasks);
        states.put("wait-until", SessionsSnapshot::waitUntilTasks);
        states.put("unauthorized", SessionsSnapshot::unauthorizedTasks);
        states.forEach((state, count) -> ids.add(Gauge.builder("scheduler.sessions.tasks", sessions,
                        s -> count.applyAsDouble(s.get()))
                .tags(tags).tag("state", state)
                .description("Running tasks of active sessions: all of them, those allowed to outlive their "
                        + "session (wait-until), and those that would leak if it ended now (unauthorized).")
                .baseUnit(BaseUnits.TASKS)
                .register(registry).getId()));
        ids.add(FunctionCounter.builder("scheduler.sessions.cleanup.failures", sessions, s -> s.get().cleanupFailures())
                .tags(tags)
                .description("The number of session ends or validations that found tasks running without waitUntil.")
                .baseUnit("sessions")
                .register(registry).getId());
    }

    /** Removes this binder's meters from every registry it was bound to. */
    @Override
    public void close() {
        bindings.removeAll();
    }
}
