package dev.scheduler.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scheduler.benchmarks.MemoryFootprint.Row;
import dev.scheduler.benchmarks.Scenarios.Entry;
import dev.scheduler.benchmarks.Scenarios.Scenario;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark once, in this JVM, with the shortest settings JMH allows, and writes a
 * report from that run: a broken benchmark, a scenario naming a benchmark that does not exist, or a
 * report that cannot read JMH's JSON fails the build. It asserts no timing; {@code benchmarks/run.sh}
 * measures.
 */
class BenchmarksSmokeTest {

    @TempDir
    Path dir;

    @Test
    void everyBenchmarkRunsToCompletionAndTheReportReadsTheRun() throws RunnerException, IOException {
        Path json = dir.resolve("jmh.json");
        Options options = new OptionsBuilder()
                .include("dev\\.scheduler\\.benchmarks\\..*")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(20))
                .shouldFailOnError(true)
                .resultFormat(ResultFormatType.JSON)
                .result(json.toString())
                .build();

        Collection<RunResult> results = new Runner(options).run();

        assertThat(results).isNotEmpty();
        assertThat(results).allSatisfy(result -> assertThat(result.getPrimaryResult().getScore()).isPositive());

        JmhResults read = JmhResults.read(List.of(json));
        Set<String> ran = read.scores().keySet();
        List<String> named = java.util.stream.Stream.concat(
                Scenarios.all().stream().flatMap(BenchmarksSmokeTest::benchmarks),
                Scenarios.growth().stream().flatMap(growth -> growth.entries().stream().flatMap(entry -> growth
                        .values().stream().map(value -> Scenarios.cell(entry.benchmark(), growth.param(), value)))))
                .toList();
        assertThat(ran).as("every benchmark the report names ran").containsAll(named);
        assertThat(named).as("every benchmark that ran is in the report").containsAll(ran);

        // Made-up memory rows: every target's case at 400 bytes, so that the verdicts are known.
        List<Row> memory = new java.util.ArrayList<>(Scenarios.memoryTargets().stream()
                .map(target -> new Row(target.key(), target.text(), 400, "target")).toList());
        memory.add(new Row("bareVirtualThread", "bare", 200, "floor"));
        String report = ResultsReport.render(read, memory, "smoke", "smoke test", "2000", "abc1234");
        assertThat(report).contains("## Environment", "## Targets", "## Scenario 5", "| commit | abc1234 |")
                .doesNotContain("not measured", "NOT MEASURED", "NaN×");
        for (Scenario scenario : Scenarios.all()) {
            assertThat(report).contains("## " + scenario.title());
        }
        for (Scenarios.Growth growth : Scenarios.growth()) {
            assertThat(report).contains("## " + growth.title());
        }
        // Every target gets a computed verdict (one iteration has no band: inconclusive), and the
        // memory verdict follows the numbers given.
        long verdicts = report.lines().filter(line -> line.startsWith("- **HOLDS") || line.startsWith("- **MISSED")
                || line.startsWith("- **INCONCLUSIVE")).count();
        long targets = Scenarios.all().stream().mapToLong(s -> s.targets().size()).sum()
                + Scenarios.growth().stream().mapToLong(g -> g.targets().size()).sum();
        assertThat(verdicts).isGreaterThanOrEqualTo(targets + 1);
        assertThat(report).contains("- **HOLDS**: ≤ 512 bytes per pending virtual-thread task (TestScheduler): 400 bytes",
                "- **MISSED**: ≤ 96 bytes per pending timer (TestScheduler): 400 bytes", "| 2.00× `bareVirtualThread` |");
        Files.writeString(dir.resolve("RESULTS.md"), report);
    }

    @Test
    void everyMemoryCaseMeasuresSomething() {
        assertThat(MemoryFootprint.cases()).allSatisfy(measured ->
                assertThat(MemoryFootprint.bytesEach(measured, 2_000)).as(measured.name()).isPositive());
    }

    @Test
    void memoryRowsSurviveTheirFile() throws IOException {
        List<Row> rows = List.of(new Row("timerLinux", "timer on the Linux dispatcher (`scheduleAfter`)", 72, "≤ 96"));
        Path file = dir.resolve("memory.tsv");
        MemoryFootprint.write(file, rows);
        assertThat(MemoryFootprint.read(file)).isEqualTo(rows);
        Set<String> keys = MemoryFootprint.cases().stream().map(MemoryFootprint.Case::key).collect(Collectors.toSet());
        assertThat(keys).as("every memory target names a case")
                .containsAll(Scenarios.memoryTargets().stream().map(Scenarios.MemoryTarget::key).toList());
    }

    @Test
    void theJsonReaderReadsWhatJmhWrites() {
        Object value = Json.parse("[{\"a\" : 1.5e3, \"b\" : \"NaN\", \"c\" : [true, false, null], \"d\" : \"x\\\"\\u0041\"}]");
        assertThat(value).isEqualTo(List.of(java.util.Map.of("a", 1500.0, "b", "NaN",
                "c", java.util.Arrays.asList(true, false, null), "d", "x\"A")));
    }

    private static java.util.stream.Stream<String> benchmarks(Scenario scenario) {
        return scenario.entries().stream().map(Entry::benchmark);
    }
}
