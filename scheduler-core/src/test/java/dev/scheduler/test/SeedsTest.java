package dev.scheduler.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SeedsTest {

    @AfterEach
    void clearOverrides() {
        System.clearProperty("scheduler.seed");
        System.clearProperty("scheduler.iterations");
    }

    @Test
    void withoutOverridesTheTestsOwnRangeRuns() {
        assertThat(Seeds.resolve(5, 3).stream()).containsExactly(5L, 6L, 7L);
    }

    @Test
    void aSeedAloneReplaysThatOneSeed() {
        System.setProperty("scheduler.seed", "41");

        assertThat(Seeds.resolve(0, 100).stream()).containsExactly(41L);
    }

    @Test
    void iterationsExtendARangeFromTheSeed() {
        System.setProperty("scheduler.seed", "41");
        System.setProperty("scheduler.iterations", "3");

        assertThat(Seeds.resolve(0, 100).stream()).containsExactly(41L, 42L, 43L);
    }

    @Test
    void aSeedThatIsNotANumberIsRejectedNamingTheVariable() {
        System.setProperty("scheduler.seed", "forty-one");

        assertThatThrownBy(() -> Seeds.resolve(0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SEED must be a whole number, was 'forty-one'");
    }

    @Test
    void fewerThanOneIterationIsRejected() {
        assertThatThrownBy(() -> Seeds.resolve(0, 0)).hasMessage("iterations must be at least 1, was 0");
    }

    @Test
    void theReplayCommandRunsOneTestOfThisModuleWithTheSeed() {
        assertThat(Seeds.failureMessage(9, "com.example.CacheTest", "neverStale"))
                .isEqualTo("Failing seed: 9" + System.lineSeparator() + "Replay it with: SEED=9 ITERATIONS=1 mvn "
                        + "-pl scheduler-core -am test -Dtest='CacheTest#neverStale' -Dsurefire.failIfNoSpecifiedTests=false");
    }
}
