package dev.scheduler.races;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.scheduler.Executor;
import dev.scheduler.Task;
import dev.scheduler.test.Preemption;
import dev.scheduler.test.TestScheduler;
import dev.scheduler.test.junit.SchedulerTest;
import java.math.BigDecimal;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * The README's "Finding races" example, end to end: a cache that two tasks fill at once looks a
 * price up twice; preemption finds the seed that shows it and lists the switches; the fix passes
 * every seed.
 */
class FindingRacesReadmeTest {

    @Test
    void preemptionFindsTheDoubleLookupAndNamesTheSwitchesThatCauseIt() {
        Events events = EngineTestKit.engine("junit-jupiter").selectors(selectClass(RacyCacheSpecification.class))
                .execute().testEvents();

        assertThat(events.failed().count()).isPositive();
        Throwable failure = events.failed().stream().findFirst().orElseThrow()
                .getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow();
        assertThat(failure).hasMessageStartingWith("Failing seed: ")
                .hasMessageContaining("Replay it with: SEED=");
        assertThat(failure.getCause()).hasMessage("sku-1 was looked up 2 times");
        assertThat(failure.getCause().getSuppressed()).singleElement()
                .satisfies(switches -> assertThat(switches.getMessage())
                        .contains("at dev.scheduler.races.FindingRacesReadmeTest$PriceCache.price(FindingRacesReadmeTest.java:"));
    }

    @Test
    void withoutPreemptionEverySeedPassesTheRacyCache() {
        Events events = EngineTestKit.engine("junit-jupiter").selectors(selectClass(RacyCacheWithoutPreemption.class))
                .execute().testEvents();

        assertThat(events.failed().count()).isZero();
        assertThat(events.succeeded().count()).isEqualTo(1000);
    }

    @Test
    void theFixPassesEverySeed() {
        Events events = EngineTestKit.engine("junit-jupiter").selectors(selectClass(FixedCacheSpecification.class))
                .execute().testEvents();

        assertThat(events.failed().count()).isZero();
        assertThat(events.succeeded().count()).isEqualTo(1000);
    }

    /** The code under test: a price cache in front of a slow lookup. */
    static class PriceCache {
        private final Map<String, BigDecimal> prices = new ConcurrentHashMap<>();
        final AtomicInteger lookups = new AtomicInteger();

        BigDecimal price(String sku) {
            BigDecimal known = prices.get(sku);
            if (known == null) {
                known = lookup(sku);
                prices.put(sku, known);
            }
            return known;
        }

        BigDecimal lookup(String sku) {
            lookups.incrementAndGet();
            return new BigDecimal("9.99");
        }
    }

    /** The fix: one atomic computeIfAbsent instead of a get and a put. */
    static class FixedPriceCache extends PriceCache {
        private final Map<String, BigDecimal> prices = new ConcurrentHashMap<>();

        @Override
        BigDecimal price(String sku) {
            return prices.computeIfAbsent(sku, this::lookup);
        }
    }

    static void twoTasksAskForOnePrice(TestScheduler scheduler, PriceCache cache) {
        Executor executor = scheduler.background();
        Task<BigDecimal> first = executor.spawn(() -> cache.price("sku-1"));
        Task<BigDecimal> second = executor.spawn(() -> cache.price("sku-1"));
        first.join();
        second.join();
        if (cache.lookups.get() != 1) {
            throw new AssertionError("sku-1 was looked up " + cache.lookups.get() + " times");
        }
    }

    static class RacyCacheSpecification {

        @SchedulerTest(iterations = 1000, preemption = Preemption.Strategy.PCT)
        void aPriceIsLookedUpOnce(TestScheduler scheduler) {
            twoTasksAskForOnePrice(scheduler, new PriceCache());
        }
    }

    static class RacyCacheWithoutPreemption {

        @SchedulerTest(iterations = 1000)
        void aPriceIsLookedUpOnce(TestScheduler scheduler) {
            twoTasksAskForOnePrice(scheduler, new PriceCache());
        }
    }

    static class FixedCacheSpecification {

        @SchedulerTest(iterations = 1000, preemption = Preemption.Strategy.PCT)
        void aPriceIsLookedUpOnce(TestScheduler scheduler) {
            twoTasksAskForOnePrice(scheduler, new FixedPriceCache());
        }
    }
}
