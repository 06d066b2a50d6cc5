package dev.scheduler;

import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * Finds where a task was spawned: the first frame on the spawning stack that belongs to neither
 * this library's core nor the JDK, nor to code a {@link SpawnSiteFilter} calls infrastructure.
 *
 * <p>Implementation Overview: walking the stack costs a microsecond or more, several times what the
 * rest of a spawn costs under a {@code TestScheduler}, which captures spawn sites by default. Most
 * bodies are lambdas or method references, and each lambda expression is its own hidden class,
 * written where it is spawned. So the site of a lambda body written in the application's code is
 * found by a walk the first time that lambda is spawned, and remembered for its class: every later
 * spawn of it costs a {@code ClassValue} lookup. The one thing this gives up: a lambda created in one
 * place and spawned from several is reported at the first of them. Other bodies (named classes,
 * lambdas of infrastructure that spawns on the application's behalf) are walked every time.
 */
final class SpawnSites {

    /**
     * The core's packages. A frame is the core's own when its class is in one of them and comes from
     * where this class came from: a class of an application shaded into one jar with the core is not.
     */
    static final Set<String> CORE_PACKAGES = Set.of("dev.scheduler", "dev.scheduler.cloud", "dev.scheduler.jdk",
            "dev.scheduler.test", "dev.scheduler.test.junit", "dev.scheduler.timer");

    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
    private static final Object CORE_LOCATION = locationOf(SpawnSites.class);
    private static final List<SpawnSiteFilter> FILTERS = load();

    private static final ClassValue<Boolean> INTERNAL = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            String name = type.getName();
            if (name.startsWith("java.") || name.startsWith("jdk.") || name.startsWith("sun.")
                    || CORE_PACKAGES.contains(type.getPackageName()) && CORE_LOCATION != null
                            && Objects.equals(CORE_LOCATION, locationOf(type))) {
                return true;
            }
            for (SpawnSiteFilter filter : FILTERS) {
                if (filter.isInfrastructure(type)) {
                    return true;
                }
            }
            return false;
        }
    };

    /**
     * Per body class: the site where a lambda body of the application was first spawned, found by
     * walking that spawn's stack; or {@code null} for a class to walk at every spawn. One lookup per
     * spawn decides both.
     */
    private static final ClassValue<Optional<StackTraceElement>> FIRST_SITE = new ClassValue<>() {
        @Override
        protected Optional<StackTraceElement> computeValue(Class<?> type) {
            boolean applicationLambda = type.isHidden() && !INTERNAL.get(type.getNestHost());
            return applicationLambda ? Optional.ofNullable(caller()) : null;
        }
    };

    private SpawnSites() {
    }

    /** {@return where {@code body} is being spawned, or null if every frame is internal} */
    static StackTraceElement of(Object body) {
        Optional<StackTraceElement> first = FIRST_SITE.get(body.getClass());
        return first != null ? first.orElse(null) : caller();
    }

    /** {@return the spawning frame, or null if every frame is internal} */
    static StackTraceElement caller() {
        return WALKER.walk(frames -> frames
                .filter(frame -> !INTERNAL.get(frame.getDeclaringClass()))
                .findFirst()
                .map(StackWalker.StackFrame::toStackTraceElement)
                .orElse(null));
    }

    private static List<SpawnSiteFilter> load() {
        List<SpawnSiteFilter> filters = new ArrayList<>();
        ServiceLoader.load(SpawnSiteFilter.class, SpawnSites.class.getClassLoader()).forEach(filters::add);
        return List.copyOf(filters);
    }

    private static Object locationOf(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        return source == null ? null : source.getLocation();
    }
}
