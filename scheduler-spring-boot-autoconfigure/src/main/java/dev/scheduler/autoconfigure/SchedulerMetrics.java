package dev.scheduler.autoconfigure;

import dev.scheduler.Executor;
import dev.scheduler.ForegroundExecutor;
import dev.scheduler.QueueDepths;
import dev.scheduler.Scheduler;
import dev.scheduler.Task;
import dev.scheduler.TaskObserver;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;

/**
 * Binds the scheduler's meters, all named {@code scheduler.*} so that they never collide with
 * Spring Boot's own {@code executor.*} meters:
 *
 * <ul>
 *   <li>{@code scheduler.queue.depth} (tag {@code queue}: background, foreground, timers,
 *       deprioritized): steps waiting, from {@link Scheduler#queueDepths()}.
 *   <li>{@code scheduler.tasks} (tags {@code executor}, {@code outcome}: completed, failed,
 *       cancelled): tasks that finished; {@code scheduler.tasks.active} (tag {@code executor}):
 *       tasks spawned and not finished.
 *   <li>{@code scheduler.task.wait} and {@code scheduler.task.run} (tag {@code executor}): timers
 *       from spawn to the body's start, and from the body's start to its end (parked time
 *       included).
 *   <li>{@code scheduler.sessions.active}, {@code scheduler.sessions.tasks} (tag {@code state}:
 *       running, wait-until, unauthorized) and {@code scheduler.sessions.cleanup.failures}, over
 *       every execution context.
 * </ul>
 *
 * <p>Task meters come from a {@link TaskObserver} added to each executor when the binder is first
 * bound, so they count tasks spawned from then on. Per task it costs two map updates, three clock
 * reads and two timer recordings on the spawning and running threads. Closing the binder removes
 * its observers and its meters.
 */
public final class SchedulerMetrics implements MeterBinder, AutoCloseable {

    private static final String TASK_DESCRIPTION = "Tasks of this executor whose bodies finished, by outcome.";

    private final Scheduler scheduler;
    private final List<Executor> executors;
    private final List<ForegroundExecutor> foregroundExecutors;
    private final ExecutionContexts contexts;
    private final Tags tags;
    private final Map<String, ExecutorMetrics> byExecutor = new LinkedHashMap<>();
    private final List<Bound> bound = new CopyOnWriteArrayList<>();

    /** A registry this binder registered meters with, and their ids. */
    private record Bound(MeterRegistry registry, List<Meter.Id> ids) {
    }

    SchedulerMetrics(Scheduler scheduler, List<Executor> executors, List<ForegroundExecutor> foregroundExecutors,
            ExecutionContexts contexts, Iterable<Tag> tags) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.executors = List.copyOf(executors);
        this.foregroundExecutors = List.copyOf(foregroundExecutors);
        this.contexts = Objects.requireNonNull(contexts, "contexts");
        this.tags = Tags.of(tags);
    }

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        if (byExecutor.isEmpty()) {
            // Executors with one name share one observer, so their meters add up instead of colliding.
            for (Executor executor : executors) {
                executor.addObserver(byExecutor.computeIfAbsent(executor.name(), ExecutorMetrics::new));
            }
            for (ForegroundExecutor executor : foregroundExecutors) {
                executor.addObserver(byExecutor.computeIfAbsent(executor.name(), ExecutorMetrics::new));
            }
        }
        List<Meter.Id> ids = new ArrayList<>();
        bindQueues(registry, ids);
        for (ExecutorMetrics metrics : byExecutor.values()) {
            metrics.bindTo(registry, ids);
        }
        bindSessions(registry, ids);
        bound.add(new Bound(registry, List.copyOf(ids)));
    }

    private void bindQueues(MeterRegistry registry, List<Meter.Id> ids) {
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

    private void bindSessions(MeterRegistry registry, List<Meter.Id> ids) {
        ids.add(Gauge.builder("scheduler.sessions.active", contexts, c -> c.snapshot().activeSessions())
                .tags(tags)
                .description("The number of cloud worker sessions that have not ended.")
                .baseUnit("sessions")
                .register(registry).getId());
        Map<String, ToDoubleFunction<ExecutionContexts>> states = new LinkedHashMap<>();
        states.put("running", c -> c.snapshot().runningTasks());
        states.put("wait-until", c -> c.snapshot().waitUntilTasks());
        states.put("unauthorized", c -> c.snapshot().unauthorizedTasks());
        states.forEach((state, count) -> ids.add(Gauge.builder("scheduler.sessions.tasks", contexts, count)
                .tags(tags).tag("state", state)
                .description("Running tasks of active sessions: all of them, those allowed to outlive their "
                        + "session (wait-until), and those that would leak if it ended now (unauthorized).")
                .baseUnit(BaseUnits.TASKS)
                .register(registry).getId()));
        ids.add(FunctionCounter.builder("scheduler.sessions.cleanup.failures", contexts,
                        c -> c.snapshot().cleanupFailures())
                .tags(tags)
                .description("The number of session ends or validations that found tasks running without waitUntil.")
                .baseUnit("sessions")
                .register(registry).getId());
    }

    /** Removes the observers from the executors and the meters from every registry bound to. */
    @Override
    public synchronized void close() {
        for (ExecutorMetrics metrics : byExecutor.values()) {
            executors.forEach(executor -> executor.removeObserver(metrics));
            foregroundExecutors.forEach(executor -> executor.removeObserver(metrics));
        }
        for (Bound binding : bound) {
            binding.ids().forEach(binding.registry()::remove);
        }
        bound.clear();
    }

    /** The task meters of the executors with one name, fed by observing their tasks. */
    private final class ExecutorMetrics implements TaskObserver {

        private final String executor;
        private final LongAdder completed = new LongAdder();
        private final LongAdder failed = new LongAdder();
        private final LongAdder cancelled = new LongAdder();
        // Monotonic time of spawn, then of start; the Task's identity is the key.
        private final Map<Task<?>, Long> queued = new ConcurrentHashMap<>();
        private final Map<Task<?>, Long> running = new ConcurrentHashMap<>();
        private final List<Recorders> recorders = new CopyOnWriteArrayList<>();

        /** The timers of one registry, and the clock it times with. */
        private record Recorders(io.micrometer.core.instrument.Clock clock, Timer waits, Timer runs) {
        }

        ExecutorMetrics(String executor) {
            this.executor = executor;
        }

        void bindTo(MeterRegistry registry, List<Meter.Id> ids) {
            Tags executorTags = tags.and("executor", executor);
            counter(registry, ids, executorTags, "completed", completed);
            counter(registry, ids, executorTags, "failed", failed);
            counter(registry, ids, executorTags, "cancelled", cancelled);
            ids.add(Gauge.builder("scheduler.tasks.active", this, m -> m.queued.size() + m.running.size())
                    .tags(executorTags)
                    .description("Tasks of this executor spawned and not yet finished: waiting to start, running or parked.")
                    .baseUnit(BaseUnits.TASKS)
                    .register(registry).getId());
            Timer waits = Timer.builder("scheduler.task.wait")
                    .tags(executorTags)
                    .description("The time from a task's spawn to the start of its body.")
                    .register(registry);
            Timer runs = Timer.builder("scheduler.task.run")
                    .tags(executorTags)
                    .description("The time from the start of a task's body to its end, including time parked.")
                    .register(registry);
            ids.add(waits.getId());
            ids.add(runs.getId());
            recorders.add(new Recorders(registry.config().clock(), waits, runs));
        }

        private void counter(MeterRegistry registry, List<Meter.Id> ids, Tags executorTags, String outcome,
                LongAdder count) {
            ids.add(FunctionCounter.builder("scheduler.tasks", count, LongAdder::sum)
                    .tags(executorTags).tag("outcome", outcome)
                    .description(TASK_DESCRIPTION)
                    .baseUnit(BaseUnits.TASKS)
                    .register(registry).getId());
        }

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
}
