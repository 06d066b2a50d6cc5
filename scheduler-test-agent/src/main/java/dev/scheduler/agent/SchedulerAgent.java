package dev.scheduler.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import net.bytebuddy.dynamic.loading.ClassInjector;

/**
 * The scheduler's test agent: with it on a test JVM's command line, plain blocking Java inside
 * tasks becomes steps of the scheduler. {@code Thread.sleep}, {@code LockSupport.parkNanos},
 * timed {@code Object.wait} and the timed waits of {@code java.util.concurrent} wait on the
 * scheduler's clock (virtual under a {@code TestScheduler}), and a task that a released monitor
 * lets in resumes at a place the seed decides.
 *
 * <p>Switch it on as Mockito's agent is, in the Surefire configuration:
 * <pre>{@code
 * <argLine>-javaagent:${dev.scheduler:scheduler-test-agent:jar}</argLine>
 * }</pre>
 * with the {@code maven-dependency-plugin}'s {@code properties} goal setting that path. It opens
 * {@code java.lang} and {@code jdk.internal.vm} to the application's classes, so the
 * {@code --add-opens} flag is not needed beside it.
 *
 * <p>It also rewrites the application's classes (those compiled into directories, such as
 * {@code target/test-classes}, unless {@code scheduler.agent.include} names others): preemption
 * points, where a {@code TestScheduler} with {@code preemption} on may switch tasks, and clock
 * reads, which read virtual time inside the tasks of a {@code TestScheduler} with
 * {@code virtualClockReads} on.
 *
 * <p>It changes nothing for threads that are not task bodies: the JDK asks the scheduler, and the
 * scheduler answers "use your own" for every other thread.
 */
/*
 * Implementation Overview
 * =======================
 *
 * Three steps, in this order, because each needs the one before:
 *   1. Put dev.scheduler.jdk.JdkHooks into the bootstrap class loader: the JDK classes we rewrite
 *      can only call classes there. Its bytes come from scheduler-core on the class path, so the
 *      scheduler and the JDK share the one copy (class loading delegates to the parent first).
 *      That must happen before anything loads JdkHooks from the class path; a -javaagent runs first.
 *   2. Let java.base read the bootstrap loader's unnamed module, where JdkHooks now is (a named
 *      module reads no unnamed one by default), and open java.lang (TaskThreads and ThreadWaits
 *      read the virtual thread's internals) and jdk.internal.vm (ThreadSnapshot names monitors in
 *      reports) to the system class loader's unnamed module, where the scheduler's classes live on
 *      a test class path.
 *   3. Rewrite the JDK (JdkInstrumentation), which fails the JVM's start if the JDK's internals
 *      are not the ones it was written for.
 *   4. Rewrite the application's classes as they load (ApplicationInstrumentation): preemption
 *      points, which cost one volatile read until a TestScheduler with preemption on installs its
 *      handler, and clock reads, which stay the system's unless a TestScheduler asks otherwise.
 */
public final class SchedulerAgent {

    private static final String HOOKS = "dev.scheduler.jdk.JdkHooks";
    private static final String POINTS = "dev.scheduler.jdk.PreemptionPoints";
    private static final String[] BRIDGE = {HOOKS, HOOKS + "$TaskTime", HOOKS + "$ApplicationClock", POINTS,
        POINTS + "$Handler", POINTS + "$Instrumenter"};

    private static boolean installed;

    private SchedulerAgent() {
    }

    /**
     * The entry point of {@code -javaagent}.
     *
     * @param arguments ignored
     * @param instrumentation the JVM's instrumentation
     */
    public static void premain(String arguments, Instrumentation instrumentation) {
        install(instrumentation);
    }

    /**
     * The entry point of a dynamic attach; it works only if nothing has loaded the scheduler's JDK
     * hooks yet.
     *
     * @param arguments ignored
     * @param instrumentation the JVM's instrumentation
     */
    public static void agentmain(String arguments, Instrumentation instrumentation) {
        install(instrumentation);
    }

    private static synchronized void install(Instrumentation instrumentation) {
        if (installed) {
            return;
        }
        Module hooks = injectBridge(instrumentation);
        openJavaBase(instrumentation, hooks);
        JdkInstrumentation.install(instrumentation);
        ApplicationInstrumentation.install(instrumentation);
        installed = true;
    }

    /** java.base reads the hooks' module, so that the rewritten JDK may call them, and opens itself to the scheduler. */
    private static void openJavaBase(Instrumentation instrumentation, Module hooks) {
        Module base = Object.class.getModule();
        Module application = ClassLoader.getSystemClassLoader().getUnnamedModule();
        instrumentation.redefineModule(base, Set.of(hooks), Map.of(),
                Map.of("java.lang", Set.of(application), "jdk.internal.vm", Set.of(application)), Set.of(), Map.of());
    }

    /** {@return the module the hooks landed in: the bootstrap class loader's unnamed module} */
    private static Module injectBridge(Instrumentation instrumentation) {
        for (Class<?> loaded : instrumentation.getAllLoadedClasses()) {
            if (loaded.getName().equals(HOOKS)) {
                throw new IllegalStateException("scheduler-test-agent: " + HOOKS + " was loaded (by " + loaded.getClassLoader()
                        + ") before the agent could place it where the JDK can call it. Start the agent with "
                        + "-javaagent on the JVM's command line rather than attaching it later.");
            }
        }
        ClassLoader source = SchedulerAgent.class.getClassLoader();
        Map<String, byte[]> classes = new LinkedHashMap<>();
        for (String name : BRIDGE) {
            String resource = name.replace('.', '/') + ".class";
            try (InputStream in = source.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("scheduler-test-agent: " + resource + " is not on the class path; "
                            + "the agent needs dev.scheduler:scheduler-core of the same version beside it");
                }
                classes.put(name, in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException("scheduler-test-agent could not read " + resource, e);
            }
        }
        try {
            Path folder = Files.createTempDirectory("scheduler-test-agent");
            folder.toFile().deleteOnExit();
            ClassInjector.UsingInstrumentation.of(folder.toFile(), ClassInjector.UsingInstrumentation.Target.BOOTSTRAP,
                    instrumentation).injectRaw(classes);
            try (Stream<Path> written = Files.list(folder)) {
                written.forEach(jar -> jar.toFile().deleteOnExit()); // deleted before the folder, registered earlier
            }
        } catch (IOException e) {
            throw new UncheckedIOException("scheduler-test-agent could not write the jar of its JDK hooks", e);
        }
        try {
            return Class.forName(HOOKS, false, null).getModule();
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("scheduler-test-agent: " + HOOKS + " is not in the bootstrap class loader "
                    + "after the agent put it there", e);
        }
    }
}
