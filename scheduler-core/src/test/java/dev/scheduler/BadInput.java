package dev.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.scheduler.cloud.AbstractExecutionContext;
import dev.scheduler.cloud.CleanupPolicy;
import dev.scheduler.test.TestScheduler;
import dev.scheduler.test.TestSchedulerConfig;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * A bad-input table built from a type's public API by reflection, so that a method added later
 * cannot skip it. For every public constructor and method, and every parameter of reference type,
 * it calls the method with {@code null} there and valid values elsewhere, and expects a
 * {@link NullPointerException} whose message is the parameter's name; for every {@link Duration}
 * parameter it also passes a negative and a huge duration ({@code Duration.ofSeconds(Long.MAX_VALUE)},
 * which must be refused, not taken as "never") and expects an {@link IllegalArgumentException}
 * that names the parameter.
 *
 * <p>Parameters documented to take null are listed as {@code nullable("Type.method(parameter)")};
 * a parameter type the table has no valid value for fails the table, naming it.
 */
public final class BadInput {

    /** Gives a valid argument for a parameter of the receiver, or null when the table has none. */
    @FunctionalInterface
    public interface Values {

        /**
         * @param receiver the object the method is called on, or null for a constructor or static method
         * @param type the parameter's type
         * @return a valid value, or null if this table does not know one
         */
        Object valid(Object receiver, Class<?> type);
    }

    private static final Duration HUGE = Duration.ofSeconds(Long.MAX_VALUE);

    /** Object's own contract covers these: equals(null) is false, not an error. */
    static final Set<String> OBJECT_METHODS = Set.of("equals", "hashCode", "toString");

    private final Class<?> api;
    private final Supplier<?> receivers;
    private final List<Values> values = new ArrayList<>();
    private final Set<String> nullable = new java.util.HashSet<>();
    private final Set<String> skipped = new java.util.HashSet<>();

    private BadInput(Class<?> api, Supplier<?> receivers) {
        this.api = api;
        this.receivers = receivers;
        values.add(BadInput::common);
    }

    /**
     * A table for {@code api}, whose instance methods are called on fresh objects from
     * {@code receivers}.
     */
    public static BadInput forType(Class<?> api, Supplier<?> receivers) {
        return new BadInput(api, receivers);
    }

    /** Adds valid values for parameter types the common ones do not cover. */
    public BadInput with(Values more) {
        values.addFirst(more);
        return this;
    }

    /** Declares parameters that are documented to accept null, as {@code Type.method(parameter)}. */
    public BadInput nullable(String... parameters) {
        nullable.addAll(Arrays.asList(parameters));
        return this;
    }

    /** Leaves out methods the table cannot call meaningfully, as {@code Type.method}, each with its reason in the caller. */
    public BadInput skip(String... methods) {
        skipped.addAll(Arrays.asList(methods));
        return this;
    }

    /** {@return one dynamic test per bad argument of every public constructor and method of the type} */
    public Stream<DynamicTest> tests() {
        List<DynamicTest> tests = new ArrayList<>();
        List<Executable> executables = new ArrayList<>(Arrays.asList(api.getConstructors()));
        for (Method method : api.getMethods()) {
            if (!method.isSynthetic() && !method.isBridge() && method.getDeclaringClass().getName().startsWith("dev.scheduler")
                    && !OBJECT_METHODS.contains(method.getName())) {
                // Public methods may be declared by a package-private base class, as the dispatchers' are.
                method.setAccessible(true);
                executables.add(method);
            }
        }
        executables.sort(Comparator.comparing(BadInput::signature));
        for (Executable executable : executables) {
            String name = api.getSimpleName() + "." + (executable instanceof Constructor<?> ? "<init>" : executable.getName());
            if (skipped.contains(name)) {
                continue;
            }
            Parameter[] parameters = executable.getParameters();
            for (int i = 0; i < parameters.length; i++) {
                Parameter parameter = parameters[i];
                if (!parameter.isNamePresent()) {
                    throw new IllegalStateException(signature(executable) + " was compiled without -parameters");
                }
                String where = name + "(" + parameter.getName() + ")";
                int index = i;
                if (!parameter.getType().isPrimitive() && !nullable.contains(where)) {
                    tests.add(DynamicTest.dynamicTest(where + " = null", () -> expect(executable, index, null,
                            NullPointerException.class, message -> assertThat(message).isEqualTo(parameter.getName()))));
                }
                if (parameter.getType() == Duration.class) {
                    tests.add(DynamicTest.dynamicTest(where + " = negative", () -> expect(executable, index,
                            Duration.ofMillis(-1), IllegalArgumentException.class, message -> assertThat(message)
                                    .isEqualTo(parameter.getName() + " must not be negative, was PT-0.001S"))));
                    tests.add(DynamicTest.dynamicTest(where + " = huge", () -> expect(executable, index, HUGE,
                            IllegalArgumentException.class, message -> assertThat(message)
                                    .startsWith(parameter.getName() + " must be at most " + Scheduler.MAX_DELAY))));
                }
            }
        }
        return tests.stream();
    }

    private void expect(Executable executable, int index, Object bad, Class<? extends Throwable> expected,
            java.util.function.Consumer<String> message) throws Exception {
        boolean isStatic = executable instanceof Constructor<?> || Modifier.isStatic(executable.getModifiers());
        Object receiver = isStatic ? null : receivers.get();
        Object[] arguments = arguments(receiver, executable, index, bad);
        Throwable thrown = null;
        try {
            if (executable instanceof Constructor<?> constructor) {
                constructor.newInstance(arguments);
            } else {
                ((Method) executable).invoke(receiver, arguments);
            }
        } catch (InvocationTargetException e) {
            thrown = e.getCause();
        } finally {
            if (receiver instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
        if (thrown == null) {
            fail(signature(executable) + " accepted " + bad + " for " + executable.getParameters()[index].getName());
        }
        assertThat(thrown).isInstanceOf(expected);
        message.accept(thrown.getMessage());
    }

    private Object[] arguments(Object receiver, Executable executable, int index, Object bad) {
        Object[] arguments = new Object[executable.getParameterCount()];
        Class<?>[] types = executable.getParameterTypes();
        for (int i = 0; i < arguments.length; i++) {
            arguments[i] = i == index ? bad : validFor(receiver, types[i], executable, i);
        }
        return arguments;
    }

    private Object validFor(Object receiver, Class<?> type, Executable executable, int index) {
        for (Values table : values) {
            Object value = table.valid(receiver, type);
            if (value != null) {
                return value;
            }
        }
        if (type.isInterface()) {
            return inert(type);
        }
        throw new IllegalStateException("The bad-input table has no valid value of " + type.getName() + " for "
                + executable.getParameters()[index].getName() + " of " + signature(executable) + ": add one");
    }

    /** Valid values of the core's types, and of the JDK types its API takes. */
    static Object common(Object receiver, Class<?> type) {
        if (type == Scheduler.class) {
            return new TestScheduler();
        }
        if (type == Executor.class) {
            return new TestScheduler().background();
        }
        if (type == ForegroundExecutor.class) {
            return new TestScheduler().foreground();
        }
        if (type == TaskMetadata.class) {
            return new TaskMetadata(TaskId.next(), null, Priority.MEDIUM, null, null);
        }
        if (type == TaskId.class) {
            return TaskId.next();
        }
        if (type == SessionId.class) {
            return receiver instanceof AbstractExecutionContext context ? context.createSession()
                    : SessionId.next();
        }
        if (type == TestSchedulerConfig.class) {
            return TestSchedulerConfig.defaults();
        }
        if (type == CleanupPolicy.class) {
            return CleanupPolicy.FAIL;
        }
        if (type == List.class) {
            return List.of();
        }
        if (type == Throwable.class) {
            return new IllegalStateException("valid");
        }
        if (type == QueueDepths.class) {
            return QueueDepths.EMPTY;
        }
        if (type == StackTraceElement.class) {
            return new StackTraceElement("Valid", "valid", "Valid.java", 1);
        }
        if (type == Duration.class) {
            return Duration.ofSeconds(1);
        }
        if (type == TaskLabel.class) {
            return TaskLabel.of("valid");
        }
        if (type == Priority.class) {
            return Priority.MEDIUM;
        }
        if (type == Task.class) {
            return Task.ready(1);
        }
        if (type == CompletableFuture.class || type == Future.class || type == CompletionStage.class) {
            return CompletableFuture.completedFuture(1);
        }
        if (type == TimeUnit.class) {
            return TimeUnit.SECONDS;
        }
        if (type == String.class) {
            return "valid";
        }
        if (type == Class.class) {
            return Object.class;
        }
        if (type == Thread.class) {
            return Thread.currentThread();
        }
        if (type == Object.class) {
            return "valid";
        }
        if (type == int.class) {
            return 1;
        }
        if (type == long.class) {
            return 1L;
        }
        if (type == boolean.class) {
            return false;
        }
        return null;
    }

    /** An implementation of a callback interface that does nothing and returns defaults. */
    private static Object inert(Class<?> type) {
        return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> "inert " + type.getSimpleName();
                };
            }
            Class<?> returns = method.getReturnType();
            return returns == boolean.class ? Boolean.FALSE : returns == int.class ? 0 : returns == long.class ? 0L : null;
        });
    }

    private static String signature(Executable executable) {
        return executable.getDeclaringClass().getSimpleName() + "." + executable.getName()
                + Arrays.stream(executable.getParameterTypes()).map(Class::getSimpleName).toList();
    }

    /**
     * {@return valid arguments for calling {@code executable} on {@code receiver}, from the common
     * values and do-nothing callbacks} For tests that call every method of a kind in one way.
     */
    public static Object[] validArguments(Object receiver, Executable executable) {
        return new BadInput(executable.getDeclaringClass(), () -> receiver).arguments(receiver, executable, -1, null);
    }

    /** For tables that need one value made from the receiver. */
    public static <R> Values fromReceiver(Class<R> receiverType, Class<?> type, Function<R, Object> make) {
        return (receiver, wanted) -> wanted == type && receiverType.isInstance(receiver)
                ? make.apply(receiverType.cast(receiver)) : null;
    }
}
