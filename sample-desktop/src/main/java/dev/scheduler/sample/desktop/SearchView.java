package dev.scheduler.sample.desktop;

import java.util.List;

/**
 * What the search logic shows; the Swing window is one, a test's recording view another. Every call
 * comes on the UI thread.
 */
interface SearchView {

    /** Indexing got this far. */
    void showProgress(Progress progress);

    /** Something the user must know, such as a folder that cannot be read. */
    void showMessage(String message);

    /** A new query: what the list shows now belongs to it, and is empty. */
    void clearResults(String query);

    /** More matches of {@code query}, which is still the current query. */
    void addResults(String query, List<Match> matches);

    /** The search for {@code query} has searched every indexed file. */
    void searchFinished(String query, int matches);

    /** The selected match's file, with every line that matches the query. */
    void showPreview(Match selected, List<Match> inFile);
}
