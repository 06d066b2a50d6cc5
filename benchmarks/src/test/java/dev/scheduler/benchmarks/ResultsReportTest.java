package dev.scheduler.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.scheduler.benchmarks.JmhResults.Score;
import dev.scheduler.benchmarks.ResultsReport.Ratio;
import dev.scheduler.benchmarks.ResultsReport.Verdict;
import dev.scheduler.benchmarks.Scenarios.Rule;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** How a run's numbers become scores, ratios and verdicts. */
class ResultsReportTest {

    @Nested
    class Verdicts {

        @Test
        void aTargetHoldsOnlyWhenTheWholeBandIsOnItsSide() {
            assertThat(Verdict.of(new Ratio(1.10, 0.10), Rule.TIME_AT_MOST, 1.3)).isEqualTo(Verdict.HOLDS);
            assertThat(Verdict.of(new Ratio(2.6, 0.05), Rule.SPEEDUP_AT_LEAST, 2.5)).isEqualTo(Verdict.HOLDS);
        }

        @Test
        void aTargetIsMissedOnlyWhenTheWholeBandIsOnTheWrongSide() {
            assertThat(Verdict.of(new Ratio(1.5, 0.1), Rule.TIME_AT_MOST, 1.3)).isEqualTo(Verdict.MISSED);
            assertThat(Verdict.of(new Ratio(0.4, 0.05), Rule.SPEEDUP_AT_LEAST, 0.5)).isEqualTo(Verdict.MISSED);
        }

        @Test
        void aBandThatStraddlesTheBoundIsInconclusiveWhicheverSideTheRatioIsOn() {
            assertThat(Verdict.of(new Ratio(1.27, 1.72), Rule.TIME_AT_MOST, 1.3)).isEqualTo(Verdict.INCONCLUSIVE);
            assertThat(Verdict.of(new Ratio(2.56, 4.16), Rule.SPEEDUP_AT_LEAST, 2.0)).isEqualTo(Verdict.INCONCLUSIVE);
            assertThat(Verdict.of(new Ratio(1.35, 0.1), Rule.TIME_AT_MOST, 1.3)).isEqualTo(Verdict.INCONCLUSIVE);
        }

        @Test
        void aRatioWithoutABandIsInconclusive() {
            assertThat(Verdict.of(new Ratio(1.0, Double.NaN), Rule.TIME_AT_MOST, 1.3)).isEqualTo(Verdict.INCONCLUSIVE);
        }
    }

    @Nested
    class Passes {

        @Test
        void theIterationsOfEveryForkOfEveryPassArePooledPerBenchmark() {
            JmhResults results = JmhResults.parse(List.of(
                    pass(average("A.ours", List.of(10.0, 12.0)), average("A.peer", List.of(20.0))),
                    pass(average("A.ours", List.of(11.0)), average("A.peer", List.of(21.0, 22.0)))));

            Score ours = results.find("A.ours").orElseThrow();
            assertThat(ours.iterations()).containsExactly(10.0, 12.0, 11.0);
            assertThat(ours.forks()).isEqualTo(2);
            assertThat(ours.value()).isCloseTo(11.0, within(1e-9));
            assertThat(results.find("A.peer").orElseThrow().iterations()).containsExactly(20.0, 21.0, 22.0);
        }

        @Test
        void theErrorIsStudentsTHalfWidthAtJmhsConfidence() {
            Score score = JmhResults.parse(List.of(pass(average("A.ours", List.of(10.0, 12.0, 11.0))))).find("A.ours")
                    .orElseThrow();

            // s = 1, n = 3: t(0.9995; 2) = 31.599 over the square root of 3
            assertThat(score.error()).isCloseTo(31.599 / Math.sqrt(3), within(1e-2));
        }

        @Test
        void oneIterationHasNoBand() {
            Score score = JmhResults.parse(List.of(pass(average("A.ours", List.of(10.0))))).find("A.ours").orElseThrow();

            assertThat(score.error()).isNaN();
        }

        @Test
        void inSampleModeEachIterationCountsByTheMedianOfItsHistogram() {
            // Iteration 1: 1 × 100, 2 × 200, 1 × 5000 → median 200. Iteration 2: 3 × 300 → 300.
            JmhResults results = JmhResults.parse(List.of(pass(sampled("H.ours",
                    "[[[100.0, 1], [200.0, 2], [5000.0, 1]], [[300.0, 3]]]"))));

            Score score = results.find("H.ours").orElseThrow();
            assertThat(score.median()).isTrue();
            assertThat(score.iterations()).containsExactly(200.0, 300.0);
        }

        @Test
        void aRatioOfPooledScoresCarriesBothBands() {
            JmhResults results = JmhResults.parse(List.of(pass(average("A.ours", List.of(10.0, 12.0, 11.0)),
                    average("A.peer", List.of(20.0, 22.0, 21.0)))));
            Score ours = results.find("A.ours").orElseThrow();
            Score peer = results.find("A.peer").orElseThrow();

            Ratio time = ResultsReport.ratio(ours, peer, false);

            assertThat(time.value()).isCloseTo(11.0 / 21.0, within(1e-9));
            assertThat(time.error()).isCloseTo(time.value() * Math.hypot(ours.relativeError(), peer.relativeError()),
                    within(1e-9));
        }
    }

    private static String pass(String... benchmarks) {
        return Stream.of(benchmarks).collect(Collectors.joining(", ", "[", "]"));
    }

    private static String average(String name, List<Double> iterations) {
        return benchmark(name, "avgt", "\"rawData\" : [" + iterations + "]");
    }

    private static String sampled(String name, String histogram) {
        return benchmark(name, "sample", "\"rawDataHistogram\" : [" + histogram + "]");
    }

    private static String benchmark(String name, String mode, String raw) {
        return "{\"benchmark\" : \"dev.scheduler.benchmarks." + name + "\", \"mode\" : \"" + mode + "\", \"forks\" : 1,"
                + " \"warmupIterations\" : 1, \"warmupTime\" : \"1 s\", \"measurementIterations\" : 1,"
                + " \"measurementTime\" : \"1 s\", \"vmName\" : \"VM\", \"vmVersion\" : \"25\", \"jdkVersion\" : \"25\","
                + " \"jvmArgs\" : [], \"primaryMetric\" : {\"scoreUnit\" : \"ns/op\", " + raw + "}}";
    }
}
