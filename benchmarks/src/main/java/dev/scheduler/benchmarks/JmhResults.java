package dev.scheduler.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The scores of one JMH run, read from its {@code -rf json} file, by benchmark method, with the
 * settings the run used.
 *
 * @param scores every benchmark's primary score, keyed by {@code Class.method}
 */
record JmhResults(Map<String, Score> scores) {

    /**
     * One benchmark's primary result and the settings it ran with.
     *
     * @param benchmark {@code Class.method}, without the package
     * @param mode JMH's short mode name: {@code avgt}, {@code sample}, {@code thrpt}, {@code ss}
     * @param score the mean
     * @param error the half-width of JMH's 99.9% confidence interval of the mean; NaN when too few
     *     iterations ran to compute one
     * @param median the 50th percentile (for {@code sample} mode, of every sampled invocation)
     * @param unit such as {@code ns/op}
     * @param jdk the JDK and VM that ran it
     * @param jvmArgs the forked JVM's arguments
     * @param settings forks, warm-up and measurement, as JMH reports them
     */
    record Score(String benchmark, String mode, double score, double error, double median, String unit, String jdk,
            List<String> jvmArgs, String settings) {

        /** {@return the statistic the report compares: the median for sampled runs, else the mean} */
        double statistic(boolean median) {
            return median ? this.median : score;
        }

        /** {@return the relative error of the mean, or NaN if unknown} */
        double relativeError() {
            return error / score;
        }
    }

    /**
     * Reads a JMH JSON result file.
     *
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if it is not JMH's JSON
     */
    static JmhResults read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    /**
     * Parses the text of a JMH JSON result file.
     *
     * @throws IllegalArgumentException if it is not JMH's JSON
     */
    static JmhResults parse(String json) {
        Object root = Json.parse(json);
        if (!(root instanceof List<?> runs)) {
            throw new IllegalArgumentException("A JMH JSON result is an array of benchmarks");
        }
        Map<String, Score> scores = new LinkedHashMap<>();
        for (Object run : runs) {
            Map<?, ?> benchmark = (Map<?, ?>) run;
            Map<?, ?> primary = (Map<?, ?>) benchmark.get("primaryMetric");
            Map<?, ?> percentiles = (Map<?, ?>) primary.get("scorePercentiles");
            String name = shortName((String) benchmark.get("benchmark"));
            String settings = number(benchmark.get("forks")).intValue() + " fork(s), "
                    + number(benchmark.get("warmupIterations")).intValue() + " × " + benchmark.get("warmupTime")
                    + " warm-up, " + number(benchmark.get("measurementIterations")).intValue() + " × "
                    + benchmark.get("measurementTime") + " measurement";
            scores.put(name, new Score(name, (String) benchmark.get("mode"), number(primary.get("score")),
                    number(primary.get("scoreError")),
                    percentiles == null ? Double.NaN : number(percentiles.get("50.0")),
                    (String) primary.get("scoreUnit"),
                    benchmark.get("vmName") + " " + benchmark.get("vmVersion") + " (JDK " + benchmark.get("jdkVersion") + ")",
                    ((List<?>) benchmark.get("jvmArgs")).stream().map(String::valueOf).toList(), settings));
        }
        return new JmhResults(scores);
    }

    /** {@return the score of {@code Class.method}, if it ran} */
    Optional<Score> find(String benchmark) {
        return Optional.ofNullable(scores.get(benchmark));
    }

    private static String shortName(String benchmark) {
        int method = benchmark.lastIndexOf('.');
        int type = benchmark.lastIndexOf('.', method - 1);
        return benchmark.substring(type + 1);
    }

    /** JMH writes numbers as numbers, and NaN as the string {@code "NaN"}. */
    private static Double number(Object value) {
        if (value instanceof Double number) {
            return number;
        }
        if (value instanceof String text) {
            return Double.parseDouble(text);
        }
        return Double.NaN;
    }
}
