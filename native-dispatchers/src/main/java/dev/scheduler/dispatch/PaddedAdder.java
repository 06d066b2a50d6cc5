package dev.scheduler.dispatch;

import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link LongAdder} whose base, the field one uncontended writer updates, shares no cache line
 * with the next object's: for counts that one side of a handoff writes for every step and the other
 * side's count sits beside, such as the steps offered and taken, or the tasks spawned and finished.
 * A plain LongAdder spreads into padded cells only once writers collide on the same count; two
 * counts written by two threads never collide, and so share a line for ever.
 */
@SuppressWarnings({"unused", "serial"})
final class PaddedAdder extends LongAdder {

    /** The padding: the base at the object's start, then a cache line and more of nothing. */
    private long p0, p1, p2, p3, p4, p5, p6, p7;
}
