package dev.scheduler.sample.desktop;

import java.awt.BorderLayout;
import java.awt.Color;
import java.awt.Dimension;
import java.awt.Font;
import java.util.List;
import java.util.function.Consumer;
import javax.swing.BorderFactory;
import javax.swing.DefaultListModel;
import javax.swing.JButton;
import javax.swing.JFrame;
import javax.swing.JLabel;
import javax.swing.JList;
import javax.swing.JPanel;
import javax.swing.JProgressBar;
import javax.swing.JScrollPane;
import javax.swing.JSplitPane;
import javax.swing.JTextArea;
import javax.swing.JTextField;
import javax.swing.WindowConstants;
import javax.swing.event.DocumentEvent;
import javax.swing.event.DocumentListener;
import javax.swing.text.BadLocationException;
import javax.swing.text.DefaultHighlighter;
import javax.swing.text.Highlighter;

/**
 * The window: a query field, the matches as they are found, the selected file's matching lines
 * with the match highlighted, and the indexing progress. It only shows what the
 * {@link SearchController} tells it and tells it what the user does; it runs nothing itself.
 */
final class SearchWindow implements SearchView {

    private static final Highlighter.HighlightPainter MATCH = new DefaultHighlighter.DefaultHighlightPainter(
            new Color(0xFF, 0xE0, 0x66));

    private final JFrame frame = new JFrame();
    private final JTextField query = new JTextField();
    private final JButton cancel = new JButton("Cancel indexing");
    private final JProgressBar progressBar = new JProgressBar();
    private final JLabel status = new JLabel(" ");
    private final DefaultListModel<Match> results = new DefaultListModel<>();
    private final JList<Match> list = new JList<>(results);
    private final JTextArea preview = new JTextArea();
    private String shownQuery = "";
    private Progress shownProgress;

    /** Builds the window for {@code folder}; {@link #attach} connects it, {@link #show} opens it. */
    SearchWindow(String folder) {
        frame.setTitle("Search " + folder);
        frame.setDefaultCloseOperation(WindowConstants.DO_NOTHING_ON_CLOSE);
        query.setName("query");
        list.setName("results");
        preview.setName("preview");
        status.setName("status");
        preview.setEditable(false);
        preview.setFont(new Font(Font.MONOSPACED, Font.PLAIN, 12));
        progressBar.setStringPainted(true);

        JPanel top = new JPanel(new BorderLayout(8, 0));
        top.setBorder(BorderFactory.createEmptyBorder(8, 8, 8, 8));
        top.add(new JLabel("Find:"), BorderLayout.WEST);
        top.add(query, BorderLayout.CENTER);
        top.add(cancel, BorderLayout.EAST);

        JSplitPane split = new JSplitPane(JSplitPane.VERTICAL_SPLIT, new JScrollPane(list), new JScrollPane(preview));
        split.setResizeWeight(0.6);

        JPanel bottom = new JPanel(new BorderLayout(8, 0));
        bottom.setBorder(BorderFactory.createEmptyBorder(4, 8, 8, 8));
        bottom.add(status, BorderLayout.CENTER);
        bottom.add(progressBar, BorderLayout.EAST);

        frame.add(top, BorderLayout.NORTH);
        frame.add(split, BorderLayout.CENTER);
        frame.add(bottom, BorderLayout.SOUTH);
        frame.setPreferredSize(new Dimension(900, 600));
        frame.pack();
    }

    /** Connects what the user does to {@code controller}, and closing the window to {@code onClose}. */
    void attach(SearchController controller, Runnable onClose) {
        query.getDocument().addDocumentListener(onEveryChange(text -> controller.queryChanged(text)));
        cancel.addActionListener(event -> controller.cancelIndexing());
        list.addListSelectionListener(event -> {
            if (!event.getValueIsAdjusting()) {
                controller.select(list.getSelectedValue());
            }
        });
        frame.addWindowListener(new java.awt.event.WindowAdapter() {
            @Override
            public void windowClosing(java.awt.event.WindowEvent event) {
                controller.close();
                onClose.run();
            }
        });
    }

    private DocumentListener onEveryChange(Consumer<String> changed) {
        return new DocumentListener() {
            @Override
            public void insertUpdate(DocumentEvent event) {
                changed.accept(query.getText());
            }

            @Override
            public void removeUpdate(DocumentEvent event) {
                changed.accept(query.getText());
            }

            @Override
            public void changedUpdate(DocumentEvent event) {
                changed.accept(query.getText());
            }
        };
    }

    /** {@return the frame} */
    JFrame frame() {
        return frame;
    }

    void show() {
        frame.setLocationRelativeTo(null);
        frame.setVisible(true);
        query.requestFocusInWindow();
    }

    @Override
    public void showProgress(Progress progress) {
        shownProgress = progress;
        progressBar.setMaximum(Math.max(1, progress.total()));
        progressBar.setValue(progress.done() ? progressBar.getMaximum() : progress.seen());
        progressBar.setIndeterminate(!progress.done() && progress.total() == 0);
        progressBar.setString(progress.done() ? "done" : progress.seen() + " / " + progress.total());
        cancel.setEnabled(!progress.done());
        status.setText(progress.describe());
    }

    @Override
    public void showMessage(String message) {
        status.setText(message);
        status.setForeground(new Color(0xB0, 0x00, 0x20));
        query.setEnabled(false);
        cancel.setEnabled(false);
        progressBar.setValue(0);
        progressBar.setString("");
    }

    @Override
    public void clearResults(String query) {
        shownQuery = query;
        results.clear();
        preview.setText("");
    }

    @Override
    public void addResults(String query, List<Match> matches) {
        if (query.equals(shownQuery)) {
            results.addAll(matches);
        }
    }

    @Override
    public void searchFinished(String query, int matches) {
        if (query.equals(shownQuery) && !query.isEmpty()) {
            list.setToolTipText(matches + (matches == 1 ? " match" : " matches"));
        }
    }

    @Override
    public void showPreview(Match selected, List<Match> inFile) {
        StringBuilder text = new StringBuilder(selected.file().name()).append('\n');
        int[][] spans = new int[inFile.size()][];
        int i = 0;
        for (Match match : inFile) {
            String prefix = match.line() == 0 ? "name: " : String.format("%5d: ", match.line());
            int lineStart = text.length() + prefix.length();
            text.append(prefix).append(match.text()).append('\n');
            spans[i++] = new int[] {lineStart + match.start(), lineStart + match.end()};
        }
        preview.setText(text.toString());
        Highlighter highlighter = preview.getHighlighter();
        highlighter.removeAllHighlights();
        for (int[] span : spans) {
            try {
                highlighter.addHighlight(span[0], span[1], MATCH);
            } catch (BadLocationException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
        preview.setCaretPosition(0);
    }

    /** {@return the matches the list shows, in order} */
    List<Match> shownResults() {
        return java.util.Collections.list(results.elements());
    }

    /** {@return whether the window shows that indexing has ended} */
    boolean indexingEnded() {
        return shownProgress != null && shownProgress.done();
    }

    /** {@return the status line} */
    String statusText() {
        return status.getText();
    }

    /** {@return the list of matches, for a test that clicks in it} */
    JList<Match> resultList() {
        return list;
    }

    /** {@return what the preview shows} */
    String previewText() {
        return preview.getText();
    }

    /** {@return how many matches the preview highlights} */
    int previewHighlights() {
        return preview.getHighlighter().getHighlights().length;
    }

    /** {@return the query field, for a test that types into it} */
    JTextField queryField() {
        return query;
    }
}
