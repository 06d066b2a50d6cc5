package dev.scheduler.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.scheduler.Executor;
import dev.scheduler.ForegroundExecutor;
import dev.scheduler.SessionId;
import dev.scheduler.Task;
import dev.scheduler.TaskLabel;
import dev.scheduler.cloud.CleanupPolicy;
import dev.scheduler.cloud.SessionCleanupException;
import dev.scheduler.cloud.SimulatedExecutionContext;
import dev.scheduler.cloud.WorkerExecutionContext;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The cloud session scenarios of the core, on the production dispatchers. */
class SessionsOnDispatchersTest {

    enum Kind {
        LINUX, PORTABLE;

        Dispatcher create() {
            assumeTrue(this != LINUX || OS.LINUX.isCurrentOs(), "the Linux dispatcher runs only on Linux");
            DispatcherOptions options = DispatcherOptions.defaults().withBackgroundThreads(2).withThreadNamePrefix("sessions");
            return this == LINUX ? new LinuxDispatcher(options) : new PortableDispatcher(options);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aHandlerThatAwaitsItsWorkAndHandsTheRestToWaitUntilEndsClean(Kind kind) {
        try (Dispatcher dispatcher = kind.create()) {
            Executor executor = new Executor(dispatcher);
            WorkerExecutionContext platform = new WorkerExecutionContext(executor, CleanupPolicy.FAIL);
            for (int i = 0; i < 1_000; i++) {
                SessionId request = platform.createSession();
                int answer = platform.withSession(request, () -> {
                    platform.waitUntil(() -> platform.delay(Duration.ofMillis(1)));
                    return executor.spawn(() -> executor.spawn(() -> 20).join() + 1).join();
                });

                assertThat(answer).isEqualTo(21);
                platform.validateSessionCleanup(request);
                platform.endSession(request);
            }
            assertThat(platform.snapshot().activeSessions()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aLeakedTaskFailsValidationNamingItEvenWhenANestedSpawnLeaks(Kind kind) {
        try (Dispatcher dispatcher = kind.create()) {
            Executor executor = new Executor(dispatcher);
            WorkerExecutionContext platform = new WorkerExecutionContext(executor, CleanupPolicy.FAIL);
            CountDownLatch release = new CountDownLatch(1);
            SessionId leaky = platform.createSession();
            Task<Task<Boolean>> parent = platform.withSession(leaky, () -> executor.spawn(() -> executor.spawnLabeled(
                    TaskLabel.of("orphan"), () -> release.await(1, TimeUnit.MINUTES))));
            Task<Boolean> orphan = executor.blockOn(parent);

            assertThatThrownBy(() -> platform.validateSessionCleanup(leaky)).isInstanceOf(SessionCleanupException.class)
                    .hasMessageStartingWith("Session cleanup failed: 1 unauthorized task still running in " + leaky)
                    .hasMessageContaining(orphan.metadata().describe());

            release.countDown();
            executor.blockOn(orphan);
            platform.validateSessionCleanup(leaky);
            platform.endSession(leaky);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void theSimulatedContextRunsHandlersOnTheMainLoop(Kind kind) throws Exception {
        try (Dispatcher dispatcher = kind.create()) {
            Executor background = new Executor(dispatcher);
            CompletableFuture<String> outcome = new CompletableFuture<>();
            dispatcher.scheduleForeground(() -> {
                ForegroundExecutor loop = new ForegroundExecutor(dispatcher);
                SimulatedExecutionContext platform = new SimulatedExecutionContext(loop, CleanupPolicy.FAIL);
                SessionId request = platform.createSession();
                Task<String> handler = platform.withSession(request, () -> loop.spawn(() -> {
                    platform.waitUntil(() -> platform.delay(Duration.ofMillis(1)));
                    return background.spawn(() -> "handled").join() + " on main: " + dispatcher.isMainThread();
                }));
                handler.whenComplete((value, failure) -> {
                    try {
                        platform.validateSessionCleanup(request);
                        outcome.complete(value);
                    } catch (RuntimeException e) {
                        outcome.completeExceptionally(e);
                    }
                });
            }, DispatcherContract.foreground());

            assertThat(outcome.get(DispatcherContract.GUARD_SECONDS, TimeUnit.SECONDS)).isEqualTo("handled on main: true");
        }
    }
}
