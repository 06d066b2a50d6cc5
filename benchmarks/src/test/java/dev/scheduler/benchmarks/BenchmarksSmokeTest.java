package dev.scheduler.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark once, in this JVM, with the shortest settings JMH allows: a broken benchmark
 * fails the build. It measures nothing; {@code benchmarks/run.sh} does.
 */
class BenchmarksSmokeTest {

    @Test
    void everyBenchmarkRunsToCompletion() throws RunnerException {
        Options options = new OptionsBuilder()
                .include("dev\\.scheduler\\.benchmarks\\..*")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(20))
                .shouldFailOnError(true)
                .build();

        Collection<RunResult> results = new Runner(options).run();

        assertThat(results).isNotEmpty();
        assertThat(results).allSatisfy(result -> assertThat(result.getPrimaryResult().getScore()).isPositive());
    }

    @Test
    void everyMemoryCaseMeasuresSomething() {
        assertThat(MemoryFootprint.cases()).allSatisfy(measured ->
                assertThat(MemoryFootprint.bytesEach(measured, 2_000)).as(measured.name()).isPositive());
    }
}
