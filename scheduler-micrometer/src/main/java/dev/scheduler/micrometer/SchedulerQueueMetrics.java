package dev.scheduler.micrometer;

import dev.scheduler.QueueDepths;
import dev.scheduler.Scheduler;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToIntFunction;

/**
 * Binds {@code scheduler.queue.depth} (gauge, steps; tag {@code queue}: background, foreground,
 * timers, deprioritized) for one {@link Scheduler}, from its {@link Scheduler#queueDepths()}.
 *
 * <pre>{@code
 * SchedulerQueueMetrics.monitor(registry, dispatcher, Tags.of("app", "indexer"));
 * }</pre>
 */
public final class SchedulerQueueMetrics implements MeterBinder, AutoCloseable {

    private final Scheduler scheduler;
    private final Tags tags;
    private final MeterBindings bindings = new MeterBindings();

    /**
     * A binder for {@code scheduler}'s queues.
     *
     * @param scheduler the scheduler
     * @param tags tags added to every meter
     * @throws NullPointerException if an argument is null
     */
    public SchedulerQueueMetrics(Scheduler scheduler, Iterable<Tag> tags) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
    }

    /**
     * Binds a new binder for {@code scheduler}'s queues to {@code registry}.
     *
     * @param registry the registry
     * @param scheduler the scheduler
     * @param tags tags added to every meter
     * @return the binder, which removes its meters when closed
     */
    public static SchedulerQueueMetrics monitor(MeterRegistry registry, Scheduler scheduler, Iterable<Tag> tags) {
        SchedulerQueueMetrics metrics = new SchedulerQueueMetrics(scheduler, tags);
        metrics.bindTo(Objects.requireNonNull(registry, "registry"));
        return metrics;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        List<Meter.Id> ids = bindings.bind(registry);
        Map<String, ToIntFunction<QueueDepths>> queues = new LinkedHashMap<>();
        queues.put("background", QueueDepths::background);
        queues.put("foreground", QueueDepths::foreground);
        queues.put("timers", QueueDepths::timers);
        queues.put("deprioritized", QueueDepths::deprioritized);
        queues.forEach((queue, depth) -> ids.add(Gauge.builder("scheduler.queue.depth", scheduler,
                        s -> depth.applyAsInt(s.queueDepths()))
                .tags(tags).tag("queue", queue)
                .description("The approximate number of steps waiting in this queue of the scheduler.")
                .baseUnit("steps")
                .register(registry).getId()));
    }

    /** Removes this binder's meters from every registry it was bound to. */
    @Override
    public void close() {
        bindings.removeAll();
    }
}
