package dev.scheduler.sample.desktop;

/**
 * One place a query was found: in a file's name (line 0) or on one of its lines.
 *
 * @param file the file
 * @param line the line number, from 1; 0 for a match in the file's name
 * @param text the name or the line
 * @param start where the match starts in {@code text}
 * @param end where it ends, exclusive
 */
record Match(IndexedFile file, int line, String text, int start, int end) {

    @Override
    public String toString() {
        return line == 0 ? file.name() : file.name() + ":" + line + ":  " + text.strip();
    }
}
