package dev.scheduler.test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.stream.LongStream;

/**
 * Which seeds a randomized test runs, and how to replay one.
 *
 * <p>{@code SEED} and {@code ITERATIONS} from the environment, or the system properties
 * {@systemProperty scheduler.seed} and {@systemProperty scheduler.iterations}, override what the
 * test asks for, so that a failing seed can be replayed without editing code: {@code SEED=17}
 * alone runs seed 17 once; with {@code ITERATIONS=n} it runs seeds 17 to 17+n-1. Each setting is
 * looked up on its own, and a system property that is set and not blank wins over the environment
 * variable, so {@code -Dscheduler.seed=3} replays seed 3 even in a shell that exports {@code SEED}.
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
        return resolve(first, iterations, System::getenv);
    }

    /** {@link #resolve(long, int)} with the environment looked up through {@code environment}. */
    static Seeds resolve(long first, int iterations, Function<String, String> environment) {
        String seed = setting(SEED_VARIABLE, "scheduler.seed", environment);
        String count = setting(ITERATIONS_VARIABLE, "scheduler.iterations", environment);
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
     * Returns what a run throws in place of {@code failure} when seed {@code seed} fails: an
     * {@link AssertionError} whose message is {@link #failureMessage} followed by {@code failure}'s
     * own description, and whose cause is {@code failure}, so that its type and stack stay in the
     * report.
     *
     * @param seed the failing seed
     * @param testClass the test class's name, or null if unknown
     * @param testMethod the test method's name, or null if unknown
     * @param failure what the run threw
     * @return the error to throw
     */
    public static AssertionError failingSeed(long seed, String testClass, String testMethod, Throwable failure) {
        return new AssertionError(failureMessage(seed, testClass, testMethod) + System.lineSeparator() + failure, failure);
    }

    /**
     * Returns whether {@code thrown} aborts a test rather than failing it, as a failed JUnit
     * assumption does ({@code org.opentest4j.TestAbortedException}). An abort is no failure to
     * replay, and wrapping it would turn a skipped test into a failed one.
     *
     * @param thrown what a run threw
     * @return whether it is a test abort
     */
    public static boolean isTestAbort(Throwable thrown) {
        // By name: the core must not need opentest4j on the class path.
        for (Class<?> type = thrown.getClass(); type != null; type = type.getSuperclass()) {
            if (type.getName().equals("org.opentest4j.TestAbortedException")) {
                return true;
            }
        }
        return false;
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

    private static String setting(String variable, String property, Function<String, String> environment) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = environment.apply(variable);
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
