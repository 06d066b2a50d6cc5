package example;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * ReadmeExampleTest proves the README's example runs; this proves the README shows that very code,
 * so that a reader who pastes it gets what the build ran.
 */
class ReadmeShowsTheExampleVerbatimTest {

    private static final String SECTION = "## Testing with TestScheduler";

    @Test
    void theTestingSectionShowsReadmeExampleTestAsItIsApartFromItsPackage() throws IOException {
        Path module = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
        String readme = Files.readString(module.resolveSibling("README.md")).replace("\r\n", "\n");
        String source = Files.readString(module.resolve("src/test/java/example/ReadmeExampleTest.java"))
                .replace("\r\n", "\n");

        int section = readme.indexOf(SECTION);
        assertThat(section).as("the README's \"%s\" section", SECTION).isNotNegative();
        int start = readme.indexOf("```java\n", section) + "```java\n".length();
        String shown = readme.substring(start, readme.indexOf("```\n", start));

        assertThat(shown).isEqualTo(source.replaceFirst("\\Apackage example;\n\n", ""));
    }
}
