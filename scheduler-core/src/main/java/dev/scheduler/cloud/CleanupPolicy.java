package dev.scheduler.cloud;

/** What ending a session does about tasks that are still running without a {@code waitUntil}. */
public enum CleanupPolicy {

    /** Log them at {@code WARNING} and count a cleanup failure; they run on. */
    REPORT,

    /** Cancel them, then log them and count a cleanup failure. */
    CANCEL,

    /** Count a cleanup failure and throw {@link SessionCleanupException}; they run on. */
    FAIL
}
