package dev.scheduler;

/**
 * What the Lincheck model checks share: plain checks, since assertion libraries call back into
 * the model checker's instrumentation, and joins that turn an interrupt into a failure.
 */
public final class ModelChecks {

    private ModelChecks() {
    }

    /** Fails with {@code what} unless {@code holds}. */
    public static void check(boolean holds, String what) {
        if (!holds) {
            throw new AssertionError(what);
        }
    }

    /** Waits for {@code thread} to end. */
    public static void join(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
