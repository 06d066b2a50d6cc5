package dev.scheduler;

/**
 * Tells which stack frames belong to code that spawns tasks on its callers' behalf, so that a
 * task's spawn site names the caller instead: a framework's proxies and adapters, say. The core
 * skips the JDK's frames and its own; a library registers a filter for its own through
 * {@link java.util.ServiceLoader}, as the Spring Boot module does for Spring's proxies and its
 * {@code TaskExecutor} and {@code TaskScheduler} adapters:
 *
 * <pre>
 * META-INF/services/dev.scheduler.SpawnSiteFilter
 *     com.example.framework.FrameworkSpawnSites
 * </pre>
 *
 * <p>Filters are asked once per class, from the first spawn that records a spawn site on; they must
 * be quick and must not throw.
 */
@FunctionalInterface
public interface SpawnSiteFilter {

    /**
     * {@return whether frames of {@code type} are infrastructure, which a spawn site never names}
     *
     * @param type the class of a frame on the spawning stack
     */
    boolean isInfrastructure(Class<?> type);
}
