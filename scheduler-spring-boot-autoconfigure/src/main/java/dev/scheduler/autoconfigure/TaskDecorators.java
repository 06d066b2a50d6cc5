package dev.scheduler.autoconfigure;

import dev.scheduler.AbstractExecutor;
import java.util.ArrayList;
import java.util.List;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.support.CompositeTaskDecorator;
import org.springframework.core.task.support.ContextPropagatingTaskDecorator;
import org.springframework.util.ClassUtils;

/**
 * The decorator of the body of every task the auto-configured executors run, by Spring Boot's rule
 * for its own executors: the application's {@link TaskDecorator} beans in order, several combined
 * as Spring's {@link CompositeTaskDecorator} combines them. When Micrometer's context-propagation
 * library is on the class path, Spring's {@link ContextPropagatingTaskDecorator} comes last, so
 * the spawning code's thread-local context (MDC, the current observation and trace, the security
 * context) is restored in the task before the application's decorators run.
 */
final class TaskDecorators {

    private static final String CONTEXT_SNAPSHOT_FACTORY = "io.micrometer.context.ContextSnapshotFactory";

    private TaskDecorators() {
    }

    /**
     * Adds the decorator to {@code executor}, if there is any.
     *
     * @param executor the executor whose tasks to decorate
     * @param applications the application's decorators, in order
     * @param propagateContext whether to propagate thread-local context when the library is present
     */
    static void apply(AbstractExecutor executor, List<TaskDecorator> applications, boolean propagateContext) {
        List<TaskDecorator> decorators = new ArrayList<>(applications);
        if (propagateContext && ClassUtils.isPresent(CONTEXT_SNAPSHOT_FACTORY, TaskDecorators.class.getClassLoader())
                && decorators.stream().noneMatch(ContextPropagatingTaskDecorator.class::isInstance)) {
            decorators.add(new ContextPropagatingTaskDecorator());
        }
        if (decorators.size() == 1) {
            executor.addDecorator(decorators.getFirst()::decorate);
        } else if (!decorators.isEmpty()) {
            executor.addDecorator(new CompositeTaskDecorator(decorators)::decorate);
        }
    }
}
