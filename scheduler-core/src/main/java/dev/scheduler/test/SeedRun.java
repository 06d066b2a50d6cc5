package dev.scheduler.test;

import dev.scheduler.TaskThreads;
import java.util.List;
import java.util.Objects;

/**
 * One run of a test under one seed, from its scheduler to its verdict: the lifecycle that
 * {@link TestScheduler#many}, {@link TestScheduler#withSeed}, the {@code @SchedulerTest} extension
 * and the Spring test listener share, written once.
 *
 * <ol>
 *   <li>The run gets its scheduler: a {@linkplain #fresh fresh} one, or a shared one (a cached
 *       Spring context's) {@linkplain #reseeded reseeded}.
 *   <li>The test runs on it.
 *   <li>{@link #end(Throwable)} runs until parked and adds what {@link TestScheduler#endTest()}
 *       finds to what the test threw, and, when preemption switched tasks, the switches.
 *   <li>{@link #verdict(long, Throwable, String, String)} turns a failure into {@code Failing seed: N}
 *       with the command that replays it, printed too; a test abort (a failed assumption) stays as
 *       it is, so that it skips the seed.
 * </ol>
 */
public final class SeedRun {

    private final TestScheduler scheduler;
    private final boolean fresh;

    private SeedRun(TestScheduler scheduler, boolean fresh) {
        this.scheduler = scheduler;
        this.fresh = fresh;
    }

    /**
     * {@return a run on a new scheduler configured by {@code config}, owned by the calling thread}
     *
     * @param config the configuration, seed included
     */
    public static SeedRun fresh(TestSchedulerConfig config) {
        TestScheduler scheduler = new TestScheduler(Objects.requireNonNull(config, "config"));
        if (scheduler.adoptsThreads()) {
            // Until the run ends, plain threads the test starts on its own thread are the scheduler's
            // tasks too, so that a program's main that starts and joins threads runs on it unmodified.
            TaskThreads.adoptThreadsStartedOn(scheduler.thread(), scheduler.background());
        }
        return new SeedRun(scheduler, true);
    }

    /**
     * {@return a run on {@code shared}, reseeded with {@code seed}: the clock, pending work and tasks
     * carry on, the random generator and the trace start again}
     *
     * @param shared a scheduler that outlives the run, such as a cached Spring context's
     * @param seed the seed
     */
    public static SeedRun reseeded(TestScheduler shared, long seed) {
        Objects.requireNonNull(shared, "shared").reseed(seed);
        return new SeedRun(shared, false);
    }

    /** {@return the scheduler the test runs on} */
    public TestScheduler scheduler() {
        return scheduler;
    }

    /** {@return the seed of this run} */
    public long seed() {
        return scheduler.seed();
    }

    /**
     * Ends the run: runs until parked, checks what {@link TestScheduler#endTest()} checks, and
     * closes a fresh scheduler.
     *
     * @param failure what the test threw, or null
     * @return what failed: {@code failure} with what the end found suppressed in it, or what the end
     *     found, or null if nothing failed; with the switches preemption took suppressed in it too
     */
    public Throwable end(Throwable failure) {
        Throwable outcome = failure;
        try {
            scheduler.endTest();
        } catch (RuntimeException | Error found) {
            if (outcome == null) {
                outcome = found;
            } else {
                outcome.addSuppressed(found);
            }
        } finally {
            if (outcome != null && scheduler.switchCount() > 0) {
                outcome.addSuppressed(new SwitchesTaken(scheduler));
            }
            if (fresh) {
                TaskThreads.stopAdoptingThreadsStartedOn(scheduler.thread(), scheduler.background());
                scheduler.close();
            }
        }
        return outcome;
    }

    /**
     * {@return what to throw for a run of {@code seed} that failed with {@code failure}: a test abort
     * as it is, so that it skips the seed; anything else as {@link Seeds#failingSeed}, which is
     * printed to the error stream too, so that the seed reaches the build log even if a caller
     * rewraps it}
     *
     * @param seed the seed of the run
     * @param failure what the run failed with
     * @param testClass the test class's name, or null if unknown
     * @param testMethod the test method's name, or null if unknown
     */
    public static Throwable verdict(long seed, Throwable failure, String testClass, String testMethod) {
        Objects.requireNonNull(failure, "failure");
        if (Seeds.isTestAbort(failure)) {
            return failure;
        }
        System.err.println(Seeds.failureMessage(seed, testClass, testMethod));
        return Seeds.failingSeed(seed, testClass, testMethod, failure);
    }

    // ---------------------------------------------------------------- the convenience forms

    /**
     * Runs {@code body} once on a fresh scheduler and ends the run; {@return the trace, if the
     * configuration records one}
     *
     * @throws Exception what the body threw, with what the end found suppressed in it, or what the
     *     end found
     */
    static List<String> runOnce(TestSchedulerConfig config, TestScheduler.Body body) throws Exception {
        SeedRun run = fresh(config);
        Throwable failure = null;
        try {
            body.run(run.scheduler());
        } catch (Exception | Error thrown) {
            failure = thrown;
        }
        List<String> trace = run.scheduler().trace();
        rethrow(run.end(failure));
        return trace;
    }

    /** Runs {@code body} with {@code config}, twice with the traces compared if it checks determinism. */
    static void run(TestSchedulerConfig config, TestScheduler.Body body) throws Exception {
        if (!config.checkDeterminism()) {
            runOnce(config, body);
            return;
        }
        TestSchedulerConfig traced = config.toBuilder().recordTrace(true).build();
        List<String> first = runOnce(traced, body);
        List<String> second = runOnce(traced, body);
        TestScheduler.assertSameTrace(config.seed(), first, second);
    }

    /** Runs {@code body} once per seed of {@code seeds}, stopping at the first that fails, with its verdict. */
    static void many(Seeds seeds, TestSchedulerConfig template, TestScheduler.Body body) throws Exception {
        StackWalker.StackFrame caller = StackWalker.getInstance().walk(frames -> frames
                .filter(frame -> !frame.getClassName().equals(TestScheduler.class.getName())
                        && !frame.getClassName().equals(SeedRun.class.getName()))
                .findFirst().orElse(null));
        String testClass = caller == null ? null : caller.getClassName();
        String testMethod = caller == null ? null : testMethodOf(caller);
        for (long seed : seeds.stream().toArray()) {
            TestSchedulerConfig config = template.toBuilder().seed(seed).build();
            try {
                run(config, body);
            } catch (Exception | Error failure) {
                rethrow(verdict(seed, failure, testClass, testMethod));
            }
        }
    }

    /** The test method a frame belongs to: for a lambda {@code lambda$name$0}, the method it is in. */
    private static String testMethodOf(StackWalker.StackFrame frame) {
        String name = frame.getMethodName();
        if (name.startsWith("lambda$")) {
            int end = name.indexOf('$', "lambda$".length());
            return end < 0 ? name : name.substring("lambda$".length(), end);
        }
        return name;
    }

    /**
     * The switches preemption took in a failed run, in order, so that a person can read the
     * interleaving that broke the code: added to the failure, as a suppressed exception.
     */
    static final class SwitchesTaken extends RuntimeException {

        SwitchesTaken(TestScheduler scheduler) {
            super(describe(scheduler), null, false, false);
        }

        private static String describe(TestScheduler scheduler) {
            List<Preemption.Switch> switches = scheduler.switches();
            long count = scheduler.switchCount();
            StringBuilder out = new StringBuilder("Preemption, ").append(scheduler.config().preemption())
                    .append(", switched tasks ").append(count).append(count == 1 ? " time" : " times")
                    .append(" in seed ").append(scheduler.seed()).append(":");
            for (int i = 0; i < switches.size(); i++) {
                out.append(System.lineSeparator()).append("  ").append(i + 1).append(". ").append(switches.get(i));
            }
            if (count > switches.size()) {
                out.append(System.lineSeparator()).append("  ... and ").append(count - switches.size()).append(" more");
            }
            return out.toString();
        }
    }

    private static void rethrow(Throwable failure) throws Exception {
        if (failure == null) {
            return;
        }
        if (failure instanceof Exception exception) {
            throw exception;
        }
        throw (Error) failure;
    }
}
