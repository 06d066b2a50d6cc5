package dev.scheduler.autoconfigure;

import dev.scheduler.SpawnSiteFilter;

/**
 * Spring's frames, and this module's {@code TaskExecutor} and {@code TaskScheduler} adapters, are
 * never a task's spawn site: Spring's proxies stand between a bean and the executor, and the
 * adapters spawn on their caller's behalf, so the spawn site is the application's frame before
 * them. Registered through {@code META-INF/services}.
 */
public final class SpringSpawnSites implements SpawnSiteFilter {

    /** Creates the filter; {@link java.util.ServiceLoader} does. */
    public SpringSpawnSites() {
    }

    @Override
    public boolean isInfrastructure(Class<?> type) {
        return type.getName().startsWith("org.springframework.") || type == SchedulerTaskExecutor.class
                || type.getName().startsWith(SchedulerTaskScheduler.class.getName());
    }
}
