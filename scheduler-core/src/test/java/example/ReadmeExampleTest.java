package example;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scheduler.Executor;
import dev.scheduler.ForegroundExecutor;
import dev.scheduler.Task;
import dev.scheduler.test.TestScheduler;
import dev.scheduler.test.junit.SchedulerTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

class ReadmeExampleTest {

    @SchedulerTest(iterations = 100)
    void retriesWithBackoffInVirtualTime(TestScheduler scheduler) {
        Executor executor = scheduler.background();
        AtomicInteger attempts = new AtomicInteger();

        Task<String> fetch = executor.spawn(() -> {
            while (attempts.incrementAndGet() < 3) {
                executor.timer(Duration.ofSeconds(10)).join(); // back off: virtual time, no real waiting
            }
            return "ok";
        });

        assertThat(fetch.join()).isEqualTo("ok");
        assertThat(scheduler.now()).isEqualTo(TestScheduler.START.plusSeconds(20));
    }

    @SchedulerTest(iterations = 100)
    void theUiThreadShowsEveryPageWithoutBlocking(TestScheduler scheduler) {
        ForegroundExecutor ui = scheduler.foreground();
        Executor background = scheduler.background();
        List<String> shown = new ArrayList<>();

        for (String page : List.of("home", "settings", "about")) {
            ui.spawn(() -> {
                String html = background.spawn(() -> "<" + page + ">").join(); // parks the UI task, not the UI thread
                shown.add(html);
            });
        }
        scheduler.runUntilParked();

        assertThat(shown).containsExactlyInAnyOrder("<home>", "<settings>", "<about>");
    }
}
