package dev.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scheduler.test.TestScheduler;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** How reports list tasks: one formatter for deadlock reports, leak reports and the Spring listener. */
class TaskReportTest {

    private final TestScheduler scheduler = new TestScheduler();
    private final Executor executor = scheduler.background();

    @Nested
    class AnEntry {

        @Test
        void namesTheTaskWhereItRunsItsPriorityAndSpawnSite() {
            Task<Integer> task = executor.spawnLabeled(TaskLabel.of("indexer"), () -> 1);

            assertThat(task.dump()).startsWith(task.metadata().describe() + " (background, MEDIUM), spawned at "
                    + TaskReportTest.class.getName()).endsWith(System.lineSeparator() + "  has not started");
        }

        @Test
        void showsWhereAParkedBodyWaitsWithoutTheJdksFrames() {
            CompletableFuture<Void> never = new CompletableFuture<>();
            Task<Object> parked = executor.spawn(() -> executor.blockOn(never));
            scheduler.runUntilParked();

            assertThat(parked.dump()).contains("  parked at:" + System.lineSeparator() + "    at ")
                    .contains("at dev.scheduler.AbstractExecutor.blockOn").doesNotContain("java.lang.VirtualThread");
        }

        @Test
        void saysHowAFinishedTaskEnded() {
            Task<Integer> done = executor.spawn(() -> 1);
            done.join();

            assertThat(done.dump()).endsWith(System.lineSeparator() + "  finished: success");
        }
    }

    @Nested
    class AReport {

        @Test
        void listsEachTaskUnderTheHeadlineIndentedByTwo() {
            Task<Integer> first = executor.spawnLabeled(TaskLabel.of("first"), () -> 1);
            Task<Integer> second = executor.spawnLabeled(TaskLabel.of("second"), () -> 2);

            String report = new TaskReport("2 tasks are pending:", List.of(first, second)).toString();

            String lineBreak = System.lineSeparator();
            assertThat(report).startsWith("2 tasks are pending:" + lineBreak + "  " + first.metadata().describe())
                    .contains(lineBreak + "  " + second.metadata().describe())
                    .contains(lineBreak + "    has not started");
        }
    }
}
