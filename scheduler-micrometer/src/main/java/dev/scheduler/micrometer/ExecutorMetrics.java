package dev.scheduler.micrometer;

import dev.scheduler.AbstractExecutor;
import dev.scheduler.Task;
import dev.scheduler.TaskObserver;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Binds one executor's task meters, all tagged {@code executor} with {@link AbstractExecutor#name()}:
 *
 * <ul>
 *   <li>{@code scheduler.tasks} (function counter, tasks; tag {@code outcome}: completed, failed,
 *       cancelled): tasks whose bodies finished;
 *   <li>{@code scheduler.tasks.active} (gauge, tasks): tasks spawned and not yet finished;
 *   <li>{@code scheduler.task.wait} (timer): from a task's spawn to the start of its body;
 *   <li>{@code scheduler.task.run} (timer): from the start of its body to its end, parked time
 *       included.
 * </ul>
 *
 * <pre>{@code
 * ExecutorMetrics.monitor(registry, executor, Tags.empty());
 * }</pre>
 *
 * <p>The meters come from a {@link TaskObserver} added to the executor when the binder is first
 * bound, so they count tasks spawned from then on. Per task it costs two map updates, three clock
 * reads and two timer recordings, on the spawning and running threads. Closing the binder removes
 * its observer and its meters. Two executors of one name bound to one registry share its meters,
 * as Micrometer keeps the first meter of each name and tags.
 */
public final class ExecutorMetrics implements MeterBinder, AutoCloseable {

    private static final String TASK_DESCRIPTION = "Tasks of this executor whose bodies finished, by outcome.";

    private final AbstractExecutor executor;
    private final Tags tags;
    private final Observer observer = new Observer();
    private final AtomicBoolean observing = new AtomicBoolean();
    private final MeterBindings bindings = new MeterBindings();

    /**
     * A binder for {@code executor}'s tasks.
     *
     * @param executor the executor, background or foreground
     * @param tags tags added to every meter, besides {@code executor}
     * @throws NullPointerException if an argument is null
     */
    public ExecutorMetrics(AbstractExecutor executor, Iterable<Tag> tags) {
        this.executor = Objects.requireNonNull(executor, "executor");
        this.tags = Tags.of(Objects.requireNonNull(tags, "tags")).and("executor", executor.name());
    }

    /**
     * Binds a new binder for {@code executor}'s tasks to {@code registry}.
     *
     * @param registry the registry
     * @param executor the executor
     * @param tags tags added to every meter, besides {@code executor}
     * @return the binder, which removes its observer and meters when closed
     */
    public static ExecutorMetrics monitor(MeterRegistry registry, AbstractExecutor executor, Iterable<Tag> tags) {
        ExecutorMetrics metrics = new ExecutorMetrics(executor, tags);
        metrics.bindTo(Objects.requireNonNull(registry, "registry"));
        return metrics;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        List<Meter.Id> ids = bindings.bind(registry);
        counter(registry, ids, "completed", observer.completed);
        counter(registry, ids, "failed", observer.failed);
        counter(registry, ids, "cancelled", observer.cancelled);
        ids.add(Gauge.builder("scheduler.tasks.active", observer, o -> o.queued.size() + o.running.size())
                .tags(tags)
                .description("Tasks of this executor spawned and not yet finished: waiting to start, running or parked.")
                .baseUnit(BaseUnits.TASKS)
                .register(registry).getId());
        Timer waits = Timer.builder("scheduler.task.wait")
                .tags(tags)
                .description("The time from a task's spawn to the start of its body.")
                .register(registry);
        Timer runs = Timer.builder("scheduler.task.run")
                .tags(tags)
                .description("The time from the start of a task's body to its end, including time parked.")
                .register(registry);
        ids.add(waits.getId());
        ids.add(runs.getId());
        observer.recorders.add(new Recorders(registry.config().clock(), waits, runs));
        if (observing.compareAndSet(false, true)) {
            executor.addObserver(observer);
        }
    }

    private void counter(MeterRegistry registry, List<Meter.Id> ids, String outcome, LongAdder count) {
        ids.add(FunctionCounter.builder("scheduler.tasks", count, LongAdder::sum)
                .tags(tags).tag("outcome", outcome)
                .description(TASK_DESCRIPTION)
                .baseUnit(BaseUnits.TASKS)
                .register(registry).getId());
    }

    /** Removes the observer from the executor and the meters from every registry bound to. */
    @Override
    public void close() {
        executor.removeObserver(observer);
        observing.set(false);
        observer.recorders.clear();
        bindings.removeAll();
    }

    /** The timers of one registry, and the clock it times with. */
    private record Recorders(Clock clock, Timer waits, Timer runs) {
    }

    /** Counts and times the executor's tasks. */
    private static final class Observer implements TaskObserver {

        final LongAdder completed = new LongAdder();
        final LongAdder failed = new LongAdder();
        final LongAdder cancelled = new LongAdder();
        // Monotonic time of spawn, then of start; the Task's identity is the key.
        final Map<Task<?>, Long> queued = new ConcurrentHashMap<>();
        final Map<Task<?>, Long> running = new ConcurrentHashMap<>();
        final List<Recorders> recorders = new CopyOnWriteArrayList<>();

        private long now() {
            List<Recorders> all = recorders;
            return all.isEmpty() ? System.nanoTime() : all.getFirst().clock().monotonicTime();
        }

        @Override
        public void taskSpawned(Task<?> task) {
            queued.put(task, now());
        }

        @Override
        public void taskStarted(Task<?> task) {
            long now = now();
            Long spawnedAt = queued.remove(task);
            running.put(task, now);
            if (spawnedAt != null) {
                for (Recorders recorder : recorders) {
                    recorder.waits().record(now - spawnedAt, TimeUnit.NANOSECONDS);
                }
            }
        }

        @Override
        public void taskFinished(Task<?> task, Future.State outcome) {
            Long startedAt = running.remove(task);
            if (startedAt == null) {
                // Cancelled before its body started: it never ran.
                queued.remove(task);
            } else {
                long now = now();
                for (Recorders recorder : recorders) {
                    recorder.runs().record(now - startedAt, TimeUnit.NANOSECONDS);
                }
            }
            switch (outcome) {
                case SUCCESS -> completed.increment();
                case FAILED -> failed.increment();
                case CANCELLED -> cancelled.increment();
                case RUNNING -> {
                    // Not an outcome: TaskObserver promises SUCCESS, FAILED or CANCELLED.
                }
            }
        }
    }

    @Override
    public String toString() {
        return "ExecutorMetrics[" + executor.name() + "]";
    }
}
