/**
 * Spring Boot auto-configuration of the scheduler.
 *
 * <ul>
 *   <li>{@link dev.scheduler.autoconfigure.SchedulerAutoConfiguration}: the {@code Scheduler} (the
 *       native dispatcher, or a {@code TestScheduler} under the test profile), {@code Executor},
 *       {@code ForegroundExecutor}, {@code SimulatedExecutionContext} and a
 *       {@link dev.scheduler.autoconfigure.SchedulerClock}, configured by
 *       {@link dev.scheduler.autoconfigure.SchedulerProperties} ({@code scheduler.*}).
 *   <li>{@link dev.scheduler.autoconfigure.SchedulerTaskBridgeAutoConfiguration}: Spring's
 *       {@code @Scheduled} and {@code @Async} on the scheduler
 *       ({@link dev.scheduler.autoconfigure.SchedulerTaskScheduler},
 *       {@link dev.scheduler.autoconfigure.SchedulerTaskExecutor}), with
 *       {@code scheduler.spring.bridge=true}.
 *   <li>{@link dev.scheduler.autoconfigure.SchedulerMetricsAutoConfiguration},
 *       {@link dev.scheduler.autoconfigure.SchedulerEndpointAutoConfiguration},
 *       {@link dev.scheduler.autoconfigure.SchedulerHealthContributorAutoConfiguration}: Micrometer
 *       meters, the {@code scheduler} Actuator endpoint and a stalled-main-loop health indicator.
 *   <li>{@link dev.scheduler.autoconfigure.SchedulerTestExecutionListener} and
 *       {@link dev.scheduler.autoconfigure.SpringTestSchedulerSource}: tests of Spring applications
 *       on the context's {@code TestScheduler}, reseeded for each test and checked for leaks after it.
 * </ul>
 */
package dev.scheduler.autoconfigure;
