package dev.scheduler.sample.desktop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scheduler.Executor;
import dev.scheduler.ForegroundExecutor;
import dev.scheduler.test.TestScheduler;
import dev.scheduler.test.junit.SchedulerTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The search logic with the real {@link ForegroundExecutor} confined to the test thread, under the
 * TestScheduler: the user types faster than searches finish, and every seed interleaves the typing,
 * the indexing, the searches and the display differently.
 */
class SearchControllerTest {

    private static final int FILES = 120;
    private static final String TYPED = "needle";

    @TempDir
    static Path folder;

    @BeforeAll
    static void aFolderOfTextFilesAndOneBinary() throws IOException {
        for (int i = 0; i < FILES; i++) {
            Path dir = Files.createDirectories(folder.resolve("dir" + (i % 7)));
            String text = "line one of file " + i + "\n"
                    + (i % 3 == 0 ? "a NEEDLE in the haystack\n" : "only hay here\n")
                    + (i % 5 == 0 ? "needles and nee-dles\n" : "the end\n");
            Files.writeString(dir.resolve(i % 11 == 0 ? "needle-" + i + ".txt" : "file-" + i + ".txt"), text,
                    StandardCharsets.UTF_8);
        }
        Files.write(folder.resolve("image.bin"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 1, 2, 'n', 'e', 'e'});
    }

    /** One window's logic on {@code scheduler}. */
    private static final class Window {
        final RecordingView view = new RecordingView();
        final SearchController controller;

        Window(TestScheduler scheduler) {
            ForegroundExecutor ui = scheduler.foreground();
            Executor background = scheduler.background();
            controller = new SearchController(ui, background, view);
        }

        /** Types {@link #TYPED} a key at a time, with a random number of steps between keys: often too few for a search. */
        void typeFast(TestScheduler scheduler) {
            for (int i = 1; i <= TYPED.length(); i++) {
                controller.queryChanged(TYPED.substring(0, i));
                runSomeSteps(scheduler, 30); // the user is faster than the search
            }
        }
    }

    /** Runs a random number of steps below {@code bound}, fewer if nothing is left to run. */
    private static void runSomeSteps(TestScheduler scheduler, int bound) {
        for (int steps = scheduler.rng().nextInt(0, bound); steps > 0 && scheduler.tick(); steps--) {
            // each tick is one step
        }
    }

    private static List<Match> allMatches(FolderIndex index, String query) {
        return index.files().stream().flatMap(file -> FolderIndex.matchesOf(file, query).stream()).toList();
    }

    @Nested
    class TypingFasterThanSearchesFinish {

        @SchedulerTest(iterations = 100)
        void theDisplayEndsShowingExactlyTheFinalQuerysMatchesAndNeverAStaleResult(TestScheduler scheduler) {
            Window window = new Window(scheduler);
            window.controller.open(folder);

            window.typeFast(scheduler);
            scheduler.runUntilParked();

            assertThat(window.view.stale).isEmpty();
            assertThat(window.view.query).isEqualTo(TYPED);
            assertThat(window.controller.index().files()).hasSize(FILES);
            assertThat(window.view.results).isNotEmpty()
                    .containsExactlyElementsOf(allMatches(window.controller.index(), TYPED));
            assertThat(window.view.finished).last().isEqualTo(TYPED);
        }

        @SchedulerTest(iterations = 100)
        void aSearchThatANewerQueryReplacedStopsBeforeItHasSearchedEveryFile(TestScheduler scheduler) {
            Window window = new Window(scheduler);
            window.controller.open(folder);
            scheduler.runUntilParked(); // indexed: each search now has all the files to go through

            window.typeFast(scheduler);
            scheduler.runUntilParked();

            // A search cancelled before its first step never ran at all, and is not in the list.
            List<FolderIndex.SearchRun> runs = window.controller.index().searches();
            assertThat(runs).hasSizeBetween(1, TYPED.length());
            assertThat(runs.getLast().query).isEqualTo(TYPED);
            assertThat(runs.subList(0, runs.size() - 1)).allSatisfy(replaced -> {
                assertThat(replaced.completed).as("search for " + replaced.query + " completed").isFalse();
                assertThat(replaced.scanned).as("files searched for " + replaced.query).isLessThan(FILES);
            });
            assertThat(runs.getLast().completed).isTrue();
        }
    }

    @Nested
    class TypingAQueryAgain {

        @SchedulerTest(iterations = 100)
        void aQueryTypedBackShowsItsMatchesOnceWhateverTheOldSearchWithTheSameTextHadFound(TestScheduler scheduler) {
            Window window = new Window(scheduler);
            window.controller.open(folder);
            scheduler.runUntilParked();

            for (String typed : List.of("needle", "needl", "needle", "needl", "needle")) {
                window.controller.queryChanged(typed);
                runSomeSteps(scheduler, 200); // sometimes far enough for a batch or two, never to the end
            }
            scheduler.runUntilParked();

            assertThat(window.view.results).containsExactlyElementsOf(allMatches(window.controller.index(), TYPED));
        }
    }

    @Nested
    class Indexing {

        @SchedulerTest(iterations = 100)
        void progressOnlyGrowsAndEndsOnceCountingTheBinaryFileAsSkipped(TestScheduler scheduler) {
            Window window = new Window(scheduler);
            window.controller.open(folder);

            window.typeFast(scheduler);
            scheduler.runUntilParked();

            List<Progress> shown = window.view.progress;
            assertThat(shown).extracting(Progress::seen).isSorted();
            assertThat(shown).extracting(Progress::indexed).isSorted();
            assertThat(shown).filteredOn(Progress::done).singleElement().satisfies(last -> {
                assertThat(last.indexed()).isEqualTo(FILES);
                assertThat(last.binary()).isEqualTo(1);
                assertThat(last.note()).isNull();
            });
            assertThat(shown.getLast().done()).isTrue();
        }

        @SchedulerTest(iterations = 100)
        void cancellingStopsTheWalkAndLeavesWhatWasIndexedSearchable(TestScheduler scheduler) {
            Window window = new Window(scheduler);
            window.controller.open(folder);
            runSomeSteps(scheduler, 60); // part of the way

            window.controller.cancelIndexing();
            window.controller.queryChanged(TYPED);
            scheduler.runUntilParked();

            Progress last = window.view.progress.getLast();
            assertThat(window.view.progress).extracting(Progress::seen).isSorted();
            assertThat(window.view.progress).filteredOn(Progress::done).hasSize(1);
            if (!"cancelled".equals(last.note())) {
                assertThat(last.indexed()).as("finished before the cancel").isEqualTo(FILES);
            }
            assertThat(window.view.results).containsExactlyElementsOf(allMatches(window.controller.index(), TYPED));
        }
    }

    @Nested
    class ClosingTheWindow {

        @SchedulerTest(iterations = 100)
        void leavesNoTaskBehindWhereverIndexingAndSearchingHaveGot(TestScheduler scheduler) {
            Window window = new Window(scheduler);
            window.controller.open(folder);
            window.typeFast(scheduler);

            window.controller.close();
            window.controller.queryChanged("needles"); // a key pressed as the window closes
            scheduler.runUntilParked();

            assertThat(scheduler.pendingTasks()).isEmpty();
        }
    }

    @Nested
    class WhatTheUserSees {

        @Test
        void aFolderThatDoesNotExistIsAMessageInTheWindowNotAStackTrace() {
            try (TestScheduler scheduler = new TestScheduler()) {
                Window window = new Window(scheduler);

                window.controller.open(folder.resolve("no-such-folder"));
                scheduler.runUntilParked();

                assertThat(window.view.messages).singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                        .startsWith("There is no folder ").endsWith("no-such-folder: it does not exist.");
                assertThat(scheduler.pendingTasks()).isEmpty();
            }
        }

        @Test
        void aFileInsteadOfAFolderIsAMessageToo() {
            try (TestScheduler scheduler = new TestScheduler()) {
                Window window = new Window(scheduler);

                window.controller.open(folder.resolve("image.bin"));

                assertThat(window.view.messages).singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                        .endsWith("image.bin is a file, not a folder. Give a folder to search.");
            }
        }

        @Test
        void selectingAMatchShowsEveryLineOfItsFileThatMatchesWithWhereTheMatchIs() {
            try (TestScheduler scheduler = new TestScheduler()) {
                Window window = new Window(scheduler);
                window.controller.open(folder);
                window.controller.queryChanged("NEEDLE");
                scheduler.runUntilParked();

                Match first = window.view.results.stream().filter(match -> match.file().name().contains("needle-0"))
                        .findFirst().orElseThrow();
                window.controller.select(first);

                assertThat(window.view.previewed).isEqualTo(first);
                assertThat(window.view.preview).extracting(Match::line).containsExactly(0, 2, 3);
                assertThat(window.view.preview).allSatisfy(match ->
                        assertThat(match.text().substring(match.start(), match.end())).isEqualToIgnoringCase("needle"));
            }
        }
    }
}
