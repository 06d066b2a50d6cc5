package dev.scheduler.races;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scheduler.test.Preemption;
import dev.scheduler.test.TestScheduler;
import dev.scheduler.test.TestSchedulerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The race catalogue under every preemption setting, each program written with tasks and with plain
 * threads: without preemption a task runs until it parks and only the order violation shows; with preemption every bug is found within
 * {@value #SEEDS} seeds, and its failing seed replays with the same steps and switches. The first
 * failing seed of each, and how many of the {@value #SEEDS} fail, are written to
 * {@code target/race-catalogue.md}, the table in the README.
 */
class RaceCatalogueTest {

    static final int SEEDS = 1_000;

    /** The settings the table compares, in its column order. */
    static final Map<String, Preemption> SETTINGS = new LinkedHashMap<>();

    static {
        SETTINGS.put("off", Preemption.off());
        SETTINGS.put("random walk", Preemption.random());
        SETTINGS.put("PCT, depth 3", Preemption.pct());
        SETTINGS.put("random walk, thorough", Preemption.random().thoroughly());
        SETTINGS.put("PCT, depth 3, thorough", Preemption.pct().thoroughly());
    }

    /** What scanning found, by program and form, then by setting. */
    private static final Map<String, Map<String, Scan>> FOUND = new LinkedHashMap<>();

    @Nested
    class WithoutPreemption {

        @ParameterizedTest
        @EnumSource(value = RaceProgram.class, names = "USE_BEFORE_INITIALIZATION", mode = EnumSource.Mode.EXCLUDE)
        void aRaceWhereNothingParksIsNeverInterleaved(RaceProgram program) throws Exception {
            for (RaceProgram.Form form : RaceProgram.Form.values()) {
                assertThat(firstFailingSeed(program, form, "off")).as("%s as %s", program, form).isEmpty();
            }
        }

        @ParameterizedTest
        @EnumSource(value = RaceProgram.class, names = "USE_BEFORE_INITIALIZATION")
        void theOrderOfWholeTasksIsStillDrawnFromTheSeed(RaceProgram program) throws Exception {
            for (RaceProgram.Form form : RaceProgram.Form.values()) {
                assertThat(firstFailingSeed(program, form, "off")).as("%s as %s", program, form).isPresent();
            }
        }
    }

    @Nested
    class WithPreemption {

        @ParameterizedTest
        @EnumSource(RaceProgram.class)
        void theRandomWalkFindsEveryBugAndItsSeedReplays(RaceProgram program) throws Exception {
            String setting = program.needsThoroughPoints() ? "random walk, thorough" : "random walk";
            assertFoundAndReplayed(program, setting);
        }

        @ParameterizedTest
        @EnumSource(RaceProgram.class)
        void pctFindsEveryBugAndItsSeedReplays(RaceProgram program) throws Exception {
            String setting = program.needsThoroughPoints() ? "PCT, depth 3, thorough" : "PCT, depth 3";
            assertFoundAndReplayed(program, setting);
        }

        @ParameterizedTest
        @EnumSource(RaceProgram.class)
        void thoroughPointsFindWhatDefaultPointsFindAndRacesOnPlainFields(RaceProgram program) throws Exception {
            assertFoundAndReplayed(program, "random walk, thorough");
            assertFoundAndReplayed(program, "PCT, depth 3, thorough");
        }

        @ParameterizedTest
        @EnumSource(value = RaceProgram.class, names = {"LOST_UPDATE_OF_A_PLAIN_FIELD", "THIS_ESCAPES_ITS_CONSTRUCTOR"})
        void defaultPointsLeavePlainFieldAccessesAlone(RaceProgram program) throws Exception {
            for (RaceProgram.Form form : RaceProgram.Form.values()) {
                assertThat(firstFailingSeed(program, form, "random walk")).isEmpty();
                assertThat(firstFailingSeed(program, form, "PCT, depth 3")).isEmpty();
            }
        }
    }

    private static void assertFoundAndReplayed(RaceProgram program, String setting) throws Exception {
        for (RaceProgram.Form form : RaceProgram.Form.values()) {
            assertFoundAndReplayed(program, form, setting);
        }
    }

    private static void assertFoundAndReplayed(RaceProgram program, RaceProgram.Form form, String setting)
            throws Exception {
        OptionalLong seed = firstFailingSeed(program, form, setting);
        assertThat(seed).as("%s as %s under %s within %d seeds", program, form, setting, SEEDS).isPresent();
        Run first = run(program, form, SETTINGS.get(setting), seed.getAsLong());
        Run replay = run(program, form, SETTINGS.get(setting), seed.getAsLong());
        assertThat(first.failure()).isNotNull();
        assertThat(replay.failure()).isInstanceOf(first.failure().getClass());
        assertThat(withoutIdentities(replay.failure().getMessage())).isEqualTo(withoutIdentities(first.failure().getMessage()));
        assertThat(replay.trace()).isEqualTo(first.trace());
        assertThat(replay.switchSites()).isEqualTo(first.switchSites());
    }

    /** A failure's message without what differs from run to run in one JVM: task ids and identity hashes. */
    private static String withoutIdentities(String message) {
        return message.replaceAll("#\\d+", "#").replaceAll("@\\p{XDigit}+", "@");
    }

    /** {@return the first seed below {@value #SEEDS} on which {@code program} fails under {@code setting}} */
    static OptionalLong firstFailingSeed(RaceProgram program, RaceProgram.Form form, String setting) throws Exception {
        return scan(program, form, setting).first();
    }

    /** Runs every seed below {@value #SEEDS} once, and remembers the first failing seed and how many failed. */
    private static Scan scan(RaceProgram program, RaceProgram.Form form, String setting) throws Exception {
        Map<String, Scan> known;
        synchronized (FOUND) {
            known = FOUND.computeIfAbsent(program + "/" + form, p -> new LinkedHashMap<>());
            if (known.containsKey(setting)) {
                return known.get(setting);
            }
        }
        OptionalLong first = OptionalLong.empty();
        int failing = 0;
        for (long seed = 0; seed < SEEDS; seed++) {
            if (run(program, form, SETTINGS.get(setting), seed).failure() != null) {
                failing++;
                if (first.isEmpty()) {
                    first = OptionalLong.of(seed);
                }
            }
        }
        Scan scan = new Scan(first, failing);
        synchronized (FOUND) {
            known.put(setting, scan);
        }
        return scan;
    }

    /** What scanning the seeds found: the first failing seed, and how many of them failed. */
    record Scan(OptionalLong first, int failing) {

        @Override
        public String toString() {
            return first.isEmpty() ? "none in " + SEEDS : first.getAsLong() + " (" + failing + " fail)";
        }
    }

    /** What one run of a program did: how it failed, if it did, its steps and its switches' sites. */
    record Run(Throwable failure, List<String> trace, List<String> switchSites) {
    }

    static Run run(RaceProgram program, RaceProgram.Form form, Preemption preemption, long seed) throws Exception {
        TestSchedulerConfig config = TestSchedulerConfig.builder().seed(seed).preemption(preemption).recordTrace(true)
                .capturePendingTraces(false).build();
        TestScheduler[] used = new TestScheduler[1];
        Throwable failure = null;
        try {
            TestScheduler.run(config, scheduler -> {
                used[0] = scheduler;
                program.body(form).run(scheduler);
            });
        } catch (Exception | AssertionError e) {
            failure = e;
        }
        List<String> sites = new ArrayList<>();
        used[0].switches().forEach(taken -> sites.add(taken.at()));
        return new Run(failure, used[0].trace(), sites);
    }

    @AfterAll
    static void writeTheTable() throws IOException {
        StringBuilder table = new StringBuilder("| bug | class | written with | " + String.join(" | ", SETTINGS.keySet())
                + " |\n|---|---|---|");
        table.append("---|".repeat(SETTINGS.size())).append('\n');
        synchronized (FOUND) {
            for (RaceProgram program : RaceProgram.values()) {
                for (RaceProgram.Form form : RaceProgram.Form.values()) {
                    Map<String, Scan> found = FOUND.getOrDefault(program + "/" + form, Map.of());
                    table.append("| ").append(program.description()).append(" | ").append(program.bugClass())
                            .append(" | ").append(form == RaceProgram.Form.TASKS ? "tasks" : "threads").append(" |");
                    for (String setting : SETTINGS.keySet()) {
                        Scan scan = found.get(setting);
                        table.append(' ').append(scan == null ? "not run" : scan).append(" |");
                    }
                    table.append('\n');
                }
            }
        }
        Path out = Path.of(System.getProperty("basedir", "."), "target", "race-catalogue.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table);
    }
}
