/**
 * Production dispatchers: the {@link dev.scheduler.Scheduler}s that run tasks on real threads.
 *
 * <ul>
 *   <li>{@link dev.scheduler.dispatch.Dispatcher}: what every dispatcher offers beyond the
 *       scheduler SPI, a lifecycle ({@code shutdown}, {@code awaitTermination},
 *       {@code shutdownNow}, {@code close}).
 *   <li>{@link dev.scheduler.dispatch.LinuxDispatcher} ({@code epoll}, {@code eventfd},
 *       {@code timerfd}), {@link dev.scheduler.dispatch.MacDispatcher} (Grand Central Dispatch),
 *       {@link dev.scheduler.dispatch.WindowsDispatcher} (the thread pool API) and
 *       {@link dev.scheduler.dispatch.PortableDispatcher} (the JDK only).
 *   <li>{@link dev.scheduler.dispatch.Dispatchers}: picks one for the operating system, falling
 *       back to the portable one when a native one cannot start.
 *   <li>{@link dev.scheduler.dispatch.DispatcherOptions}: threads, the main loop, the shutdown
 *       timeout, what receives failing steps.
 * </ul>
 *
 * <p>Natives are called through {@code java.lang.foreign}; no native library ships with the
 * module. JDK 25 warns on the first restricted call unless the JVM runs with
 * {@code --enable-native-access=ALL-UNNAMED} (or, for an executable jar, the manifest entry
 * {@code Enable-Native-Access: ALL-UNNAMED}).
 */
package dev.scheduler.dispatch;
