package dev.scheduler;

import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;

/**
 * Finds where a task was spawned: the first frame on the spawning stack that belongs to neither
 * this library's core nor the JDK, nor to code a {@link SpawnSiteFilter} calls infrastructure.
 */
final class SpawnSites {

    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
    private static final Object CORE_LOCATION = locationOf(SpawnSites.class);
    private static final List<SpawnSiteFilter> FILTERS = load();

    private static final ClassValue<Boolean> INTERNAL = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            String name = type.getName();
            if (name.startsWith("java.") || name.startsWith("jdk.") || name.startsWith("sun.")
                    || CORE_LOCATION != null && Objects.equals(CORE_LOCATION, locationOf(type))) {
                return true;
            }
            for (SpawnSiteFilter filter : FILTERS) {
                if (filter.isInfrastructure(type)) {
                    return true;
                }
            }
            return false;
        }
    };

    private SpawnSites() {
    }

    /** {@return the spawning frame, or null if every frame is internal} */
    static StackTraceElement caller() {
        return WALKER.walk(frames -> frames
                .filter(frame -> !INTERNAL.get(frame.getDeclaringClass()))
                .findFirst()
                .map(StackWalker.StackFrame::toStackTraceElement)
                .orElse(null));
    }

    private static List<SpawnSiteFilter> load() {
        List<SpawnSiteFilter> filters = new ArrayList<>();
        ServiceLoader.load(SpawnSiteFilter.class, SpawnSites.class.getClassLoader()).forEach(filters::add);
        return List.copyOf(filters);
    }

    private static Object locationOf(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        return source == null ? null : source.getLocation();
    }
}
