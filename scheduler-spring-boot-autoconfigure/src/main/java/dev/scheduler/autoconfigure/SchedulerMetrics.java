package dev.scheduler.autoconfigure;

import dev.scheduler.AbstractExecutor;
import dev.scheduler.Scheduler;
import dev.scheduler.micrometer.ExecutorMetrics;
import dev.scheduler.micrometer.SchedulerQueueMetrics;
import dev.scheduler.micrometer.SessionMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The application's scheduler meters, as the auto-configuration binds them: the binders of
 * {@code scheduler-micrometer} ({@link SchedulerQueueMetrics} for the {@code Scheduler} bean,
 * {@link ExecutorMetrics} for each executor bean, {@link SessionMetrics} over every execution
 * context), created here and bound together. Closing it closes each, removing their observers and
 * meters. An application without Spring binds those binders itself.
 */
public final class SchedulerMetrics implements MeterBinder, AutoCloseable {

    private final List<MeterBinder> binders = new ArrayList<>();
    private final List<ExecutorMetrics> executorBinders = new ArrayList<>();
    private final SchedulerQueueMetrics queues;
    private final SessionMetrics sessions;

    SchedulerMetrics(Scheduler scheduler, List<? extends AbstractExecutor> executors, ExecutionContexts contexts,
            Iterable<Tag> tags) {
        Objects.requireNonNull(scheduler, "scheduler");
        queues = new SchedulerQueueMetrics(scheduler, tags);
        binders.add(queues);
        // One binder per executor name: executors that share a name share its meters.
        Map<String, AbstractExecutor> byName = new LinkedHashMap<>();
        for (AbstractExecutor executor : executors) {
            byName.putIfAbsent(executor.name(), executor);
        }
        byName.values().forEach(executor -> executorBinders.add(new ExecutorMetrics(executor, tags)));
        binders.addAll(executorBinders);
        sessions = new SessionMetrics(contexts::snapshot, tags);
        binders.add(sessions);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        binders.forEach(binder -> binder.bindTo(registry));
    }

    /** Closes every binder: their observers leave the executors and their meters the registries. */
    @Override
    public void close() {
        queues.close();
        executorBinders.forEach(ExecutorMetrics::close);
        sessions.close();
    }
}
