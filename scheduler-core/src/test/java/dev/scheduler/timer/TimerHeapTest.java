package dev.scheduler.timer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scheduler.Cancellable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The timer heap: deadline order, cancellation from any thread, and what a cancelled timer holds. */
class TimerHeapTest {

    private final TimerHeap heap = new TimerHeap();
    private final List<String> fired = new ArrayList<>();

    private Runnable record(String name) {
        return () -> fired.add(name);
    }

    private void fireDueBy(long now) {
        for (Runnable due = heap.pollDue(now); due != null; due = heap.pollDue(now)) {
            due.run();
        }
    }

    @Nested
    class Order {

        @Test
        void timersFireInDeadlineOrderThenInTheOrderTheyWereAdded() {
            heap.add(30, record("c"));
            heap.add(10, record("a"));
            heap.add(20, record("b1"));
            heap.add(20, record("b2"));

            fireDueBy(25);
            assertThat(fired).containsExactly("a", "b1", "b2");
            assertThat(heap.nextDeadline()).isEqualTo(30);
            fireDueBy(30);
            assertThat(fired).containsExactly("a", "b1", "b2", "c");
            assertThat(heap.nextDeadline()).isEqualTo(TimerHeap.NONE);
        }

        @Test
        void tenThousandTimersWithTiesAndCancellationsFireExactlyInDeadlineThenAdditionOrder() {
            SplittableRandom random = new SplittableRandom(11);
            List<long[]> expected = new ArrayList<>(); // {deadline, order} of every timer left pending
            List<Cancellable> added = new ArrayList<>();
            for (int order = 0; order < 10_000; order++) {
                long deadline = random.nextLong(0, 500); // many ties
                String name = deadline + "#" + order;
                added.add(heap.add(deadline, record(name)));
                expected.add(new long[] {deadline, order});
                if (random.nextInt(3) == 0) { // cancel an earlier one, enough to compact now and then
                    int victim = random.nextInt(added.size());
                    if (added.get(victim).cancel()) {
                        long[] gone = expected.stream().filter(e -> e[1] == victim).findFirst().orElseThrow();
                        expected.remove(gone);
                    }
                }
            }
            expected.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]));

            assertThat(heap.pending()).isEqualTo(expected.size());
            fireDueBy(250);
            fireDueBy(500);

            assertThat(fired).containsExactlyElementsOf(expected.stream().map(e -> e[0] + "#" + e[1]).toList());
            assertThat(heap.pending()).isZero();
        }

        @Test
        void deadlinesAreComparedByDifferenceSoSystemNanoTimeMayWrap() {
            long nearTheEnd = Long.MAX_VALUE - 5;
            heap.add(nearTheEnd + 10, record("after the wrap"));
            heap.add(nearTheEnd, record("before it"));

            fireDueBy(nearTheEnd + 10);

            assertThat(fired).containsExactly("before it", "after the wrap");
        }
    }

    @Nested
    class Cancellation {

        @Test
        void aCancelledTimerNeverFiresAndIsNoLongerPending() {
            Cancellable cancelled = heap.add(10, record("cancelled"));
            heap.add(20, record("kept"));

            assertThat(cancelled.cancel()).isTrue();
            assertThat(cancelled.cancel()).as("a second cancel").isFalse();
            assertThat(heap.pending()).isEqualTo(1);
            assertThat(heap.nextDeadline()).as("the cancelled one is skipped").isEqualTo(20);
            fireDueBy(100);
            assertThat(fired).containsExactly("kept");
        }

        @Test
        void aTimerThatFiredCannotBeCancelled() {
            Cancellable timer = heap.add(10, record("fired"));
            fireDueBy(10);

            assertThat(timer.cancel()).isFalse();
        }

        @Test
        void manyCancelledTimersAreCompactedAway() {
            List<Cancellable> timeouts = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                timeouts.add(heap.add(1_000_000 + i, record("timeout " + i)));
            }
            timeouts.forEach(Cancellable::cancel);
            heap.add(5, record("next"));

            assertThat(heap.pending()).isEqualTo(1);
            fireDueBy(Long.MAX_VALUE - 1);
            assertThat(fired).containsExactly("next");
        }

        @Test
        void dropAllReturnsTheStepsOfThePendingTimersOnly() {
            heap.add(10, record("a"));
            heap.add(20, record("b")).cancel();

            List<Runnable> dropped = heap.dropAll();

            assertThat(dropped).hasSize(1);
            assertThat(heap.pending()).isZero();
            assertThat(heap.nextDeadline()).isEqualTo(TimerHeap.NONE);
        }
    }
}
