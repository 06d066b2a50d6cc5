package dev.scheduler.sample.desktop;

import java.nio.file.Path;
import java.util.List;

/**
 * One text file of the index.
 *
 * @param path the file
 * @param name its path relative to the indexed folder, as the window shows it
 * @param lines its lines
 */
record IndexedFile(Path path, String name, List<String> lines) {

    IndexedFile {
        lines = List.copyOf(lines);
    }
}
