package dev.scheduler.benchmarks;

import dev.scheduler.benchmarks.JmhResults.Score;
import dev.scheduler.benchmarks.MemoryFootprint.Row;
import dev.scheduler.benchmarks.Scenarios.Entry;
import dev.scheduler.benchmarks.Scenarios.Growth;
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
import java.util.Arrays;
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
 * <p>A ratio of two scores carries an error band from their two 99.9% intervals (relative errors
 * added in quadrature). A target {@link Verdict#HOLDS} only when the whole band lies on its side of
 * the bound, is {@link Verdict#MISSED} only when the whole band lies on the other, and is
 * {@link Verdict#INCONCLUSIVE} otherwise: the run then says so rather than call it.
 */
public final class ResultsReport {

    private ResultsReport() {
    }

    /**
     * Reads the results and writes the report.
     *
     * @param args {@code --jmh FILE[,FILE...] --out FILE [--memory FILE] [--mode NAME] [--command TEXT]
     *     [--memory-count N] [--commit TEXT]}: one JSON file per pass
     * @throws IOException if a file cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        Map<String, String> options = options(args);
        List<Path> jmh = Arrays.stream(require(options, "--jmh").split(",")).map(Path::of).toList();
        Path out = Path.of(require(options, "--out"));
        List<Row> memory = options.containsKey("--memory") ? MemoryFootprint.read(Path.of(options.get("--memory")))
                : List.of();
        String report = render(JmhResults.read(jmh), memory, options.getOrDefault("--mode", "custom"),
                options.getOrDefault("--command", "benchmarks/run.sh"), options.getOrDefault("--memory-count", "100000"),
                options.getOrDefault("--commit", "unknown"));
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
     * @param commit the commit measured, as {@code git describe} names it
     * @return the Markdown
     */
    static String render(JmhResults results, List<Row> memory, String mode, String command, String memoryCount,
            String commit) {
        StringBuilder out = new StringBuilder();
        line(out, "# Benchmark results");
        line(out, "");
        line(out, "Written by `" + command + "` (" + mode + " mode) on "
                + Instant.now().truncatedTo(ChronoUnit.SECONDS) + ", measuring commit " + commit + ". This machine "
                + "is shared and noisy, so every comparison below is a ratio against a peer measured in the same run, "
                + "whose forks interleave with ours; absolute times are there for scale only. A target holds only "
                + "when the whole error band of its ratio is on its side, is missed only when the whole band is on "
                + "the other, and is inconclusive otherwise. Regenerate with `benchmarks/run.sh` (`--full` for "
                + "longer runs); the raw JMH output stays in `benchmarks/target/results/` (`jmh-pass-N.json`, "
                + "`jmh-pass-N.log`, `memory.tsv`).");
        line(out, "");
        environment(out, results, mode, memoryCount, commit);

        List<String[]> verdicts = new ArrayList<>();
        StringBuilder sections = new StringBuilder();
        for (Scenario scenario : Scenarios.all()) {
            scenario(sections, results, scenario, verdicts);
        }
        for (Growth growth : Scenarios.growth()) {
            growth(sections, results, growth, verdicts);
        }
        memory(sections, memory, memoryCount, verdicts);

        line(out, "## Targets");
        line(out, "");
        line(out, "| scenario | target | ratio | verdict |");
        line(out, "|---|---|---:|---|");
        for (String[] verdict : verdicts) {
            line(out, "| " + String.join(" | ", verdict) + " |");
        }
        line(out, "");
        line(out, count(verdicts, Verdict.HOLDS) + " of " + verdicts.size() + " targets hold, "
                + count(verdicts, Verdict.MISSED) + " are missed, " + count(verdicts, Verdict.INCONCLUSIVE)
                + " are inconclusive (the error band straddles the target)"
                + (count(verdicts, Verdict.NOT_MEASURED) > 0 ? ", " + count(verdicts, Verdict.NOT_MEASURED)
                        + " were not measured" : "")
                + ". Each scenario below says what a missed or inconclusive target was traced to.");
        line(out, "");
        out.append(sections);
        return out.toString();
    }

    // ---------------------------------------------------------------- environment

    private static void environment(StringBuilder out, JmhResults results, String mode, String memoryCount,
            String commit) {
        Set<String> jdks = new LinkedHashSet<>();
        Set<String> settings = new LinkedHashSet<>();
        Set<String> flags = new LinkedHashSet<>();
        for (Score score : results.scores().values()) {
            jdks.add(score.jdk());
            settings.add(score.forks() + " fork(s), " + score.settings());
            flags.add(String.join(" ", score.jvmArgs()));
        }
        line(out, "## Environment");
        line(out, "");
        line(out, "| | |");
        line(out, "|---|---|");
        line(out, "| commit | " + commit + " |");
        line(out, "| JDK | " + String.join("; ", jdks) + " |");
        line(out, "| processors | " + Runtime.getRuntime().availableProcessors() + cpuModel() + " |");
        line(out, "| operating system | " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch") + " |");
        line(out, "| JMH | 1.37, " + String.join("; ", settings) + " (" + mode + " mode), the forks of each "
                + "benchmark in passes over all of them, interleaved with its peers' |");
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
        StringBuilder header = new StringBuilder("| benchmark | what | " + (median ? "median (each iteration's, averaged)" : "mean") + " "
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
            row.append(score.map(ResultsReport::formatScore).orElse("not measured")).append(" |");
            for (String peer : scenario.peers()) {
                Optional<Score> other = results.find(peer);
                String cell = peer.equals(entry.benchmark()) ? "1×"
                        : score.isPresent() && other.isPresent()
                        ? formatRatio(ratio(score.get(), other.get(), scenario.throughput())) : "—";
                row.append(' ').append(cell).append(" |");
            }
            line(out, entry.ours() ? bold(row.toString()) : row.toString());
        }
        line(out, "");
        if (scenario.targets().isEmpty()) {
            return;
        }
        targets(out, results, scenarioNumber(scenario.title()), scenario.targets(), verdicts);
    }

    /** Writes a verdict line for each target, and adds it to the summary's {@code verdicts}. */
    private static void targets(StringBuilder out, JmhResults results, String number, List<Target> targets,
            List<String[]> verdicts) {
        line(out, "Targets:");
        line(out, "");
        Set<String> explained = new LinkedHashSet<>();
        for (Target target : targets) {
            Optional<Score> ours = results.find(target.ours());
            Optional<Score> peer = results.find(target.peer());
            String ratioText;
            Verdict verdict;
            String why = "";
            if (ours.isEmpty() || peer.isEmpty()) {
                ratioText = "—";
                verdict = Verdict.NOT_MEASURED;
            } else {
                Ratio ratio = ratio(ours.get(), peer.get(), target.rule() == Rule.SPEEDUP_AT_LEAST);
                verdict = Verdict.of(ratio, target.rule(), target.bound());
                ratioText = formatRatio(ratio) + (target.rule() == Rule.TIME_AT_MOST ? " time" : " throughput");
                if (verdict != Verdict.HOLDS) {
                    why = explained.add(target.whenMissed()) ? " — Why: " + target.whenMissed()
                            : " — Why: as for the target above.";
                }
            }
            String needed = (target.rule() == Rule.TIME_AT_MOST ? "≤ " : "≥ ") + format(target.bound()) + "×";
            line(out, "- **" + verdict + "**: " + target.text() + " — `" + method(target.ours()) + "` vs `"
                    + method(target.peer()) + "`: " + ratioText + " (needed " + needed + ")" + why);
            verdicts.add(new String[] {number, target.text(), ratioText + " (" + needed + ")", verdict.toString()});
        }
        line(out, "");
    }

    // ---------------------------------------------------------------- growth

    private static void growth(StringBuilder out, JmhResults results, Growth growth, List<String[]> verdicts) {
        line(out, "## " + growth.title());
        line(out, "");
        line(out, growth.description());
        line(out, "");
        StringBuilder header = new StringBuilder("| benchmark | what |");
        StringBuilder rule = new StringBuilder("|---|---|");
        for (String value : growth.values()) {
            header.append(' ').append(growth.param()).append(" = ").append(value).append(" |");
            rule.append("---:|");
        }
        line(out, header.toString());
        line(out, rule.toString());
        for (Entry entry : growth.entries()) {
            StringBuilder row = new StringBuilder("| `" + method(entry.benchmark()) + "` | " + entry.label() + " |");
            Optional<Score> first = results.find(Scenarios.cell(entry.benchmark(), growth.param(), growth.values().getFirst()));
            for (String value : growth.values()) {
                Optional<Score> score = results.find(Scenarios.cell(entry.benchmark(), growth.param(), value));
                String cell = score.map(ResultsReport::formatScore).orElse("not measured");
                if (score.isPresent() && first.isPresent() && !value.equals(growth.values().getFirst())) {
                    cell += " (" + formatRatio(ratio(score.get(), first.get(), false)) + ")";
                }
                row.append(' ').append(cell).append(" |");
            }
            line(out, entry.ours() ? bold(row.toString()) : row.toString());
        }
        line(out, "");
        if (!growth.targets().isEmpty()) {
            targets(out, results, "growth", growth.targets(), verdicts);
        }
    }

    /** A ratio and its error band (NaN when unknown). */
    record Ratio(double value, double error) {
    }

    /** What a run says of a target. */
    enum Verdict {

        /** The whole error band of the ratio lies on the target's side of its bound. */
        HOLDS,

        /** The whole error band lies on the wrong side. */
        MISSED,

        /** The band straddles the bound, or the run has no band: this run cannot tell. */
        INCONCLUSIVE,

        /** A benchmark of the target did not run. */
        NOT_MEASURED;

        /** {@return what {@code ratio} says of a target that it must be at most, or at least, {@code bound}} */
        static Verdict of(Ratio ratio, Rule rule, double bound) {
            if (Double.isNaN(ratio.error())) {
                return INCONCLUSIVE;
            }
            double low = ratio.value() - ratio.error();
            double high = ratio.value() + ratio.error();
            boolean allBelow = high <= bound;
            boolean allAbove = low >= bound;
            if (rule == Rule.TIME_AT_MOST) {
                return allBelow ? HOLDS : allAbove ? MISSED : INCONCLUSIVE;
            }
            return allAbove ? HOLDS : allBelow ? MISSED : INCONCLUSIVE;
        }

        @Override
        public String toString() {
            return name().replace('_', ' ');
        }
    }

    private static long count(List<String[]> verdicts, Verdict verdict) {
        return verdicts.stream().filter(v -> v[3].equals(verdict.toString())).count();
    }

    /**
     * {@code this} time over {@code peer}'s, or the inverse when {@code throughput}: above 1 then
     * means {@code of} is faster.
     */
    static Ratio ratio(Score of, Score peer, boolean throughput) {
        double ours = of.value();
        double theirs = peer.value();
        double value = throughput ? theirs / ours : ours / theirs;
        double error = value * Math.sqrt(square(of.relativeError()) + square(peer.relativeError()));
        return new Ratio(value, error);
    }

    private static double square(double x) {
        return x * x;
    }

    private static String formatScore(Score score) {
        return format(score.value()) + errorText(score.error()) + " " + score.unit().replace("/op", "");
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

    private static String scenarioNumber(String title) {
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
            // A count, not a timing: no band, so never inconclusive.
            Verdict verdict = row == null ? Verdict.NOT_MEASURED
                    : row.bytes() <= target.maxBytes() ? Verdict.HOLDS : Verdict.MISSED;
            String measured = row == null ? "—" : row.bytes() + " bytes";
            line(out, "- **" + verdict + "**: " + target.text() + ": " + measured
                    + (verdict == Verdict.MISSED ? " — " + target.whenMissed() : ""));
            verdicts.add(new String[] {"5", target.text(), measured + " (≤ " + target.maxBytes() + ")",
                    verdict.toString()});
        }
        line(out, "");
    }

    private static void line(StringBuilder out, String text) {
        out.append(text).append('\n');
    }
}
