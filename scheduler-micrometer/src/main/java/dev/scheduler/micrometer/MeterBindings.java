package dev.scheduler.micrometer;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The meters a binder registered, by registry, so that closing the binder removes each of them.
 */
final class MeterBindings {

    /** A registry bound to, and the ids registered with it. */
    private record Bound(MeterRegistry registry, List<Meter.Id> ids) {
    }

    private final List<Bound> bound = new CopyOnWriteArrayList<>();

    /** Starts recording what is registered with {@code registry}; {@return the list to add ids to} */
    List<Meter.Id> bind(MeterRegistry registry) {
        List<Meter.Id> ids = new ArrayList<>();
        bound.add(new Bound(registry, ids));
        return ids;
    }

    /** Removes every meter recorded, from the registry it was registered with. */
    void removeAll() {
        for (Bound binding : bound) {
            binding.ids().forEach(binding.registry()::remove);
        }
        bound.clear();
    }
}
