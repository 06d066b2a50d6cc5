package dev.scheduler;

import java.security.CodeSource;
import java.util.Objects;
import java.util.Set;

/**
 * Finds where a task was spawned: the first frame on the spawning stack that belongs to neither
 * this library (its core, its Spring {@code TaskExecutor}/{@code TaskScheduler} adapters) nor the
 * JDK nor Spring (whose proxies stand between a bean and our executor).
 */
final class SpawnSites {

    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
    private static final Object CORE_LOCATION = locationOf(SpawnSites.class);

    /** The Spring adapters that spawn on their caller's behalf: the caller is the spawn site. */
    private static final Set<String> BRIDGES = Set.of(
            "dev.scheduler.autoconfigure.SchedulerTaskExecutor", "dev.scheduler.autoconfigure.SchedulerTaskScheduler");

    private static final ClassValue<Boolean> INTERNAL = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            String name = type.getName();
            return name.startsWith("java.") || name.startsWith("jdk.") || name.startsWith("sun.")
                    || name.startsWith("org.springframework.")
                    || BRIDGES.contains(name)
                    || (CORE_LOCATION != null && Objects.equals(CORE_LOCATION, locationOf(type)));
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

    private static Object locationOf(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        return source == null ? null : source.getLocation();
    }
}
