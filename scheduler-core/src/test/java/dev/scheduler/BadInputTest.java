package dev.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scheduler.cloud.CleanupPolicy;
import dev.scheduler.cloud.SessionCleanupException;
import dev.scheduler.cloud.SessionState;
import dev.scheduler.cloud.SessionsSnapshot;
import dev.scheduler.cloud.SimulatedExecutionContext;
import dev.scheduler.cloud.WorkerExecutionContext;
import dev.scheduler.cloud.WorkerSession;
import dev.scheduler.test.TestScheduler;
import dev.scheduler.test.TestSchedulerConfig;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.TestFactory;

/**
 * Misuse of the public API meets a clear error: the table of bad arguments is built by reflection
 * from every public method of each type (see {@link BadInput}), and calls from the wrong thread or
 * on a closed scheduler are tried on every method they apply to.
 */
class BadInputTest {

    static final BadInput.Values CORE = BadInput::common;

    @Nested
    class NullNegativeAndHugeArguments {

        @TestFactory
        Stream<DynamicTest> executor() {
            return BadInput.forType(Executor.class, () -> new TestScheduler().background()).with(CORE)
                    .nullable("Executor.spawn(label)").tests();
        }

        @TestFactory
        Stream<DynamicTest> foregroundExecutor() {
            return BadInput.forType(ForegroundExecutor.class, () -> new TestScheduler().foreground()).with(CORE)
                    .nullable("ForegroundExecutor.spawn(label)").tests();
        }

        @TestFactory
        Stream<DynamicTest> task() {
            return BadInput.forType(Task.class, () -> new TestScheduler().background().spawn(() -> 1)).with(CORE)
                    .nullable("Task.ready(value)").tests();
        }

        @TestFactory
        Stream<DynamicTest> testScheduler() {
            return BadInput.forType(TestScheduler.class, TestScheduler::new).with(CORE)
                    .nullable("TestScheduler.block(session)", "TestScheduler.block(timeout)").tests();
        }

        @TestFactory
        Stream<DynamicTest> testSchedulerConfig() {
            return Stream.concat(BadInput.forType(TestSchedulerConfig.class, TestSchedulerConfig::defaults).with(CORE).tests(),
                    BadInput.forType(TestSchedulerConfig.Builder.class, TestSchedulerConfig::builder).with(CORE).tests());
        }

        @TestFactory
        Stream<DynamicTest> simulatedExecutionContext() {
            return BadInput.forType(SimulatedExecutionContext.class, () -> new SimulatedExecutionContext(new TestScheduler()))
                    .with(CORE).tests();
        }

        @TestFactory
        Stream<DynamicTest> workerExecutionContext() {
            return BadInput.forType(WorkerExecutionContext.class,
                    () -> new WorkerExecutionContext(new TestScheduler().background(), CleanupPolicy.FAIL)).with(CORE).tests();
        }

        @TestFactory
        Stream<DynamicTest> cloudValues() {
            return Stream.of(WorkerSession.class, SessionState.class, SessionsSnapshot.class, SessionCleanupException.class)
                    .flatMap(type -> BadInput.forType(type, () -> {
                        throw new IllegalStateException("constructors and static methods only");
                    }).with(CORE).skip(instanceMethodsOf(type)).tests());
        }

        @TestFactory
        Stream<DynamicTest> coreValues() {
            return Stream.of(TaskLabel.class, TaskId.class, SessionId.class, TaskMetadata.class, QueueDepths.class,
                            TaskObserver.class, Scheduler.class)
                    .flatMap(type -> BadInput.forType(type, () -> {
                        throw new IllegalStateException("constructors and static methods only");
                    }).with(CORE).skip(instanceMethodsOf(type))
                            // requireDelay names its caller's parameter, which every other Duration case checks.
                            .skip("Scheduler.requireDelay")
                            .nullable("TaskMetadata.<init>(label)", "TaskMetadata.<init>(session)",
                                    "TaskMetadata.<init>(spawnSite)", "TaskObserver.setThreadScope(observer)")
                            .tests());
        }
    }

    @Nested
    class CallsFromTheWrongThread {

        /** Methods of a foreground executor any thread may call: they read, or are thread-safe by design. */
        private static final Set<String> ANY_THREAD = Set.of("name", "scheduler", "sessionId", "thread", "now",
                "isMainThread", "numCpus", "addObserver", "removeObserver", "addDecorator", "removeDecorator");

        @TestFactory
        Stream<DynamicTest> aForegroundExecutorRefusesEveryOtherCallNamingBothThreads() {
            return publicMethods(ForegroundExecutor.class).filter(method -> !ANY_THREAD.contains(method.getName()))
                    .map(method -> DynamicTest.dynamicTest(method.getName() + Arrays.toString(method.getParameterTypes()), () -> {
                        TestScheduler scheduler = new TestScheduler();
                        ForegroundExecutor foreground = scheduler.foreground();
                        Throwable thrown = callOnAnotherThread(foreground, method);
                        assertThat(thrown).isInstanceOf(IllegalStateException.class)
                                .hasMessageContaining("\"" + Thread.currentThread().getName() + "\"")
                                .hasMessageContaining("\"intruder\"");
                    }));
        }

        /** TestScheduler methods that other threads may call: handing in work, and reads. */
        private static final Set<String> SCHEDULER_ANY_THREAD = Set.of("schedule", "scheduleForeground", "scheduleAfter",
                "unparker", "now", "nanoTime", "queueDepths", "isTaskRunning", "pendingTasks", "seed", "config", "thread", "trace",
                "rng", "as", "capturesSpawnSites", "isMainThread", "mainThread", "reportFailure", "reportObserverFailure",
                "allowParking", "forbidParking", "setTimeoutTicks", "background", "close", "simulateRandomDelay",
                "taskObserver", "switches", "switchCount", "virtualClockReads", "adoptsThreads");

        @TestFactory
        Stream<DynamicTest> aTestSchedulerRefusesToBeDrivenFromAnotherThreadNamingIt() {
            return publicMethods(TestScheduler.class)
                    .filter(method -> !Modifier.isStatic(method.getModifiers()) && !SCHEDULER_ANY_THREAD.contains(method.getName()))
                    .map(method -> DynamicTest.dynamicTest(method.getName() + Arrays.toString(method.getParameterTypes()), () -> {
                        TestScheduler scheduler = new TestScheduler();
                        Throwable thrown = callOnAnotherThread(scheduler, method);
                        assertThat(thrown).isInstanceOf(IllegalStateException.class)
                                .hasMessageContaining("must be called on the scheduler's thread \""
                                        + Thread.currentThread().getName() + "\"")
                                .hasMessageContaining("thread \"intruder\"");
                    }));
        }
    }

    @Nested
    class CallsOnAClosedScheduler {

        @TestFactory
        Stream<DynamicTest> everyWayToHandInWorkIsRefusedNamingTheClosedScheduler() {
            return publicMethods(Executor.class)
                    .filter(method -> method.getName().startsWith("spawn") || method.getName().equals("timer")
                            || method.getName().equals("execute"))
                    .map(method -> DynamicTest.dynamicTest(method.getName() + Arrays.toString(method.getParameterTypes()), () -> {
                        TestScheduler scheduler = new TestScheduler();
                        Executor executor = scheduler.background();
                        scheduler.close();
                        Throwable thrown = call(executor, method);
                        assertThat(thrown).isInstanceOf(RejectedExecutionException.class)
                                .hasMessageStartingWith("TestScheduler (seed 0) is closed and cannot accept ");
                    }));
        }
    }

    @Nested
    class ForeignObjects {

        @TestFactory
        Stream<DynamicTest> aContextRefusesSessionsItDidNotCreateNamingThem() {
            SessionId foreign = SessionId.next();
            return Stream.of("session", "withSession", "setCurrentSession", "validateSessionCleanup", "endSession")
                    .map(name -> DynamicTest.dynamicTest(name, () -> {
                        SimulatedExecutionContext context = new SimulatedExecutionContext(new TestScheduler());
                        Method method = publicMethods(SimulatedExecutionContext.class)
                                .filter(candidate -> candidate.getName().equals(name) && Arrays.stream(
                                        candidate.getParameterTypes()).skip(1).allMatch(type -> type == Runnable.class))
                                .findFirst().orElseThrow();
                        Object[] arguments = new Object[method.getParameterCount()];
                        arguments[0] = foreign;
                        for (int i = 1; i < arguments.length; i++) {
                            arguments[i] = (Runnable) () -> { };
                        }
                        Throwable thrown = invoke(context, method, arguments);
                        assertThat(thrown).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(foreign.toString());
                    }));
        }

        @TestFactory
        Stream<DynamicTest> waitUntilRefusesATaskOfAnotherSession() {
            return Stream.of(DynamicTest.dynamicTest("waitUntil(task of another session)", () -> {
                TestScheduler scheduler = new TestScheduler();
                SimulatedExecutionContext context = new SimulatedExecutionContext(scheduler);
                SessionId first = context.createSession();
                SessionId second = context.createSession();
                CompletableFuture<Void> never = new CompletableFuture<>();
                Task<Object> theirs = context.withSession(first, () -> context.foreground().spawn(() -> context.foreground()
                        .blockOn(never)));
                scheduler.runUntilParked();
                assertThatThrownBy(() -> context.withSession(second, () -> context.waitUntil(theirs)))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessage(theirs.metadata().describe() + " was not spawned in " + second
                                + ", so waitUntil cannot let it outlive that session");
            }));
        }
    }

    // ---------------------------------------------------------------- reflection

    private static Stream<Method> publicMethods(Class<?> type) {
        List<Method> methods = new ArrayList<>();
        for (Method method : type.getMethods()) {
            if (!method.isSynthetic() && !method.isBridge() && method.getDeclaringClass().getName().startsWith("dev.scheduler")
                    && !BadInput.OBJECT_METHODS.contains(method.getName())) {
                methods.add(method);
            }
        }
        methods.sort(Comparator.comparing(Method::toGenericString));
        return methods.stream();
    }

    private static String[] instanceMethodsOf(Class<?> type) {
        return publicMethods(type).filter(method -> !Modifier.isStatic(method.getModifiers()))
                .map(method -> type.getSimpleName() + "." + method.getName()).distinct().toArray(String[]::new);
    }

    private static Throwable callOnAnotherThread(Object receiver, Method method) throws InterruptedException {
        Throwable[] thrown = new Throwable[1];
        Thread intruder = Thread.ofPlatform().name("intruder").start(() -> thrown[0] = call(receiver, method));
        intruder.join();
        return thrown[0];
    }

    private static Throwable call(Object receiver, Method method) {
        return invoke(receiver, method, BadInput.validArguments(receiver, method));
    }

    private static Throwable invoke(Object receiver, Method method, Object[] arguments) {
        try {
            method.invoke(receiver, arguments);
            return null;
        } catch (InvocationTargetException e) {
            return e.getCause();
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }
}
