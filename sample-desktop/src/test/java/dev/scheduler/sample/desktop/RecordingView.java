package dev.scheduler.sample.desktop;

import java.util.ArrayList;
import java.util.List;

/** A view that keeps what it was told, and notes anything shown for a query that was not the current one. */
final class RecordingView implements SearchView {

    final List<Progress> progress = new ArrayList<>();
    final List<String> messages = new ArrayList<>();
    final List<String> stale = new ArrayList<>();
    final List<String> finished = new ArrayList<>();
    List<Match> results = new ArrayList<>();
    String query = "";
    Match previewed;
    List<Match> preview = List.of();

    @Override
    public void showProgress(Progress update) {
        progress.add(update);
    }

    @Override
    public void showMessage(String message) {
        messages.add(message);
    }

    @Override
    public void clearResults(String newQuery) {
        query = newQuery;
        results = new ArrayList<>();
    }

    @Override
    public void addResults(String of, List<Match> matches) {
        if (!of.equals(query)) {
            stale.add(of + " shown while the query was " + query);
        }
        results.addAll(matches);
    }

    @Override
    public void searchFinished(String of, int matches) {
        finished.add(of);
    }

    @Override
    public void showPreview(Match selected, List<Match> inFile) {
        previewed = selected;
        preview = inFile;
    }
}
