package dev.scheduler.test.junit;

import dev.scheduler.TaskThreads;
import dev.scheduler.test.Preemption;
import dev.scheduler.test.SeedRun;
import dev.scheduler.test.Seeds;
import dev.scheduler.test.TestScheduler;
import dev.scheduler.test.TestSchedulerConfig;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Provides one invocation per seed for {@link SchedulerTest} methods, each a {@link SeedRun}: on a
 * fresh scheduler, or on one a {@link TestSchedulerSource} supplies, reseeded. The run lives in its
 * invocation's store from parameter resolution to the end of the method. The first run's trace of
 * a determinism check lives in the method's store until its replay compares.
 */
final class SchedulerTestExtension implements TestTemplateInvocationContextProvider {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SchedulerTestExtension.class);
    private static final String RUN = "run";

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return context.getTestMethod().flatMap(method -> AnnotationSupport.findAnnotation(method, SchedulerTest.class)).isPresent();
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        Method method = context.getRequiredTestMethod();
        SchedulerTest settings = AnnotationSupport.findAnnotation(method, SchedulerTest.class).orElseThrow();
        if (settings.iterations() < 1) {
            throw new ExtensionConfigurationException("@SchedulerTest(iterations = " + settings.iterations()
                    + ") on " + method.getName() + " must run at least one seed");
        }
        requireCarrier(method);
        Seeds seeds = Seeds.resolve(settings.seed(), settings.iterations());
        return seeds.stream().boxed().flatMap(seed -> settings.checkDeterminism()
                ? Stream.of(new SeedInvocation(seed, settings, false), new SeedInvocation(seed, settings, true))
                : Stream.of(new SeedInvocation(seed, settings, false)));
    }

    /**
     * Fails the test at once, naming the JVM flag, when bodies cannot park: every seed would
     * otherwise fail on its own, or pass only because nothing parked.
     */
    private static void requireCarrier(Method method) {
        String required = System.getProperty(TaskThreads.REQUIRE_PROPERTY, "true");
        if (!required.equalsIgnoreCase("true") && !required.equalsIgnoreCase("false")) {
            throw new ExtensionConfigurationException("-D" + TaskThreads.REQUIRE_PROPERTY + " must be true or false, was '"
                    + required + "'");
        }
        if (required.equalsIgnoreCase("true")) {
            try {
                TaskThreads.requireAvailable("@SchedulerTest " + method.getName());
            } catch (IllegalStateException e) {
                throw new ExtensionConfigurationException(e.getMessage(), e);
            }
        }
    }

    /** One run of the test method with one seed. */
    private record SeedInvocation(long seed, SchedulerTest settings, boolean replay)
            implements TestTemplateInvocationContext {

        @Override
        public String getDisplayName(int invocationIndex) {
            return replay ? "seed=" + seed + " (replay)" : "seed=" + seed;
        }

        @Override
        public List<org.junit.jupiter.api.extension.Extension> getAdditionalExtensions() {
            return List.of(new SchedulerParameter(this), new EndOfRun(this));
        }

        TestSchedulerConfig config() {
            return TestSchedulerConfig.builder()
                    .seed(seed)
                    .allowParking(settings.allowParking())
                    .recordTrace(settings.checkDeterminism())
                    .preemption(Preemption.of(settings.preemption(), settings.preemptionDepth(),
                            settings.thoroughPreemption()))
                    .virtualClockReads(settings.virtualClockReads())
                    .adoptThreads(settings.adoptThreads())
                    .build();
        }

        String traceKey(ExtensionContext context) {
            return "trace:" + context.getRequiredTestMethod().toGenericString() + ":" + seed;
        }
    }

    /** Injects this invocation's scheduler, created on the thread that runs the test. */
    private record SchedulerParameter(SeedInvocation invocation) implements ParameterResolver {

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == TestScheduler.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            ExtensionContext.Store store = context.getStore(NAMESPACE);
            SeedRun run = store.get(RUN, SeedRun.class);
            if (run == null) {
                run = start(context);
                store.put(RUN, run);
            }
            return run.scheduler();
        }

        private SeedRun start(ExtensionContext context) {
            TestScheduler supplied = suppliedScheduler(context);
            if (supplied == null) {
                return SeedRun.fresh(invocation.config());
            }
            if (invocation.settings().checkDeterminism()) {
                throw new ExtensionConfigurationException("@SchedulerTest(checkDeterminism = true) needs a fresh "
                        + "scheduler per run, but " + context.getRequiredTestMethod().getName() + " runs on a shared "
                        + "one; a cached context carries state from run to run, so its traces cannot be compared");
            }
            Preemption asked = invocation.config().preemption();
            if (asked.isOn() && !asked.equals(supplied.config().preemption())) {
                throw new ExtensionConfigurationException("@SchedulerTest asks for preemption " + asked + ", but "
                        + context.getRequiredTestMethod().getName() + " runs on a shared scheduler with "
                        + supplied.config().preemption() + "; a shared scheduler's preemption is set where it is made: "
                        + "for a Spring context, with the scheduler.test.preemption.* properties");
            }
            if (invocation.settings().virtualClockReads() && !supplied.config().virtualClockReads()) {
                throw new ExtensionConfigurationException("@SchedulerTest asks for virtual clock reads, but "
                        + context.getRequiredTestMethod().getName() + " runs on a shared scheduler without them; set "
                        + "them where it is made: for a Spring context, scheduler.test.virtual-clock-reads=true");
            }
            SeedRun run = SeedRun.reseeded(supplied, invocation.seed());
            if (invocation.settings().allowParking()) {
                supplied.allowParking();
            }
            return run;
        }

        private static TestScheduler suppliedScheduler(ExtensionContext context) {
            for (TestSchedulerSource source : ServiceLoader.load(TestSchedulerSource.class)) {
                Optional<TestScheduler> scheduler = source.schedulerFor(context);
                if (scheduler.isPresent()) {
                    return scheduler.get();
                }
            }
            return null;
        }
    }

    /** Ends the run: endTest, the determinism comparison, and on failure the seed and its replay command. */
    private record EndOfRun(SeedInvocation invocation) implements InvocationInterceptor {

        @Override
        public void interceptTestTemplateMethod(Invocation<Void> call, ReflectiveInvocationContext<Method> method,
                ExtensionContext context) throws Throwable {
            Throwable failure = null;
            try {
                call.proceed();
            } catch (Throwable thrown) {
                failure = thrown;
            }
            SeedRun run = context.getStore(NAMESPACE).remove(RUN, SeedRun.class);
            if (run != null) {
                failure = run.end(failure);
                if (invocation.settings().allowParking()) {
                    run.scheduler().forbidParking();
                }
                if (failure == null && invocation.settings().checkDeterminism()) {
                    try {
                        compareTraces(run.scheduler(), context);
                    } catch (Throwable thrown) {
                        failure = thrown;
                    }
                }
            }
            if (failure != null) {
                throw SeedRun.verdict(invocation.seed(), failure, context.getRequiredTestClass().getName(),
                        context.getRequiredTestMethod().getName());
            }
        }

        private void compareTraces(TestScheduler scheduler, ExtensionContext context) {
            ExtensionContext.Store methodStore = context.getParent().orElseThrow().getStore(NAMESPACE);
            String key = invocation.traceKey(context);
            if (!invocation.replay()) {
                methodStore.put(key, scheduler.trace());
                return;
            }
            @SuppressWarnings("unchecked")
            List<String> first = methodStore.remove(key, List.class);
            if (first == null) {
                throw new ExtensionConfigurationException("The first run of seed " + invocation.seed()
                        + " did not complete, so its replay has nothing to compare with");
            }
            TestScheduler.assertSameTrace(invocation.seed(), first, scheduler.trace());
        }
    }
}
