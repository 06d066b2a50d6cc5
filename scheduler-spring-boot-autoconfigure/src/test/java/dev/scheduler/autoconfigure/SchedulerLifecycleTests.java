package dev.scheduler.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scheduler.Executor;
import dev.scheduler.Task;
import dev.scheduler.TaskLabel;
import dev.scheduler.dispatch.DispatcherOptions;
import dev.scheduler.dispatch.PortableDispatcher;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** Stopping a dispatcher with the context: refuse, drain, close, and say what was dropped. */
@ExtendWith(OutputCaptureExtension.class)
class SchedulerLifecycleTests {

    private final PortableDispatcher dispatcher = new PortableDispatcher(
            DispatcherOptions.defaults().withBackgroundThreads(1).withThreadNamePrefix("lifecycle"));

    @Test
    void stopWhenTasksAreStillWaitingAfterTheTimeoutShouldCloseAndLogWhatItDropped(CapturedOutput output)
            throws InterruptedException {
        SchedulerLifecycle lifecycle = new SchedulerLifecycle(dispatcher, Duration.ZERO);
        lifecycle.start();
        Executor executor = new Executor(dispatcher);
        CompletableFuture<Void> never = new CompletableFuture<>();
        CountDownLatch started = new CountDownLatch(1);
        Task<Void> waiting = executor.spawnLabeled(TaskLabel.of("waiting"), () -> {
            started.countDown();
            never.join();
        });
        executor.timer(Duration.ofMinutes(1));
        assertThat(started.await(1, TimeUnit.MINUTES)).isTrue();

        lifecycle.stop();

        assertThat(lifecycle.isRunning()).isFalse();
        assertThat(dispatcher.isShutdown()).isTrue();
        // Whether the cancelled body's last step was still queued when the threads stopped depends on timing.
        assertThat(output.toString()).containsPattern("The portable dispatcher stopped with work left after waiting "
                + "PT0S \\(scheduler.shutdown.await-termination\\): dropped [01] queued steps? .*and 1 pending timer; "
                + "cancelled 1 unfinished task \\(task " + waiting.id() + " \"waiting\"\\)");
        assertThat(waiting.isCancelled()).isTrue();
    }

    @Test
    void stopShouldCancelWhatIsStillParkedSoThatNoCallerWaitsForever() throws Exception {
        SchedulerLifecycle lifecycle = new SchedulerLifecycle(dispatcher, Duration.ofMillis(200));
        lifecycle.start();
        SchedulerTaskExecutor bridge = new SchedulerTaskExecutor(new Executor(dispatcher));
        CountDownLatch never = new CountDownLatch(1);
        Future<?> first = bridge.submit(() -> {
            never.await();
            return null;
        });
        Future<?> second = bridge.submit(() -> {
            never.await();
            return null;
        });

        lifecycle.stop();

        // As Spring's own executors cancel what they drop: get() throws instead of waiting for ever.
        assertThatThrownBy(() -> first.get(1, TimeUnit.MINUTES)).isInstanceOf(CancellationException.class);
        assertThatThrownBy(() -> second.get(1, TimeUnit.MINUTES)).isInstanceOf(CancellationException.class);
    }

    @Test
    void stopShouldLetAcceptedTasksFinishAndCloseQuietly(CapturedOutput output) {
        SchedulerLifecycle lifecycle = new SchedulerLifecycle(dispatcher, Duration.ofMinutes(1));
        lifecycle.start();
        Executor executor = new Executor(dispatcher);
        Task<String> accepted = executor.spawn(() -> {
            executor.timer(Duration.ofMillis(20)).join();
            return "finished";
        });

        lifecycle.stop();

        assertThat(accepted.resultNow()).isEqualTo("finished");
        assertThat(dispatcher.isTerminated()).isTrue();
        assertThat(output).doesNotContain("stopped with work left");
    }

}
