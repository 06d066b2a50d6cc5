package dev.scheduler.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * The scores of one measurement, read from the {@code -rf json} files of one or more JMH passes, by
 * benchmark method. Each pass runs every benchmark in its own fork, so that passes interleave the
 * forks of ours and of the peers: drift on a shared machine then hits both sides of a ratio alike.
 * A benchmark's score pools the measurement iterations of every fork of every pass.
 *
 * @param scores every benchmark's score, keyed by {@code Class.method}
 */
record JmhResults(Map<String, Score> scores) {

    /** The confidence of every error band: JMH's own. */
    static final double CONFIDENCE = 0.999;

    /**
     * One benchmark's measurement iterations and the settings they ran with.
     *
     * @param benchmark {@code Class.method}, without the package, and {@code :param=value} for each
     *     JMH parameter it ran with
     * @param mode JMH's short mode name: {@code avgt}, {@code sample}, {@code thrpt}, {@code ss}
     * @param iterations one value per measurement iteration, of every fork: the iteration's score,
     *     or, in {@code sample} mode, the median of the invocations it sampled
     * @param forks how many forks ran it, over all passes
     * @param unit such as {@code ns/op}
     * @param jdk the JDK and VM that ran it
     * @param jvmArgs the forked JVM's arguments
     * @param settings warm-up and measurement per fork, as JMH reports them
     */
    record Score(String benchmark, String mode, List<Double> iterations, int forks, String unit, String jdk,
            List<String> jvmArgs, String settings) {

        Score {
            iterations = List.copyOf(iterations);
            jvmArgs = List.copyOf(jvmArgs);
        }

        /** {@return whether each iteration's value is a median of sampled invocations} */
        boolean median() {
            return "sample".equals(mode);
        }

        /** {@return the mean of the iterations' values} */
        double value() {
            return iterations.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        }

        /**
         * {@return the half-width of the {@value #CONFIDENCE} confidence interval of {@link #value()}:
         * Student's t over the iterations, as JMH computes its own; NaN under two iterations}
         */
        double error() {
            int n = iterations.size();
            if (n < 2) {
                return Double.NaN;
            }
            double mean = value();
            double squares = iterations.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum();
            double deviation = Math.sqrt(squares / (n - 1));
            double t = new TDistribution(n - 1).inverseCumulativeProbability(1 - (1 - CONFIDENCE) / 2);
            return t * deviation / Math.sqrt(n);
        }

        /** {@return the relative error of the value, or NaN if unknown} */
        double relativeError() {
            return error() / value();
        }

        private Score pooledWith(Score later) {
            List<Double> both = new ArrayList<>(iterations);
            both.addAll(later.iterations);
            return new Score(benchmark, mode, both, forks + later.forks, unit, jdk, jvmArgs, settings);
        }
    }

    /**
     * Reads the JSON files of one or more passes and pools them.
     *
     * @throws IOException if a file cannot be read
     * @throws IllegalArgumentException if one is not JMH's JSON
     */
    static JmhResults read(List<Path> passes) throws IOException {
        List<String> texts = new ArrayList<>();
        for (Path pass : passes) {
            texts.add(Files.readString(pass, StandardCharsets.UTF_8));
        }
        return parse(texts);
    }

    /**
     * Parses the texts of the JSON files of one or more passes and pools them.
     *
     * @throws IllegalArgumentException if one is not JMH's JSON
     */
    static JmhResults parse(List<String> passes) {
        if (passes.isEmpty()) {
            throw new IllegalArgumentException("No JMH result to read");
        }
        Map<String, Score> scores = new LinkedHashMap<>();
        for (String pass : passes) {
            for (Score score : parsePass(pass)) {
                scores.merge(score.benchmark(), score, Score::pooledWith);
            }
        }
        return new JmhResults(scores);
    }

    private static List<Score> parsePass(String json) {
        Object root = Json.parse(json);
        if (!(root instanceof List<?> runs)) {
            throw new IllegalArgumentException("A JMH JSON result is an array of benchmarks");
        }
        List<Score> scores = new ArrayList<>();
        for (Object run : runs) {
            Map<?, ?> benchmark = (Map<?, ?>) run;
            Map<?, ?> primary = (Map<?, ?>) benchmark.get("primaryMetric");
            String name = shortName((String) benchmark.get("benchmark"));
            if (benchmark.get("params") instanceof Map<?, ?> params) {
                for (Map.Entry<?, ?> param : params.entrySet()) {
                    name = Scenarios.cell(name, String.valueOf(param.getKey()), String.valueOf(param.getValue()));
                }
            }
            String mode = (String) benchmark.get("mode");
            String settings = number(benchmark.get("warmupIterations")).intValue() + " × " + benchmark.get("warmupTime")
                    + " warm-up, " + number(benchmark.get("measurementIterations")).intValue() + " × "
                    + benchmark.get("measurementTime") + " measurement per fork";
            scores.add(new Score(name, mode, iterations(name, primary, "sample".equals(mode)),
                    number(benchmark.get("forks")).intValue(), (String) primary.get("scoreUnit"),
                    benchmark.get("vmName") + " " + benchmark.get("vmVersion") + " (JDK " + benchmark.get("jdkVersion") + ")",
                    ((List<?>) benchmark.get("jvmArgs")).stream().map(String::valueOf).toList(), settings));
        }
        return scores;
    }

    /** Each iteration's score ({@code rawData}), or the median of its histogram in sample mode. */
    private static List<Double> iterations(String name, Map<?, ?> primary, boolean sampled) {
        List<Double> values = new ArrayList<>();
        Object raw = primary.get(sampled ? "rawDataHistogram" : "rawData");
        if (!(raw instanceof List<?> forks)) {
            throw new IllegalArgumentException(name + " has no " + (sampled ? "rawDataHistogram" : "rawData"));
        }
        for (Object fork : forks) {
            for (Object iteration : (List<?>) fork) {
                values.add(sampled ? median((List<?>) iteration) : number(iteration));
            }
        }
        return values;
    }

    /** The median of a histogram: pairs of value and count, in JMH's order of values. */
    private static double median(List<?> histogram) {
        List<double[]> bins = new ArrayList<>();
        long total = 0;
        for (Object bin : histogram) {
            List<?> pair = (List<?>) bin;
            double value = number(pair.get(0));
            long count = number(pair.get(1)).longValue();
            bins.add(new double[] {value, count});
            total += count;
        }
        bins.sort((a, b) -> Double.compare(a[0], b[0]));
        long half = (total + 1) / 2;
        long seen = 0;
        for (double[] bin : bins) {
            seen += (long) bin[1];
            if (seen >= half) {
                return bin[0];
            }
        }
        return Double.NaN;
    }

    /** {@return the score of {@code Class.method} (with {@code :param=value} if it has one), if it ran} */
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
