package dev.scheduler.dispatch;

import dev.scheduler.TaskMetadata;

/** A queued step and the task it belongs to, kept so that a dropped step can be reported by task. */
record Step(Runnable runnable, TaskMetadata meta) {
}
