package dev.scheduler.autoconfigure;

import dev.scheduler.Scheduler;
import dev.scheduler.test.TestScheduler;
import dev.scheduler.test.junit.TestSchedulerSource;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.context.ApplicationContext;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.test.context.junit.jupiter.SpringExtension;
import org.springframework.util.ClassUtils;

/**
 * Lets {@code @SchedulerTest} run on a Spring test's application context: for a test class that
 * runs with Spring's {@code SpringExtension} (a {@code @SpringBootTest}, say) and whose context has
 * a {@code TestScheduler} bean, each seed reseeds that bean instead of creating a fresh scheduler.
 * Registered in {@code META-INF/services}; found by the {@code @SchedulerTest} extension.
 *
 * <pre>{@code
 * @SpringBootTest
 * @ActiveProfiles("test")
 * class CacheTest {
 *     @Autowired Executor executor;
 *
 *     @SchedulerTest(iterations = 50)
 *     void neverServesStaleEntries(TestScheduler scheduler) { ... }   // the context's scheduler, reseeded
 * }
 * }</pre>
 */
public final class SpringTestSchedulerSource implements TestSchedulerSource {

    // Without spring-test, as in a plain JUnit test of an application that has the starter, this
    // source must load and stay silent; SpringTests is touched only when Spring's test support is there.
    private static final boolean SPRING_TEST_PRESENT = ClassUtils.isPresent(
            "org.springframework.test.context.junit.jupiter.SpringExtension", SpringTestSchedulerSource.class.getClassLoader());

    /** Creates the source; {@link java.util.ServiceLoader} does. */
    public SpringTestSchedulerSource() {
    }

    @Override
    public Optional<TestScheduler> schedulerFor(ExtensionContext context) {
        if (!SPRING_TEST_PRESENT || context.getTestClass().isEmpty()) {
            return Optional.empty();
        }
        return SpringTests.schedulerFor(context);
    }

    /** What needs spring-test. */
    private static final class SpringTests {

        static Optional<TestScheduler> schedulerFor(ExtensionContext context) {
            if (!runsWithSpring(context.getRequiredTestClass())) {
                return Optional.empty();
            }
            ApplicationContext application = SpringExtension.getApplicationContext(context);
            Scheduler scheduler = application.getBeanProvider(Scheduler.class).getIfUnique();
            return scheduler == null ? Optional.empty() : scheduler.as(TestScheduler.class);
        }

        /** Whether the SpringExtension runs {@code type}: declared on it, or on its enclosing class for {@code @Nested}. */
        private static boolean runsWithSpring(Class<?> type) {
            for (Class<?> candidate = type; candidate != null;
                    candidate = candidate.isAnnotationPresent(Nested.class) ? candidate.getEnclosingClass() : null) {
                boolean extended = MergedAnnotations.from(candidate, MergedAnnotations.SearchStrategy.TYPE_HIERARCHY)
                        .stream(ExtendWith.class)
                        .anyMatch(extendWith -> Arrays.asList(extendWith.getClassArray("value")).contains(SpringExtension.class));
                if (extended) {
                    return true;
                }
            }
            return false;
        }
    }
}
