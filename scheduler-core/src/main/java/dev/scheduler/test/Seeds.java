package dev.scheduler.test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.LongStream;

/**
 * Which seeds a randomized test runs, and how to replay one.
 *
 * <p>{@code SEED} and {@code ITERATIONS} from the environment, or the system properties
 * {@systemProperty scheduler.seed} and {@systemProperty scheduler.iterations}, override what the
 * test asks for, so that a failing seed can be replayed without editing code: {@code SEED=17}
 * alone runs seed 17 once; with {@code ITERATIONS=n} it runs seeds 17 to 17+n-1.
 *
 * @param first the first seed
 * @param iterations how many consecutive seeds; at least 1
 */
public record Seeds(long first, int iterations) {

    /** Environment variable that sets the first seed. */
    public static final String SEED_VARIABLE = "SEED";

    /** Environment variable that sets the number of seeds. */
    public static final String ITERATIONS_VARIABLE = "ITERATIONS";

    /**
     * Validates the range.
     *
     * @throws IllegalArgumentException if {@code iterations} is less than 1
     */
    public Seeds {
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations must be at least 1, was " + iterations);
        }
    }

    /**
     * Returns the seeds to run: the requested range, unless the environment or system properties
     * override it.
     *
     * @param first the first seed the test asks for
     * @param iterations how many seeds the test asks for; at least 1
     * @return the seeds to run
     * @throws IllegalArgumentException if {@code iterations} is less than 1, or an override is not a
     *     number
     */
    public static Seeds resolve(long first, int iterations) {
        String seed = setting(SEED_VARIABLE, "scheduler.seed");
        String count = setting(ITERATIONS_VARIABLE, "scheduler.iterations");
        long resolvedFirst = seed == null ? first : parse(seed, SEED_VARIABLE, Long::parseLong);
        int resolvedIterations = count != null ? parse(count, ITERATIONS_VARIABLE, Integer::parseInt)
                : seed != null ? 1 : iterations;
        return new Seeds(resolvedFirst, resolvedIterations);
    }

    /** {@return the seeds in order} */
    public LongStream stream() {
        return LongStream.range(0, iterations).map(i -> first + i);
    }

    /**
     * Returns the message printed for a failing seed: the seed and a command line that replays it.
     *
     * @param seed the failing seed
     * @param testClass the test class's name, or null if unknown
     * @param testMethod the test method's name, or null if unknown
     * @return {@code Failing seed: N} and the replay command
     */
    public static String failureMessage(long seed, String testClass, String testMethod) {
        return "Failing seed: " + seed + System.lineSeparator() + "Replay it with: " + replayCommand(seed, testClass, testMethod);
    }

    /**
     * Returns a shell command, run from the project's root, that replays {@code seed} of one test.
     *
     * @param seed the seed
     * @param testClass the test class's name, or null if unknown
     * @param testMethod the test method's name, or null if unknown
     * @return the command
     */
    public static String replayCommand(long seed, String testClass, String testMethod) {
        StringBuilder command = new StringBuilder(SEED_VARIABLE + "=" + seed + " " + ITERATIONS_VARIABLE + "=1 mvn");
        String module = moduleDirectory();
        if (module != null) {
            command.append(" -pl ").append(module).append(" -am");
        }
        command.append(" test");
        if (testClass != null) {
            String simpleName = testClass.substring(testClass.lastIndexOf('.') + 1);
            command.append(" -Dtest='").append(simpleName);
            if (testMethod != null) {
                command.append('#').append(testMethod);
            }
            command.append("' -Dsurefire.failIfNoSpecifiedTests=false");
        }
        return command.toString();
    }

    /** The module being tested, relative to the top of the Maven build, as Surefire reports it. */
    private static String moduleDirectory() {
        String basedir = System.getProperty("basedir");
        if (basedir == null) {
            return null;
        }
        Path module = Path.of(basedir).toAbsolutePath().normalize();
        Path top = module;
        while (top.getParent() != null && Files.exists(top.getParent().resolve("pom.xml"))) {
            top = top.getParent();
        }
        return top.equals(module) ? null : top.relativize(module).toString().replace('\\', '/');
    }

    private static String setting(String variable, String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = System.getenv(variable);
        }
        return value == null || value.isBlank() ? null : value.trim();
    }

    private interface Parser<T> {
        T parse(String text);
    }

    private static <T> T parse(String text, String variable, Parser<T> parser) {
        try {
            return parser.parse(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(variable + " must be a whole number, was '" + text + "'", e);
        }
    }
}
