package dev.scheduler.benchmarks;

import dev.scheduler.benchmarks.JmhResults.Score;
import dev.scheduler.benchmarks.MemoryFootprint.Row;
import dev.scheduler.benchmarks.Scenarios.Entry;
import dev.scheduler.benchmarks.Scenarios.MemoryFloor;
import dev.scheduler.benchmarks.Scenarios.MemoryTarget;
import dev.scheduler.benchmarks.Scenarios.Rule;
import dev.scheduler.benchmarks.Scenarios.Scenario;
import dev.scheduler.benchmarks.Scenarios.Statistic;
import dev.scheduler.benchmarks.Scenarios.Target;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Writes {@code benchmarks/RESULTS.md} from a JMH JSON result file and {@link MemoryFootprint}'s
 * rows: the environment, a table per scenario with each score and its ratio to every peer, and
 * whether each target of the issue holds. Every ratio and verdict is computed from the numbers of
 * the run at hand; {@link Scenarios} only says what to compare.
 *
 * <p>A ratio of two means carries an error band from the two 99.9% intervals (relative errors added
 * in quadrature); a verdict whose band straddles the bound says so. Medians come without one.
 */
public final class ResultsReport {

    private ResultsReport() {
    }

    /**
     * Reads the results and writes the report.
     *
     * @param args {@code --jmh FILE --out FILE [--memory FILE] [--mode NAME] [--command TEXT]
     *     [--memory-count N]}
     * @throws IOException if a file cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        Map<String, String> options = options(args);
        Path jmh = Path.of(require(options, "--jmh"));
        Path out = Path.of(require(options, "--out"));
        List<Row> memory = options.containsKey("--memory") ? MemoryFootprint.read(Path.of(options.get("--memory")))
                : List.of();
        String report = render(JmhResults.read(jmh), memory, options.getOrDefault("--mode", "custom"),
                options.getOrDefault("--command", "benchmarks/run.sh"), options.getOrDefault("--memory-count", "100000"));
        Files.writeString(out, report, StandardCharsets.UTF_8);
        System.out.println("Wrote " + out);
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("Expected --option value pairs, got " + String.join(" ", args));
            }
            options.put(args[i], args[++i]);
        }
        return options;
    }

    private static String require(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException("Missing " + name);
        }
        return value;
    }

    /**
     * Renders the report.
     *
     * @param results the JMH run
     * @param memory the memory rows, possibly none
     * @param mode {@code quick}, {@code full} or another word for how the run was set up
     * @param command the command that produced it
     * @param memoryCount how many items each memory case held
     * @return the Markdown
     */
    static String render(JmhResults results, List<Row> memory, String mode, String command, String memoryCount) {
        StringBuilder out = new StringBuilder();
        line(out, "# Benchmark results");
        line(out, "");
        line(out, "Written by `" + command + "` (" + mode + " mode) on "
                + Instant.now().truncatedTo(ChronoUnit.SECONDS) + ". This machine is shared and noisy, so "
                + "every comparison below is a ratio against a peer measured in the same JMH run; absolute "
                + "times are there for scale only. Regenerate with `benchmarks/run.sh` (`--full` for longer runs); "
                + "the raw JMH output stays in `benchmarks/target/results/` (`jmh.json`, `jmh.log`, `memory.tsv`).");
        line(out, "");
        environment(out, results, mode, memoryCount);

        List<String[]> verdicts = new ArrayList<>();
        StringBuilder sections = new StringBuilder();
        for (Scenario scenario : Scenarios.all()) {
            scenario(sections, results, scenario, verdicts);
        }
        memory(sections, memory, memoryCount, verdicts);

        line(out, "## Targets");
        line(out, "");
        line(out, "| scenario | target | ratio | verdict |");
        line(out, "|---|---|---:|---|");
        for (String[] verdict : verdicts) {
            line(out, "| " + String.join(" | ", verdict) + " |");
        }
        long held = verdicts.stream().filter(v -> v[3].startsWith("HOLDS")).count();
        long missed = verdicts.stream().filter(v -> v[3].startsWith("MISSED")).count();
        line(out, "");
        line(out, held + " of " + verdicts.size() + " targets hold, " + missed + " are missed"
                + (held + missed < verdicts.size() ? ", " + (verdicts.size() - held - missed) + " were not measured" : "")
                + ". Each scenario below says what a missed target was traced to.");
        line(out, "");
        out.append(sections);
        return out.toString();
    }

    // ---------------------------------------------------------------- environment

    private static void environment(StringBuilder out, JmhResults results, String mode, String memoryCount) {
        Set<String> jdks = new LinkedHashSet<>();
        Set<String> settings = new LinkedHashSet<>();
        Set<String> flags = new LinkedHashSet<>();
        for (Score score : results.scores().values()) {
            jdks.add(score.jdk());
            settings.add(score.settings());
            flags.add(String.join(" ", score.jvmArgs()));
        }
        line(out, "## Environment");
        line(out, "");
        line(out, "| | |");
        line(out, "|---|---|");
        line(out, "| JDK | " + String.join("; ", jdks) + " |");
        line(out, "| processors | " + Runtime.getRuntime().availableProcessors() + cpuModel() + " |");
        line(out, "| operating system | " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch") + " |");
        line(out, "| JMH | 1.37, " + String.join("; ", settings) + " (" + mode + " mode) |");
        line(out, "| forked JVM flags | " + String.join("; ", flags.stream().map(f -> "`" + f + "`").toList()) + " |");
        line(out, "| memory | " + memoryCount + " pending items per case, each case in a JVM of its own with "
                + "`-XX:+UseSerialGC`, heap difference after full collections |");
        line(out, "| benchmarks | " + results.scores().size() + " |");
        line(out, "");
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> " (" + l.substring(l.indexOf(':') + 1).trim() + ")").orElse("");
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    // ---------------------------------------------------------------- JMH scenarios

    private static void scenario(StringBuilder out, JmhResults results, Scenario scenario, List<String[]> verdicts) {
        boolean median = scenario.statistic() == Statistic.MEDIAN;
        line(out, "## " + scenario.title());
        line(out, "");
        line(out, scenario.description());
        line(out, "");
        StringBuilder header = new StringBuilder("| benchmark | what | " + (median ? "median" : "mean") + " "
                + scenario.unitLabel() + " |");
        StringBuilder rule = new StringBuilder("|---|---|---:|");
        for (String peer : scenario.peers()) {
            header.append(scenario.throughput() ? " throughput vs " : " vs ").append('`').append(method(peer)).append("` |");
            rule.append("---:|");
        }
        line(out, header.toString());
        line(out, rule.toString());
        for (Entry entry : scenario.entries()) {
            Optional<Score> score = results.find(entry.benchmark());
            StringBuilder row = new StringBuilder("| `" + method(entry.benchmark()) + "` | " + entry.label() + " | ");
            row.append(score.map(s -> formatScore(s, median)).orElse("not measured")).append(" |");
            for (String peer : scenario.peers()) {
                Optional<Score> other = results.find(peer);
                String cell = peer.equals(entry.benchmark()) ? "1×"
                        : score.isPresent() && other.isPresent()
                        ? formatRatio(ratio(score.get(), other.get(), median, scenario.throughput())) : "—";
                row.append(' ').append(cell).append(" |");
            }
            line(out, entry.ours() ? bold(row.toString()) : row.toString());
        }
        line(out, "");
        if (scenario.targets().isEmpty()) {
            return;
        }
        line(out, "Targets:");
        line(out, "");
        Set<String> explained = new LinkedHashSet<>();
        for (Target target : scenario.targets()) {
            Optional<Score> ours = results.find(target.ours());
            Optional<Score> peer = results.find(target.peer());
            String ratioText;
            String verdict;
            String why = "";
            if (ours.isEmpty() || peer.isEmpty()) {
                ratioText = "—";
                verdict = "NOT MEASURED";
            } else {
                Ratio ratio = ratio(ours.get(), peer.get(), median, target.rule() == Rule.SPEEDUP_AT_LEAST);
                boolean holds = target.rule() == Rule.TIME_AT_MOST ? ratio.value() <= target.bound()
                        : ratio.value() >= target.bound();
                boolean straddles = !Double.isNaN(ratio.error())
                        && ratio.value() - ratio.error() <= target.bound() && target.bound() <= ratio.value() + ratio.error();
                ratioText = formatRatio(ratio) + (target.rule() == Rule.TIME_AT_MOST ? " time" : " throughput");
                verdict = (holds ? "HOLDS" : "MISSED") + (straddles ? " (within error)" : "");
                if (!holds) {
                    why = explained.add(target.whenMissed()) ? " — Why: " + target.whenMissed()
                            : " — Why: as for the target above.";
                }
            }
            String needed = (target.rule() == Rule.TIME_AT_MOST ? "≤ " : "≥ ") + format(target.bound()) + "×";
            line(out, "- **" + verdict + "**: " + target.text() + " — `" + method(target.ours()) + "` vs `"
                    + method(target.peer()) + "`: " + ratioText + " (needed " + needed + ")" + why);
            verdicts.add(new String[] {scenarioNumber(scenario), target.text(), ratioText + " (" + needed + ")", verdict});
        }
        line(out, "");
    }

    /** A ratio and its error band (NaN when unknown). */
    record Ratio(double value, double error) {
    }

    /**
     * {@code this} time over {@code peer}'s, or the inverse when {@code throughput}: above 1 then
     * means {@code of} is faster.
     */
    static Ratio ratio(Score of, Score peer, boolean median, boolean throughput) {
        double ours = of.statistic(median);
        double theirs = peer.statistic(median);
        double value = throughput ? theirs / ours : ours / theirs;
        double error = median ? Double.NaN
                : value * Math.sqrt(square(of.relativeError()) + square(peer.relativeError()));
        return new Ratio(value, error);
    }

    private static double square(double x) {
        return x * x;
    }

    private static String formatScore(Score score, boolean median) {
        String unit = score.unit().replace("/op", "");
        if (median) {
            return format(score.median()) + " " + unit + " (mean " + format(score.score()) + errorText(score.error()) + ")";
        }
        return format(score.score()) + errorText(score.error()) + " " + unit;
    }

    private static String errorText(double error) {
        return Double.isNaN(error) ? "" : " ± " + format(error);
    }

    private static String formatRatio(Ratio ratio) {
        return format(ratio.value()) + "×" + (Double.isNaN(ratio.error()) ? "" : " ± " + format(ratio.error()));
    }

    /** Three significant figures, with thousands grouped. */
    static String format(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return String.valueOf(value);
        }
        double magnitude = Math.abs(value);
        String pattern = magnitude >= 100 ? "%,.0f" : magnitude >= 10 ? "%.1f" : "%.2f";
        return String.format(Locale.ROOT, pattern, value);
    }

    private static String method(String benchmark) {
        return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }

    private static String scenarioNumber(Scenario scenario) {
        String title = scenario.title();
        return title.startsWith("Scenario ") ? title.substring("Scenario ".length(), title.indexOf(':')) : title;
    }

    private static String bold(String row) {
        // Ours in bold: only the first cell, so that the table stays readable.
        int end = row.indexOf(" |", 2);
        return "| **" + row.substring(2, end) + "**" + row.substring(end);
    }

    // ---------------------------------------------------------------- memory

    private static void memory(StringBuilder out, List<Row> rows, String memoryCount, List<String[]> verdicts) {
        line(out, "## Scenario 5: memory per pending task or timer");
        line(out, "");
        line(out, "Bytes of heap retained per pending item: the heap difference after full collections over "
                + memoryCount + " of them held at once (`MemoryFootprint`), each case in a fresh JVM. A "
                + "deterministic count, not a timing, so no error band. Ratio: this row over the bare floor of its kind.");
        line(out, "");
        Map<String, Row> byKey = new LinkedHashMap<>();
        rows.forEach(row -> byKey.put(row.key(), row));
        if (rows.isEmpty()) {
            line(out, "Not measured in this run.");
        } else {
            line(out, "| pending item | bytes each | vs floor | target |");
            line(out, "|---|---:|---:|---|");
            for (Row row : rows) {
                String floor = Scenarios.memoryFloors().stream().filter(f -> f.key().equals(row.key()))
                        .map(MemoryFloor::floor).findFirst().map(byKey::get)
                        .map(f -> format(row.bytes() / (double) f.bytes()) + "× `" + f.key() + "`").orElse("—");
                line(out, "| " + row.name() + " | " + row.bytes() + " | " + floor + " | " + row.target() + " |");
            }
        }
        line(out, "");
        line(out, "Targets:");
        line(out, "");
        for (MemoryTarget target : Scenarios.memoryTargets()) {
            Row row = byKey.get(target.key());
            String verdict = row == null ? "NOT MEASURED" : row.bytes() <= target.maxBytes() ? "HOLDS" : "MISSED";
            String measured = row == null ? "—" : row.bytes() + " bytes";
            line(out, "- **" + verdict + "**: " + target.text() + ": " + measured
                    + ("MISSED".equals(verdict) ? " — " + target.whenMissed() : ""));
            verdicts.add(new String[] {"5", target.text(), measured + " (≤ " + target.maxBytes() + ")", verdict});
        }
        line(out, "");
    }

    private static void line(StringBuilder out, String text) {
        out.append(text).append('\n');
    }
}
