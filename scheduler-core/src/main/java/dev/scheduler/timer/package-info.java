/**
 * Timers for {@link dev.scheduler.Scheduler} implementations: {@link dev.scheduler.timer.TimerHeap},
 * the cancellable deadline-ordered heap behind the {@code TestScheduler}'s virtual time and the
 * dispatchers' main loop.
 */
package dev.scheduler.timer;
