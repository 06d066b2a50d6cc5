package dev.scheduler.clocks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scheduler.Executor;
import dev.scheduler.Task;
import dev.scheduler.test.TestScheduler;
import dev.scheduler.test.TestSchedulerConfig;
import dev.scheduler.test.junit.SchedulerTest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The application's own clock reads, rewritten by the agent: virtual inside the tasks of a
 * scheduler with virtual clock reads on, the system's everywhere else.
 */
class VirtualClockReadsTest {

    /** The README's example: a cache whose entries live ten minutes, by the system clock. */
    static final class TtlCache {
        private final java.util.Map<String, String> values = new java.util.concurrent.ConcurrentHashMap<>();
        private final java.util.Map<String, Long> stamps = new java.util.concurrent.ConcurrentHashMap<>();

        void put(String key, String value) {
            values.put(key, value);
            stamps.put(key, System.currentTimeMillis());
        }

        String get(String key) {
            Long stamp = stamps.get(key);
            return stamp == null || System.currentTimeMillis() - stamp >= Duration.ofMinutes(10).toMillis() ? null
                    : values.get(key);
        }
    }

    @Nested
    class WithVirtualClockReads {

        @SchedulerTest(virtualClockReads = true)
        void anEntryExpiresAfterItsTimeToLive(TestScheduler scheduler) {
            TtlCache cache = new TtlCache();
            Executor executor = scheduler.background();
            Task<List<String>> reads = executor.spawn(() -> {
                cache.put("k", "v");                              // stamps System.currentTimeMillis()
                executor.timer(Duration.ofMinutes(9)).join();     // nine minutes of virtual time, at once
                String fresh = cache.get("k");
                executor.timer(Duration.ofMinutes(1)).join();
                return java.util.Arrays.asList(fresh, cache.get("k")); // compared with System.currentTimeMillis()
            });

            assertThat(reads.join()).containsExactly("v", null);
        }

        @SchedulerTest(virtualClockReads = true)
        void everyClockReadInsideATaskIsTheSchedulersClock(TestScheduler scheduler) {
            Executor executor = scheduler.background();
            Task<List<Object>> readings = executor.spawn(() -> List.of(System.currentTimeMillis(), System.nanoTime(),
                    Instant.now(), Clock.systemUTC().instant(), Clock.systemDefaultZone().millis(), LocalDateTime.now(),
                    ZonedDateTime.now().toInstant(), LocalDate.now()));

            Instant now = scheduler.now();
            ZoneId zone = ZoneId.systemDefault();
            assertThat(readings.join()).containsExactly(now.toEpochMilli(), scheduler.nanoTime(), now, now,
                    now.toEpochMilli(), LocalDateTime.ofInstant(now, zone), now, LocalDate.ofInstant(now, zone));
        }

        @SchedulerTest(virtualClockReads = true)
        void timeMeasuredInsideATaskIsVirtualTimeToTheNanosecond(TestScheduler scheduler) {
            Executor executor = scheduler.background();
            Task<Duration> measured = executor.spawn(() -> {
                long start = System.nanoTime();
                Instant begun = Instant.now();
                executor.timer(Duration.ofHours(1)).join(); // an hour of virtual time, at once
                assertThat(Duration.between(begun, Instant.now())).isEqualTo(Duration.ofHours(1));
                return Duration.ofNanos(System.nanoTime() - start);
            });

            assertThat(measured.join()).isEqualTo(Duration.ofHours(1));
        }

        @SchedulerTest(virtualClockReads = true)
        void aClockObtainedOutsideATaskIsVirtualWhenATaskReadsIt(TestScheduler scheduler) {
            Clock clock = Clock.systemUTC(); // as a Spring bean would be, made at start-up
            Instant outside = clock.instant();
            Task<Instant> inside = scheduler.background().spawn(clock::instant);

            assertThat(inside.join()).isEqualTo(scheduler.now());
            assertThat(outside).isNotEqualTo(scheduler.now()); // the system's
        }

        @SchedulerTest(virtualClockReads = true)
        void methodReferencesToTheClockAreRewrittenToo(TestScheduler scheduler) {
            Task<Long> millis = scheduler.background().spawn(() -> {
                LongSupplier reference = System::currentTimeMillis;
                return reference.getAsLong();
            });
            Task<Instant> instant = scheduler.background().spawn(() -> {
                Supplier<Instant> reference = Instant::now;
                return reference.get();
            });

            assertThat(millis.join()).isEqualTo(scheduler.now().toEpochMilli());
            assertThat(instant.join()).isEqualTo(scheduler.now());
        }

        @SchedulerTest(virtualClockReads = true)
        void outsideTasksTheClockIsTheSystems(TestScheduler scheduler) {
            assertThat(Instant.now()).isNotEqualTo(scheduler.now());
            assertThat(System.currentTimeMillis()).isNotEqualTo(scheduler.now().toEpochMilli());
        }
    }

    @Nested
    class WithoutThem {

        @Test
        void aTaskReadsTheSystemClockByDefault() throws Exception {
            TestScheduler.run(TestSchedulerConfig.defaults(), scheduler -> {
                long before = System.currentTimeMillis();
                Task<Long> inside = scheduler.background().spawn(() -> System.currentTimeMillis());
                long read = inside.join();
                long after = System.currentTimeMillis();
                assertThat(read).isBetween(before, after);
            });
        }
    }
}
