package dev.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scheduler.test.TestScheduler;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;

class ForegroundExecutorTest {

    @Test
    void aCallFromAnotherThreadFailsNamingBothThreads() throws Exception {
        try (TestScheduler scheduler = new TestScheduler()) {
            ForegroundExecutor foreground = scheduler.foreground();
            Throwable[] failure = new Throwable[1];
            Thread worker = new Thread(() -> {
                try {
                    foreground.spawn(() -> 1);
                } catch (Throwable e) {
                    failure[0] = e;
                }
            }, "worker-1");
            worker.start();
            worker.join();

            assertThat(failure[0]).isInstanceOf(IllegalStateException.class)
                    .hasMessage("ForegroundExecutor of " + foreground.sessionId() + " is confined to thread \""
                            + Thread.currentThread().getName() + "\", but spawn() was called from thread \"worker-1\"");
        }
    }

    @Test
    void aBackgroundTaskCannotUseTheForegroundExecutorEvenOnTheSameCarrier() {
        try (TestScheduler scheduler = new TestScheduler()) {
            ForegroundExecutor foreground = scheduler.foreground();
            Executor background = scheduler.background();
            Task<Object> misuse = background.spawnLabeled(TaskLabel.of("bg"), () -> foreground.spawn(() -> 1));

            assertThatThrownBy(misuse::join).cause()
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("but spawn() was called from background task " + misuse.id() + " \"bg\"");
        }
    }

    @Test
    void foregroundTasksMayUseTheirExecutor() {
        try (TestScheduler scheduler = new TestScheduler()) {
            ForegroundExecutor foreground = scheduler.foreground();

            Task<Integer> nested = foreground.spawn(() -> foreground.spawn(() -> 41).join() + 1);

            assertThat(nested.join()).isEqualTo(42);
        }
    }

    @Test
    void aForegroundTaskThatWaitsForBackgroundWorkResumesOnTheConfinedThread() throws Exception {
        try (ThreadPoolScheduler scheduler = new ThreadPoolScheduler()) {
            Executor background = new Executor(scheduler);
            LinkedBlockingQueue<String> carriers = new LinkedBlockingQueue<>();
            Task<String> uiTask = scheduler.onMainThread(() -> {
                ForegroundExecutor foreground = new ForegroundExecutor(scheduler);
                return foreground.spawn(() -> {
                    carriers.add(carrierOf(Thread.currentThread()));
                    String loaded = background.spawn(() -> {
                        carriers.add(carrierOf(Thread.currentThread()));
                        return "data";
                    }).join();
                    carriers.add(carrierOf(Thread.currentThread()));
                    return loaded;
                });
            });

            assertThat(background.blockOn(uiTask)).isEqualTo("data");
            assertThat(carriers).hasSize(3);
            String beforeJoin = carriers.take();
            String backgroundCarrier = carriers.take();
            String afterJoin = carriers.take();
            assertThat(beforeJoin).isEqualTo(scheduler.mainThread().orElseThrow().getName());
            assertThat(backgroundCarrier).isNotEqualTo(scheduler.mainThread().orElseThrow().getName());
            assertThat(afterJoin).isEqualTo(scheduler.mainThread().orElseThrow().getName());
        }
    }

    @Test
    void eachForegroundExecutorIsItsOwnSession() {
        try (TestScheduler scheduler = new TestScheduler()) {
            ForegroundExecutor first = scheduler.foreground();
            ForegroundExecutor second = scheduler.foreground();

            assertThat(first.sessionId()).isNotEqualTo(second.sessionId());
            assertThat(first.spawn(() -> 1).metadata().session()).isEqualTo(first.sessionId());
            assertThat(first.thread()).isSameAs(Thread.currentThread());
            scheduler.runUntilParked();
        }
    }

    /** The carrier a mounted virtual thread runs on, as the JDK shows it: "VirtualThread[#22]/runnable@carrier". */
    private static String carrierOf(Thread thread) {
        String description = thread.toString();
        return description.substring(description.lastIndexOf('@') + 1);
    }
}
