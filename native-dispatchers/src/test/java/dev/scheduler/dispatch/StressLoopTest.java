package dev.scheduler.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * The dispatcher suites in a loop, for the stress profile: {@code mvn -Pstress -pl native-dispatchers
 * -am verify} runs every suite {@code stress.runs} times (50) in one JVM and fails at the first run
 * with a failure, naming the run. A flaky dispatcher test is a bug; this is how one is caught.
 * Outside the profile it is skipped.
 */
class StressLoopTest {

    private static final int RUNS = Integer.getInteger("stress.runs", 0);

    @Test
    void theDispatcherSuitesPassManyTimesInARow() {
        assumeTrue(RUNS > 0, "runs only in the stress profile (-Pstress)");
        LauncherDiscoveryRequest suites = LauncherDiscoveryRequestBuilder.request().selectors(
                selectClass(WorkerPoolTest.class), selectClass(LinuxDispatcherTest.class),
                selectClass(PortableDispatcherTest.class), selectClass(NativePoolDispatcherTest.class),
                selectClass(SessionsOnDispatchersTest.class), selectClass(EventDispatchThreadTest.class)).build();
        Launcher launcher = LauncherFactory.create();
        for (int run = 1; run <= RUNS; run++) {
            SummaryGeneratingListener listener = new SummaryGeneratingListener();
            launcher.execute(suites, listener);
            TestExecutionSummary summary = listener.getSummary();
            StringWriter failures = new StringWriter();
            summary.printFailuresTo(new PrintWriter(failures), 40);
            assertThat(summary.getTotalFailureCount()).as("failures in run %d of %d:%n%s", run, RUNS, failures).isZero();
            assertThat(summary.getTestsSucceededCount()).as("tests that passed in run %d", run).isPositive();
            System.out.printf("stress run %d of %d: %d tests passed, %d skipped%n", run, RUNS,
                    summary.getTestsSucceededCount(), summary.getTestsSkippedCount());
        }
    }
}
