package dev.scheduler.sample.desktop;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The text files of one folder and what they say, built by walking the folder and searched while
 * it is still being built. Both run inside background tasks: they stop early, at the next file, when
 * the task is cancelled (its thread interrupted).
 */
final class FolderIndex {

    /** Of a longer file, only this much is indexed: a search tool, not a log analyser. */
    static final int MAX_BYTES = 1 << 20;

    private final Path folder;
    private final List<IndexedFile> files = new CopyOnWriteArrayList<>();
    private final List<SearchRun> searches = new CopyOnWriteArrayList<>();

    /**
     * An index of {@code folder}, empty until {@link #build} runs.
     *
     * @throws IllegalArgumentException with the message the window shows, if {@code folder} is not a
     *     folder that can be read
     */
    FolderIndex(Path folder) {
        this.folder = requireReadableFolder(folder);
    }

    static Path requireReadableFolder(Path folder) {
        Path absolute = folder.toAbsolutePath().normalize();
        if (!Files.exists(absolute)) {
            throw new IllegalArgumentException("There is no folder " + absolute + ": it does not exist.");
        }
        if (!Files.isDirectory(absolute)) {
            throw new IllegalArgumentException(absolute + " is a file, not a folder. Give a folder to search.");
        }
        if (!Files.isReadable(absolute) || !Files.isExecutable(absolute)) {
            throw new IllegalArgumentException("The folder " + absolute + " cannot be read: permission denied.");
        }
        return absolute;
    }

    /** {@return the folder} */
    Path folder() {
        return folder;
    }

    /** {@return the files indexed so far} */
    List<IndexedFile> files() {
        return List.copyOf(files);
    }

    /**
     * Walks the folder and indexes its text files, telling {@code progress} after each file and
     * yielding between files.
     *
     * @return the final progress: done, with a note if it stopped early
     */
    Progress build(Consumer<Progress> progress) {
        List<Path> found = new ArrayList<>();
        int[] unreadable = new int[1];
        try {
            Files.walkFileTree(folder, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    if (attributes.isRegularFile()) {
                        found.add(file);
                    }
                    return Thread.currentThread().isInterrupted() ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException failure) {
                    unreadable[0]++; // a folder or file we may not read; counted, and the walk goes on
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            return new Progress(0, 0, unreadable[0], 0, true, "the folder could not be walked: " + e.getMessage());
        }
        found.sort(null);
        Progress now = new Progress(0, 0, unreadable[0], found.size() + unreadable[0], false, null);
        progress.accept(now);
        for (Path file : found) {
            if (Thread.currentThread().isInterrupted()) {
                return now.ended("cancelled");
            }
            now = switch (read(file)) {
                case Read.Text text -> {
                    files.add(new IndexedFile(file, folder.relativize(file).toString(), text.lines()));
                    yield new Progress(now.indexed() + 1, now.binary(), now.unreadable(), now.total(), false, null);
                }
                case Read.Binary binary -> new Progress(now.indexed(), now.binary() + 1, now.unreadable(), now.total(), false, null);
                case Read.Unreadable unreadableFile -> new Progress(now.indexed(), now.binary(), now.unreadable() + 1, now.total(), false, null);
            };
            progress.accept(now);
            Thread.yield(); // a turn for the searches and the UI between files
        }
        return now.ended(null);
    }

    /** What reading one file gave. */
    private sealed interface Read {
        record Text(List<String> lines) implements Read {
        }

        record Binary() implements Read {
        }

        record Unreadable() implements Read {
        }
    }

    private static Read read(Path file) {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES);
        } catch (AccessDeniedException | NoSuchFileException e) {
            return new Read.Unreadable();
        } catch (IOException e) {
            return new Read.Unreadable();
        }
        for (int i = 0; i < Math.min(bytes.length, 8192); i++) {
            if (bytes[i] == 0) {
                return new Read.Binary();
            }
        }
        int length = bytes.length == MAX_BYTES ? withoutASplitCharacter(bytes) : bytes.length;
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, length)).toString();
            return new Read.Text(text.lines().toList());
        } catch (CharacterCodingException notUtf8) {
            return new Read.Binary();
        }
    }

    /** {@return how many of {@code bytes} to decode: all but a UTF-8 character the cut at {@link #MAX_BYTES} split} */
    private static int withoutASplitCharacter(byte[] bytes) {
        int start = bytes.length - 1;
        while (start > 0 && bytes.length - start < 4 && (bytes[start] & 0xC0) == 0x80) {
            start--; // back over continuation bytes to the character's first byte
        }
        int first = bytes[start] & 0xFF;
        int needed = first < 0x80 ? 1 : first >= 0xF0 ? 4 : first >= 0xE0 ? 3 : first >= 0xC0 ? 2 : 1;
        return bytes.length - start < needed ? start : bytes.length;
    }

    /**
     * Searches the files indexed so far for {@code query}, ignoring case, handing each file's matches
     * to {@code found} as soon as that file is searched, and yielding between files so that a newer
     * search, or the UI, gets its turn.
     *
     * @return how many matches were found
     */
    int search(String query, Consumer<List<Match>> found) {
        String needle = query;
        SearchRun run = new SearchRun(query);
        searches.add(run);
        int matches = 0;
        for (IndexedFile file : List.copyOf(files)) {
            if (Thread.currentThread().isInterrupted()) {
                return matches;
            }
            List<Match> inFile = matches(file, needle);
            run.scanned++;
            if (!inFile.isEmpty()) {
                matches += inFile.size();
                found.accept(inFile);
            }
            Thread.yield();
        }
        run.completed = true;
        return matches;
    }

    /** {@return where {@code file} matches {@code query}, ignoring case: its name, then its lines} */
    static List<Match> matchesOf(IndexedFile file, String query) {
        return matches(file, query);
    }

    private static List<Match> matches(IndexedFile file, String needle) {
        List<Match> found = new ArrayList<>();
        int inName = indexOfIgnoringCase(file.name(), needle);
        if (inName >= 0) {
            found.add(new Match(file, 0, file.name(), inName, inName + needle.length()));
        }
        List<String> lines = file.lines();
        for (int i = 0; i < lines.size(); i++) {
            int at = indexOfIgnoringCase(lines.get(i), needle);
            if (at >= 0) {
                found.add(new Match(file, i + 1, lines.get(i), at, at + needle.length()));
            }
        }
        return found;
    }

    /** Where {@code needle} first occurs in {@code text}, ignoring case, in {@code text}'s own positions; -1 if nowhere. */
    private static int indexOfIgnoringCase(String text, String needle) {
        for (int at = 0; at + needle.length() <= text.length(); at++) {
            if (text.regionMatches(true, at, needle, 0, needle.length())) {
                return at;
            }
        }
        return -1;
    }

    /** {@return every search run so far: what a test reads to see that cancelled searches stopped early} */
    List<SearchRun> searches() {
        return List.copyOf(searches);
    }

    /** One search: its query, how many files it searched, and whether it searched them all. */
    static final class SearchRun {
        final String query;
        volatile int scanned;
        volatile boolean completed;

        SearchRun(String query) {
            this.query = query;
        }
    }
}
