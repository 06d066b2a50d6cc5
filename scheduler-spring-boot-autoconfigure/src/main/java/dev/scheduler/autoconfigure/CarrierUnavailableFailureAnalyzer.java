package dev.scheduler.autoconfigure;

import dev.scheduler.TaskThreads;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a JVM started without {@value TaskThreads#FLAG} as Spring Boot reports its own start-up
 * failures: what is wrong, and the lines to copy into the build for each way the application is
 * started.
 */
final class CarrierUnavailableFailureAnalyzer extends AbstractFailureAnalyzer<CarrierUnavailableException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, CarrierUnavailableException cause) {
        String n = System.lineSeparator();
        String action = "Start the JVM with " + TaskThreads.FLAG + "." + n
                + n
                + "    Tests (Surefire or Failsafe):" + n
                + "        <argLine>" + TaskThreads.FLAG + "</argLine>" + n
                + "    spring-boot:run:" + n
                + "        <jvmArguments>" + TaskThreads.FLAG + "</jvmArguments>" + n
                + "    An executable jar (maven-jar-plugin or spring-boot-maven-plugin <manifestEntries>):" + n
                + "        <Add-Opens>java.base/java.lang</Add-Opens>" + n
                + "    java -jar, by hand:" + n
                + "        java " + TaskThreads.FLAG + " -jar app.jar" + n
                + n
                + "Or, to start anyway with task bodies run as plain steps that fail when they park, set "
                + TaskThreads.REQUIRE_PROPERTY + "=false.";
        String description = "Task bodies cannot run on virtual threads carried by the scheduler, because the JVM "
                + "was started without " + TaskThreads.FLAG + " ("
                + TaskThreads.unavailableReason().orElse("the check failed") + "). A task body that waits for "
                + "another task (join, get) would fail, and one that sleeps or waits on a lock or a queue would hold "
                + "a worker thread, or under the TestScheduler the test's own thread, for the whole wait.";
        return new FailureAnalysis(description, action, cause);
    }
}
