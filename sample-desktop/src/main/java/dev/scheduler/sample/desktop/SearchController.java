package dev.scheduler.sample.desktop;

import dev.scheduler.Executor;
import dev.scheduler.ForegroundExecutor;
import dev.scheduler.Task;
import dev.scheduler.TaskLabel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The search-as-you-type logic, free of Swing: it indexes a folder and answers each query, with
 * the work in background tasks and every update of the view in a foreground task on the UI thread.
 * Every method is called on the UI thread.
 */
/*
 * Implementation Overview
 * =======================
 *
 * Each piece of work is a pair: a background task that does it (walk the folder, search the index)
 * and a foreground task that waits for what it produces, on a queue, and shows it. The foreground
 * task's take() parks only its own virtual thread: the UI thread goes on painting and handling keys
 * until the background puts something, and then the foreground task resumes on the UI thread. That
 * is the whole trick; there is no invokeLater and no SwingWorker.
 *
 * A new query cancels the pair of the previous one, which stops its search at the next file.
 * Cancelling interrupts the old foreground task, but a take() that was already handed a batch may
 * still return it, so a batch is shown only if its search is still the current one (a generation,
 * not the text, which the user may type again): a stale result never reaches the list.
 *
 * Indexing progress is coalesced in a queue of one: the walk replaces an update the UI has not taken
 * yet, and the UI paints one at most every REPAINT of the scheduler's time (and the last one always),
 * so ten thousand files cost it a few dozen repaints, and what it shows only ever grows. Under the
 * TestScheduler no time passes while tasks run, so a test sees the first update and the last.
 */
final class SearchController {

    static final TaskLabel INDEXING = TaskLabel.of("indexing");
    static final TaskLabel WALK = TaskLabel.of("walk");
    static final TaskLabel SEARCH = TaskLabel.of("search");
    static final TaskLabel SCAN = TaskLabel.of("scan");

    /** How often, at most, indexing progress is painted. */
    static final Duration REPAINT = Duration.ofMillis(50);

    /** What a scan hands its search: a batch of matches, or the end. */
    private record Found(List<Match> matches, int total, boolean end) {
    }

    private final ForegroundExecutor ui;
    private final Executor background;
    private final SearchView view;

    private FolderIndex index;
    private Task<Void> indexing;
    private Task<Progress> walk;
    private Task<Void> search;
    private Task<Integer> scan;
    private Progress progress = Progress.NONE;
    private boolean indexingStopped;
    private String query = "";
    private long generation;
    private boolean closed;

    SearchController(ForegroundExecutor ui, Executor background, SearchView view) {
        this.ui = Objects.requireNonNull(ui, "ui");
        this.background = Objects.requireNonNull(background, "background");
        this.view = Objects.requireNonNull(view, "view");
    }

    /** Starts indexing {@code folder}; a folder that cannot be read is shown as a message. */
    void open(Path folder) {
        try {
            index = new FolderIndex(folder);
        } catch (IllegalArgumentException bad) {
            view.showMessage(bad.getMessage());
            return;
        }
        FolderIndex building = index;
        BlockingQueue<Progress> updates = new ArrayBlockingQueue<>(1);
        walk = background.spawnLabeled(WALK, () -> {
            Progress[] last = {Progress.NONE};
            try {
                last[0] = building.build(progress -> {
                    last[0] = progress;
                    replace(updates, progress);
                });
                return last[0];
            } finally {
                // Also when the walk fails: the UI's task must not wait for ever.
                replace(updates, last[0].done() ? last[0] : last[0].ended("stopped by a failure; see the log"));
            }
        });
        indexing = ui.spawnLabeled(INDEXING, () -> {
            Instant lastShown = Instant.MIN;
            while (!progress.done()) {
                Progress next = updates.take();
                if (indexingStopped) {
                    return null; // cancelIndexing() has shown the end already
                }
                Instant now = ui.now();
                if (next.done() || Duration.between(lastShown, now).compareTo(REPAINT) >= 0) {
                    progress = next;
                    lastShown = now;
                    view.showProgress(next);
                }
            }
            if (!query.isEmpty()) {
                queryChanged(query); // the search so far saw only part of the index: search all of it
            }
            return null;
        });
        walk.detach();
        indexing.detach();
    }

    /** Hands the UI the newest progress, replacing one it has not taken yet. */
    private static void replace(BlockingQueue<Progress> updates, Progress progress) {
        updates.clear();
        updates.offer(progress);
    }

    /** {@return the index, once {@link #open} accepted the folder} */
    FolderIndex index() {
        return index;
    }

    /** Stops indexing: what is indexed so far stays searchable. */
    void cancelIndexing() {
        if (walk == null || indexingStopped || progress.done()) {
            return;
        }
        indexingStopped = true;
        walk.cancel();
        indexing.cancel();
        progress = progress.ended("cancelled");
        view.showProgress(progress);
    }

    /** The query is now {@code text}: the previous search stops and this one starts. */
    void queryChanged(String text) {
        if (closed) {
            return;
        }
        stopSearch();
        String current = text.strip();
        query = current;
        long mine = ++generation; // not the text: the same query typed again is a new search
        view.clearResults(current);
        if (current.isEmpty() || index == null) {
            view.searchFinished(current, 0);
            return;
        }
        FolderIndex searched = index;
        BlockingQueue<Found> found = new LinkedBlockingQueue<>();
        Task<Integer> scanning = background.spawnLabeled(SCAN, () -> {
            int total = 0;
            try {
                total = searched.search(current, matches -> found.add(new Found(matches, 0, false)));
                return total;
            } finally {
                found.add(new Found(List.of(), total, true));
            }
        });
        scan = scanning;
        search = ui.spawnLabeled(SEARCH, () -> {
            for (Found next = found.take(); generation == mine; next = found.take()) {
                if (next.end()) {
                    if (!scanning.isCancelled()) {
                        view.searchFinished(current, next.total());
                    }
                    return null;
                }
                view.addResults(current, next.matches());
            }
            return null; // a newer query took over: what this one found is never shown
        });
        // Nobody joins these two: detached, a failure of either is reported, not lost.
        scanning.detach();
        search.detach();
    }

    /** The user selected {@code match}: show its file's matching lines. */
    void select(Match match) {
        if (match != null) {
            view.showPreview(match, FolderIndex.matchesOf(match.file(), query));
        }
    }

    private void stopSearch() {
        if (scan != null) {
            scan.cancel();
        }
        if (search != null) {
            search.cancel();
        }
    }

    /** Cancels every task of the window: indexing and the search. */
    void close() {
        closed = true;
        cancelIndexing();
        stopSearch();
    }
}
