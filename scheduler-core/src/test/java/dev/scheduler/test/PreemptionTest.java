package dev.scheduler.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The preemption setting: what each strategy means, and the settings that make no sense. */
class PreemptionTest {

    @Nested
    class Settings {

        @Test
        void preemptionIsOffUnlessAsked() {
            assertThat(TestSchedulerConfig.defaults().preemption()).isEqualTo(Preemption.off());
            assertThat(Preemption.off().isOn()).isFalse();
        }

        @Test
        void pctAimsAtDepthThreeUnlessToldOtherwise() {
            assertThat(Preemption.pct()).isEqualTo(new Preemption(Preemption.Strategy.PCT, 3, false));
            assertThat(Preemption.pct(2).thoroughly()).isEqualTo(new Preemption(Preemption.Strategy.PCT, 2, true));
        }

        @Test
        void ofKeepsTheDepthForPctOnly() {
            assertThat(Preemption.of(Preemption.Strategy.RANDOM, 5, true)).isEqualTo(Preemption.random().thoroughly());
            assertThat(Preemption.of(Preemption.Strategy.PCT, 5, false)).isEqualTo(Preemption.pct(5));
        }

        @Test
        void reportsNameTheStrategy() {
            assertThat(Preemption.pct().thoroughly()).hasToString("PCT (depth 3, thorough)");
            assertThat(Preemption.random()).hasToString("random walk");
            assertThat(Preemption.off()).hasToString("preemption off");
        }

        @Test
        void theConfigurationCarriesItThroughItsBuilder() {
            TestSchedulerConfig config = TestSchedulerConfig.builder().preemption(Preemption.random()).build();
            assertThat(config.toBuilder().seed(9).build().preemption()).isEqualTo(Preemption.random());
        }
    }

    @Nested
    class BadSettings {

        @Test
        void aDepthBelowOneIsRefusedNamingIt() {
            assertThatThrownBy(() -> Preemption.pct(0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("preemption depth must be at least 1, was 0");
        }

        @Test
        void aDepthIsPctsAlone() {
            assertThatThrownBy(() -> new Preemption(Preemption.Strategy.RANDOM, 2, false))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("preemption depth is PCT's; for RANDOM it must be 1, was 2");
        }

        @Test
        void thoroughPointsWithPreemptionOffAreRefused() {
            assertThatThrownBy(() -> new Preemption(Preemption.Strategy.OFF, 1, true))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("thorough preemption points need a strategy other than OFF");
        }

        @Test
        void preemptionNeedsTheSeededDrawSoStepsInOrderAreRefused() {
            assertThatThrownBy(() -> TestSchedulerConfig.builder().randomizeOrder(false).preemption(Preemption.pct()).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("preemption (PCT (depth 3)) switches tasks by the seed's draw, so it needs "
                            + "randomizeOrder=true; randomizeOrder was false");
        }

        @Test
        void aNullStrategyIsRefusedNamingIt() {
            assertThatThrownBy(() -> new Preemption(null, 1, false)).isInstanceOf(NullPointerException.class)
                    .hasMessage("strategy");
            assertThatThrownBy(() -> TestSchedulerConfig.builder().preemption(null)).isInstanceOf(NullPointerException.class)
                    .hasMessage("preemption");
        }
    }
}
