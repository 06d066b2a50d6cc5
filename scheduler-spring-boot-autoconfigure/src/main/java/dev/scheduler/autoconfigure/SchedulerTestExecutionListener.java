package dev.scheduler.autoconfigure;

import dev.scheduler.Scheduler;
import dev.scheduler.Task;
import dev.scheduler.TaskId;
import dev.scheduler.TaskReport;
import dev.scheduler.test.SeedRun;
import dev.scheduler.test.Seeds;
import dev.scheduler.test.TestScheduler;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.support.AbstractTestExecutionListener;

/**
 * Makes each test of a Spring application start on a freshly seeded {@code TestScheduler} and end
 * with nothing left running, although Spring shares one cached context, and so one scheduler bean,
 * between many tests. Registered through {@code META-INF/spring.factories}; it does nothing for
 * contexts without a {@code TestScheduler}.
 *
 * <ul>
 *   <li>Before each test method it {@linkplain TestScheduler#reseed(long) reseeds} the scheduler
 *       with {@code scheduler.test.seed}, which {@code SEED} (or {@code -Dscheduler.seed})
 *       overrides, and notes which tasks are already running (the application's own long-lived
 *       work, which no test is blamed for).
 *   <li>After it, it {@linkplain TestScheduler#endTest() ends the test}: runs until parked, then
 *       fails <em>that</em> test if a task failed unobserved, if work arrived from outside the
 *       scheduler, or if tasks the test spawned are still unfinished, naming each. Leftover tasks
 *       are then cancelled and the scheduler runs until parked again, so the next test starts clean
 *       and is never blamed for this one.
 * </ul>
 *
 * <p>Like the scheduler itself, this assumes the tests of one context run on the thread that
 * created it: Spring's default, and JUnit's unless tests run in parallel.
 */
public final class SchedulerTestExecutionListener extends AbstractTestExecutionListener {

    /** After Spring's {@code DirtiesContextTestExecutionListener}, so that the context is still open after a test. */
    private static final int ORDER = 4_000;

    private static final String RUNNING_BEFORE = SchedulerTestExecutionListener.class.getName() + ".runningBefore";
    private static final String RUN = SchedulerTestExecutionListener.class.getName() + ".run";

    /** Creates the listener; Spring's test framework does. */
    public SchedulerTestExecutionListener() {
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public void beforeTestMethod(TestContext testContext) {
        TestScheduler scheduler = testScheduler(testContext);
        if (scheduler == null) {
            return;
        }
        long seed = testContext.getApplicationContext().getEnvironment()
                .getProperty("scheduler.test.seed", Long.class, 0L);
        testContext.setAttribute(RUN, SeedRun.reseeded(scheduler, Seeds.resolve(seed, 1).first()));
        testContext.setAttribute(RUNNING_BEFORE, ids(scheduler.pendingTasks()));
    }

    @Override
    public void afterTestMethod(TestContext testContext) {
        TestScheduler scheduler = testScheduler(testContext);
        if (scheduler == null) {
            return;
        }
        SeedRun run = (SeedRun) testContext.removeAttribute(RUN);
        Throwable failure = (run != null ? run : SeedRun.reseeded(scheduler, scheduler.seed())).end(null);
        @SuppressWarnings("unchecked")
        Set<TaskId> runningBefore = (Set<TaskId>) testContext.removeAttribute(RUNNING_BEFORE);
        List<Task<?>> leftover = scheduler.pendingTasks().stream()
                .filter(task -> runningBefore == null || !runningBefore.contains(task.id()))
                .toList();
        if (!leftover.isEmpty()) {
            AssertionError leak = new AssertionError(describeLeak(testContext, scheduler, leftover));
            leftover.forEach(Task::cancel);
            scheduler.runUntilParked();
            if (failure != null) {
                leak.addSuppressed(failure);
            }
            failure = leak;
        }
        if (failure instanceof RuntimeException unchecked) {
            throw unchecked;
        }
        if (failure != null) {
            throw (Error) failure;
        }
    }

    private static TestScheduler testScheduler(TestContext testContext) {
        if (!testContext.hasApplicationContext()) {
            return null;
        }
        ApplicationContext context = testContext.getApplicationContext();
        Scheduler scheduler = context.getBeanProvider(Scheduler.class).getIfUnique();
        return scheduler == null ? null : scheduler.as(TestScheduler.class).orElse(null);
    }

    private static Set<TaskId> ids(List<Task<?>> tasks) {
        return tasks.stream().map(Task::id).collect(Collectors.toSet());
    }

    private static String describeLeak(TestContext testContext, TestScheduler scheduler, List<Task<?>> leftover) {
        TaskReport report = new TaskReport(testContext.getTestClass().getSimpleName() + "."
                + testContext.getTestMethod().getName() + " left " + leftover.size()
                + (leftover.size() == 1 ? " task" : " tasks") + " unfinished on the application's TestScheduler (seed "
                + scheduler.seed() + ", virtual time " + scheduler.now() + "):", leftover);
        return report + System.lineSeparator() + (leftover.size() == 1 ? "It was" : "They were")
                + " cancelled, so that the next test starts clean. Join, cancel or close what a test spawns "
                + "before it ends; advanceClock(...) runs what waits for timers.";
    }
}
