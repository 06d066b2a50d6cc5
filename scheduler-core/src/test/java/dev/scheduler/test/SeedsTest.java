package dev.scheduler.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SeedsTest {

    /** An environment with none of the variables, so that the shell running the build cannot leak in. */
    private static final Function<String, String> NO_ENVIRONMENT = variable -> null;

    @AfterEach
    void clearOverrides() {
        System.clearProperty("scheduler.seed");
        System.clearProperty("scheduler.iterations");
    }

    @Test
    void withoutOverridesTheTestsOwnRangeRuns() {
        assertThat(Seeds.resolve(5, 3, NO_ENVIRONMENT).stream()).containsExactly(5L, 6L, 7L);
    }

    @Test
    void aSeedAloneReplaysThatOneSeed() {
        System.setProperty("scheduler.seed", "41");

        assertThat(Seeds.resolve(0, 100, NO_ENVIRONMENT).stream()).containsExactly(41L);
    }

    @Test
    void iterationsExtendARangeFromTheSeed() {
        System.setProperty("scheduler.seed", "41");
        System.setProperty("scheduler.iterations", "3");

        assertThat(Seeds.resolve(0, 100, NO_ENVIRONMENT).stream()).containsExactly(41L, 42L, 43L);
    }

    @Test
    void theSeedVariableFromTheEnvironmentReplaysThatOneSeed() {
        Function<String, String> environment = Map.of("SEED", "41")::get;

        assertThat(Seeds.resolve(0, 100, environment).stream()).containsExactly(41L);
    }

    @Test
    void theIterationsVariableFromTheEnvironmentOverridesTheTestsCount() {
        Function<String, String> environment = Map.of("ITERATIONS", "2")::get;

        assertThat(Seeds.resolve(5, 100, environment).stream()).containsExactly(5L, 6L);
    }

    @Test
    void seedAndIterationsFromTheEnvironmentRunARangeFromTheSeed() {
        Function<String, String> environment = Map.of("SEED", " 41 ", "ITERATIONS", "3")::get;

        assertThat(Seeds.resolve(0, 100, environment).stream()).containsExactly(41L, 42L, 43L);
    }

    @Test
    void aSystemPropertyWinsOverTheEnvironmentVariableOfTheSameSetting() {
        System.setProperty("scheduler.seed", "7");
        Function<String, String> environment = Map.of("SEED", "41", "ITERATIONS", "2")::get;

        assertThat(Seeds.resolve(0, 100, environment).stream()).containsExactly(7L, 8L);
    }

    @Test
    void aBlankSystemPropertyLeavesTheEnvironmentVariableInForce() {
        System.setProperty("scheduler.seed", " ");
        Function<String, String> environment = Map.of("SEED", "41")::get;

        assertThat(Seeds.resolve(0, 100, environment).stream()).containsExactly(41L);
    }

    @Test
    void aSeedThatIsNotANumberIsRejectedNamingTheVariable() {
        System.setProperty("scheduler.seed", "forty-one");

        assertThatThrownBy(() -> Seeds.resolve(0, 1, NO_ENVIRONMENT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SEED must be a whole number, was 'forty-one'");
    }

    @Test
    void iterationsFromTheEnvironmentThatAreNotANumberAreRejectedNamingTheVariable() {
        Function<String, String> environment = Map.of("ITERATIONS", "lots")::get;

        assertThatThrownBy(() -> Seeds.resolve(0, 1, environment))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ITERATIONS must be a whole number, was 'lots'");
    }

    @Test
    void fewerThanOneIterationIsRejected() {
        assertThatThrownBy(() -> Seeds.resolve(0, 0, NO_ENVIRONMENT)).hasMessage("iterations must be at least 1, was 0");
    }

    @Test
    void theReplayCommandRunsOneTestOfThisModuleWithTheSeed() {
        assertThat(Seeds.failureMessage(9, "com.example.CacheTest", "neverStale"))
                .isEqualTo("Failing seed: 9" + System.lineSeparator() + "Replay it with: SEED=9 ITERATIONS=1 mvn "
                        + "-pl scheduler-core -am test -Dtest='CacheTest#neverStale' -Dsurefire.failIfNoSpecifiedTests=false");
    }
}
