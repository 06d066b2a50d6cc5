package dev.scheduler.autoconfigure;

import dev.scheduler.Scheduler;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;

/**
 * A {@link Clock} that reads a {@link Scheduler}'s time, so that code taking a {@code Clock} sees
 * the same time as the tasks it spawns: the system time in production, virtual time under a
 * {@code TestScheduler}.
 */
public final class SchedulerClock extends Clock {

    private final Scheduler scheduler;
    private final ZoneId zone;

    /**
     * Creates a clock reading {@code scheduler}'s time in {@code zone}.
     *
     * @param scheduler whose {@link Scheduler#now()} the clock reads
     * @param zone the zone for conversions to dates and times
     * @throws NullPointerException if an argument is null
     */
    public SchedulerClock(Scheduler scheduler, ZoneId zone) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.zone = Objects.requireNonNull(zone, "zone");
    }

    /** {@return the scheduler this clock reads} */
    public Scheduler scheduler() {
        return scheduler;
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    @Override
    public Clock withZone(ZoneId newZone) {
        return newZone.equals(zone) ? this : new SchedulerClock(scheduler, newZone);
    }

    @Override
    public Instant instant() {
        return scheduler.now();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SchedulerClock clock && clock.scheduler == scheduler && clock.zone.equals(zone);
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(scheduler) * 31 + zone.hashCode();
    }

    @Override
    public String toString() {
        return "SchedulerClock[" + scheduler.getClass().getSimpleName() + ", " + zone + "]";
    }
}
