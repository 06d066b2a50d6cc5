package dev.scheduler.sample.desktop;

/**
 * How far indexing has got.
 *
 * @param indexed text files indexed
 * @param binary files skipped as binary
 * @param unreadable files and folders that could not be read
 * @param total files found, once the folder has been walked; 0 before
 * @param done whether indexing has ended
 * @param note why it ended early, or null
 */
record Progress(int indexed, int binary, int unreadable, int total, boolean done, String note) {

    static final Progress NONE = new Progress(0, 0, 0, 0, false, null);

    /** {@return the files looked at so far, indexed or skipped} */
    int seen() {
        return indexed + binary + unreadable;
    }

    /** {@return this progress as ended, with {@code why} if it ended early} */
    Progress ended(String why) {
        return new Progress(indexed, binary, unreadable, total, true, why);
    }

    /** {@return the status line the window shows} */
    String describe() {
        String counts = String.format("%,d files indexed", indexed)
                + (binary + unreadable == 0 ? "" : String.format("; skipped %,d binary and %,d unreadable", binary, unreadable));
        if (!done) {
            return "Indexing: " + counts + (total == 0 ? "" : String.format(" of %,d", total));
        }
        return note == null ? counts : counts + " (" + note + ")";
    }
}
