package dev.scheduler.agent;

import dev.scheduler.jdk.JdkHooks;
import dev.scheduler.jdk.PreemptionPoints;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.regex.Pattern;
import net.bytebuddy.description.field.FieldDescription;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDefinition;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.FieldVisitor;
import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.pool.TypePool;

/**
 * Rewrites the application's classes as they load, for the {@code TestScheduler}: it puts preemption
 * points ({@link PreemptionPoints}) before {@code monitorenter} and calls to synchronized methods,
 * before calls into {@code java.util.concurrent}, {@code VarHandle} and the collections, before
 * volatile field accesses and, once a scheduler asks for thorough points, before every plain field
 * and array access too; and it sends the application's clock reads through {@link JdkHooks}
 * ({@code System.currentTimeMillis()}, {@code System.nanoTime()}, {@code Instant.now()},
 * {@code Clock.systemUTC()}, {@code Clock.systemDefaultZone()} and the no-argument {@code now()}
 * of {@code java.time}'s date and time types, as calls and as method references), which read the
 * system clock unless a scheduler asks for virtual clock reads.
 *
 * <p>Which classes: those named by {@value #INCLUDE} (comma-separated patterns: {@code com.acme.**}
 * a package and those below it, {@code com.acme.*} one package, or a class name) or, when it is not
 * set, those loaded from a directory rather than a jar: the classes the build compiled, such as
 * {@code target/classes} and {@code target/test-classes}. Never those named by {@value #EXCLUDE},
 * the scheduler's own, the JDK's or class initializers. {@value #REWRITE}{@code =false} keeps
 * every application class as it is.
 */
/*
 * Implementation Overview
 * =======================
 *
 * A point is two instructions, "push the site's number; invokestatic PreemptionPoints.point(I)V",
 * put before the instruction it guards. They leave the operand stack as they found it and never
 * branch, so the stack map frames stay valid and only the maximum stack size is recomputed
 * (COMPUTE_MAXS, which loads no class). Class initializers get none: a task that stepped aside
 * inside one would hold its class's initialization lock, and a virtual thread that waits for that
 * lock pins its carrier, the TestScheduler's only thread.
 *
 * Whether a field is volatile or final, or a method synchronized, is in its declaring class: the
 * class being rewritten answers for itself, others come from a TypePool over the loader's class
 * files, walking up the superclasses. A member that cannot be resolved gets no point, except a
 * field in thorough mode, which is then taken to be plain.
 *
 * Thorough points are added on demand: the first scheduler that asks for them turns them on here
 * and every loaded class this instruments is retransformed, from its original class file.
 */
final class ApplicationInstrumentation implements ClassFileTransformer, PreemptionPoints.Instrumenter {

    /** The system property listing the classes to instrument; see the class comment. */
    static final String INCLUDE = "scheduler.agent.include";
    /** The system property listing the classes never to instrument. */
    static final String EXCLUDE = "scheduler.agent.exclude";
    /** The system property that, set to {@code false}, keeps every application class as it is. */
    static final String REWRITE = "scheduler.agent.rewrite";

    private static final String HOOK = "dev/scheduler/jdk/PreemptionPoints";
    private static final String CLOCKS = "dev/scheduler/jdk/JdkHooks";
    /**
     * The calls that go through JdkHooks, owner.name+descriptor to the hook's name: the clock reads,
     * and Thread.currentThread(), which is the platform thread a stand-in runs.
     */
    private static final Map<String, String> CLOCK_READS = Map.of(
            "java/lang/System.currentTimeMillis()J", "applicationCurrentTimeMillis",
            "java/lang/System.nanoTime()J", "applicationNanoTime",
            "java/time/Instant.now()Ljava/time/Instant;", "applicationInstant",
            "java/time/Clock.systemUTC()Ljava/time/Clock;", "applicationClockUtc",
            "java/time/Clock.systemDefaultZone()Ljava/time/Clock;", "applicationClockDefaultZone",
            "java/lang/Thread.currentThread()Ljava/lang/Thread;", "currentThread");
    /** The date and time types whose no-argument now() reads the default zone's system clock. */
    private static final Set<String> DATE_TIMES = Set.of("java/time/LocalDateTime", "java/time/LocalDate",
            "java/time/LocalTime", "java/time/ZonedDateTime", "java/time/OffsetDateTime", "java/time/OffsetTime",
            "java/time/Year", "java/time/YearMonth", "java/time/MonthDay");
    /** The scheduler's own packages, which are never instrumented. */
    private static final Set<String> LIBRARY_PACKAGES = Set.of("dev/scheduler", "dev/scheduler/agent",
            "dev/scheduler/autoconfigure", "dev/scheduler/cloud", "dev/scheduler/dispatch", "dev/scheduler/jcstress",
            "dev/scheduler/jdk", "dev/scheduler/micrometer", "dev/scheduler/test", "dev/scheduler/test/junit",
            "dev/scheduler/timer");
    private static final Set<String> COLLECTIONS = Set.of("Map", "Collection", "List", "Set", "Queue", "Deque",
            "SortedMap", "NavigableMap", "SortedSet", "NavigableSet", "Iterator", "ListIterator", "Vector", "Hashtable",
            "Stack", "Collections");

    private final Instrumentation instrumentation;
    private final Map<ClassLoader, TypePool> pools = new WeakHashMap<>();
    private volatile boolean thorough;
    private volatile Rules rules = Rules.of(null, null);

    ApplicationInstrumentation(Instrumentation instrumentation) {
        this.instrumentation = instrumentation;
    }

    /** Starts putting points into classes as they load, unless {@value #POINTS} is {@code false}. */
    static void install(Instrumentation instrumentation) {
        ApplicationInstrumentation transformer = new ApplicationInstrumentation(instrumentation);
        instrumentation.addTransformer(transformer, true);
        if (!"false".equalsIgnoreCase(System.getProperty(REWRITE))) {
            // With rewriting off, a scheduler that asks for preemption or virtual clock reads is told the agent is not there.
            PreemptionPoints.instrumentedBy(transformer);
        }
    }

    @Override
    public void addThoroughPoints() {
        thorough = true;
        List<Class<?>> rewritten = new ArrayList<>();
        for (Class<?> loaded : instrumentation.getAllLoadedClasses()) {
            if (instrumentation.isModifiableClass(loaded) && !loaded.isHidden() && !loaded.isArray()
                    && eligible(loaded.getName().replace('.', '/'), loaded.getClassLoader(), loaded.getProtectionDomain())) {
                rewritten.add(loaded);
            }
        }
        if (rewritten.isEmpty()) {
            return;
        }
        try {
            instrumentation.retransformClasses(rewritten.toArray(Class<?>[]::new));
        } catch (UnmodifiableClassException e) {
            throw new IllegalStateException("scheduler-test-agent could not add thorough preemption points to " + rewritten, e);
        }
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        // A named module reads no unnamed one, the bootstrap loader's where the hooks are, unless told;
        // its classes are left as they are.
        if (module != null && module.isNamed()) {
            return null;
        }
        return transform(loader, className, classBeingRedefined, protectionDomain, classfileBuffer);
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (className == null || !eligible(className, loader, protectionDomain)) {
            return null;
        }
        boolean withThoroughPoints = thorough;
        try {
            return rewrite(loader, classfileBuffer, withThoroughPoints);
        } catch (RuntimeException | LinkageError e) {
            Throwable failure = e;
            if (withThoroughPoints) {
                try {
                    // A method may have grown too large with a point before every access: keep the default points.
                    System.err.println("scheduler-test-agent: no thorough preemption points in "
                            + className.replace('/', '.') + ", only the default ones: " + e);
                    return rewrite(loader, classfileBuffer, false);
                } catch (RuntimeException | LinkageError again) {
                    failure = again;
                }
            }
            // The JVM would drop what a transformer throws; the class loads as it is, and we say why.
            System.err.println("scheduler-test-agent: no preemption points in " + className.replace('/', '.')
                    + ", which loads unchanged: " + failure);
            return null;
        }
    }

    // ---------------------------------------------------------------- which classes

    private boolean eligible(String className, ClassLoader loader, ProtectionDomain domain) {
        if ("false".equalsIgnoreCase(System.getProperty(REWRITE))) {
            return false;
        }
        Rules current = rules;
        String include = System.getProperty(INCLUDE);
        String exclude = System.getProperty(EXCLUDE);
        if (!current.sameAs(include, exclude)) {
            current = Rules.of(include, exclude);
            rules = current;
        }
        return current.eligible(className, loader, domain);
    }

    /** Loaded from a directory, not a jar: the build's own output, such as {@code target/test-classes}. */
    private static boolean compiledByTheBuild(ProtectionDomain domain) {
        CodeSource source = domain == null ? null : domain.getCodeSource();
        URL location = source == null ? null : source.getLocation();
        return location != null && "file".equals(location.getProtocol()) && location.getPath().endsWith("/");
    }

    /** Which classes get points: the include and exclude patterns, compiled, and the defaults. */
    record Rules(String include, String exclude, Pattern included, Pattern excluded) {

        static Rules of(String include, String exclude) {
            return new Rules(blankToNull(include), blankToNull(exclude), compile(include), compile(exclude));
        }

        /** {@return whether the class named {@code className} (internal form), loaded as given, gets points} */
        boolean eligible(String className, ClassLoader loader, ProtectionDomain domain) {
            if (loader == null || loader == ClassLoader.getPlatformClassLoader()) {
                return false;
            }
            int slash = className.lastIndexOf('/');
            if (LIBRARY_PACKAGES.contains(slash < 0 ? "" : className.substring(0, slash))) {
                return false;
            }
            String name = className.replace('/', '.');
            if (excludes(name) || name.startsWith("net.bytebuddy.")) {
                return false; // ByteBuddy, which does the rewriting, is never rewritten
            }
            return include == null ? compiledByTheBuild(domain) : includes(name);
        }

        boolean sameAs(String otherInclude, String otherExclude) {
            return java.util.Objects.equals(include, blankToNull(otherInclude))
                    && java.util.Objects.equals(exclude, blankToNull(otherExclude));
        }

        boolean includes(String name) {
            return included != null && included.matcher(name).matches();
        }

        boolean excludes(String name) {
            return excluded != null && excluded.matcher(name).matches();
        }

        private static String blankToNull(String text) {
            return text == null || text.isBlank() ? null : text.strip();
        }

        /** {@code a.b.**}: the package and below; {@code a.b.*}: the package; otherwise a class name. */
        private static Pattern compile(String patterns) {
            if (blankToNull(patterns) == null) {
                return null;
            }
            List<String> alternatives = new ArrayList<>();
            for (String pattern : patterns.split(",")) {
                String trimmed = pattern.strip();
                if (trimmed.isEmpty()) {
                    continue;
                }
                StringBuilder regex = new StringBuilder();
                for (int i = 0; i < trimmed.length(); i++) {
                    char c = trimmed.charAt(i);
                    if (c == '*' && i + 1 < trimmed.length() && trimmed.charAt(i + 1) == '*') {
                        regex.append(".*");
                        i++;
                    } else if (c == '*') {
                        regex.append("[^.]*");
                    } else {
                        regex.append(Pattern.quote(String.valueOf(c)));
                    }
                }
                alternatives.add(regex.toString());
            }
            return Pattern.compile(String.join("|", alternatives));
        }
    }

    // ---------------------------------------------------------------- the rewrite

    private byte[] rewrite(ClassLoader loader, byte[] original, boolean withThoroughPoints) {
        ClassReader reader = new ClassReader(original);
        Declarations own = Declarations.of(reader);
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        Resolver resolver = new Resolver(reader.getClassName(), own, pool(loader));
        reader.accept(new PointsInClass(writer, resolver, withThoroughPoints), 0);
        PreemptionPoints.rewritten(reader.getClassName().replace('/', '.'));
        return writer.toByteArray();
    }

    private TypePool pool(ClassLoader loader) {
        synchronized (pools) {
            // Weakly: the pool must not keep the loader that keys it.
            return pools.computeIfAbsent(loader, l -> TypePool.Default.of(ClassFileLocator.ForClassLoader.WeaklyReferenced.of(l)));
        }
    }

    /** The fields and methods a class declares, with their modifiers, read before it is rewritten. */
    private record Declarations(String superName, Map<String, Integer> fields, Map<String, Integer> methods) {

        static Declarations of(ClassReader reader) {
            Map<String, Integer> fields = new HashMap<>();
            Map<String, Integer> methods = new HashMap<>();
            reader.accept(new ClassVisitor(Opcodes.ASM9) {
                @Override
                public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
                    fields.put(name, access);
                    return null;
                }

                @Override
                public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                        String[] exceptions) {
                    methods.put(name + descriptor, access);
                    return null;
                }
            }, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
            return new Declarations(reader.getSuperName(), fields, methods);
        }
    }

    /** Answers whether a field is volatile or final and a method synchronized. */
    private static final class Resolver {

        static final int UNKNOWN = -1;

        private final String self;
        private final Declarations own;
        private final TypePool pool;

        Resolver(String self, Declarations own, TypePool pool) {
            this.self = self;
            this.own = own;
            this.pool = pool;
        }

        /** {@return the field's modifiers, or {@link #UNKNOWN}} */
        int field(String owner, String name) {
            if (owner.equals(self)) {
                Integer access = own.fields().get(name);
                if (access != null) {
                    return access;
                }
                owner = own.superName();
                if (owner == null) {
                    return UNKNOWN;
                }
            }
            return inHierarchy(owner, type -> {
                for (FieldDescription.InDefinedShape field : type.getDeclaredFields()) {
                    if (field.getName().equals(name)) {
                        return field.getModifiers();
                    }
                }
                return null;
            });
        }

        /** {@return whether the method is declared synchronized, as far as can be told} */
        boolean synchronizedMethod(String owner, String name, String descriptor) {
            if (owner.startsWith("[")) {
                return false;
            }
            if (owner.equals(self)) {
                Integer access = own.methods().get(name + descriptor);
                if (access != null) {
                    return (access & Opcodes.ACC_SYNCHRONIZED) != 0;
                }
                owner = own.superName();
                if (owner == null) {
                    return false;
                }
            }
            int access = inHierarchy(owner, type -> {
                for (MethodDescription.InDefinedShape method : type.getDeclaredMethods()) {
                    if (method.getInternalName().equals(name) && method.getDescriptor().equals(descriptor)) {
                        return method.getModifiers();
                    }
                }
                return null;
            });
            return access != UNKNOWN && Modifier.isSynchronized(access);
        }

        /**
         * {@return the modifiers {@code member} finds in {@code owner} or the first of its
         * superclasses where it finds any, or {@link #UNKNOWN} if none does or a class cannot be read}
         */
        private int inHierarchy(String owner, java.util.function.Function<TypeDescription, Integer> member) {
            try {
                for (TypeDefinition type = pool.describe(owner.replace('/', '.')).resolve(); type != null;
                        type = type.getSuperClass()) {
                    Integer found = member.apply(type.asErasure());
                    if (found != null) {
                        return found;
                    }
                }
            } catch (RuntimeException unresolved) {
                return UNKNOWN;
            }
            return UNKNOWN;
        }
    }

    /** Puts points into every method of one class but its initializer. */
    private static final class PointsInClass extends ClassVisitor {

        private final Resolver resolver;
        private final boolean thorough;
        private String className;
        private String source;

        PointsInClass(ClassVisitor next, Resolver resolver, boolean thorough) {
            super(Opcodes.ASM9, next);
            this.resolver = resolver;
            this.thorough = thorough;
        }

        @Override
        public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
            className = name.replace('/', '.');
            super.visit(version, access, name, signature, superName, interfaces);
        }

        @Override
        public void visitSource(String file, String debug) {
            source = file;
            super.visitSource(file, debug);
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                String[] exceptions) {
            MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
            if (next == null || (access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
                return next;
            }
            // A class initializer's clock reads are redirected too, but it gets no points.
            return new PointsInMethod(next, this, name, !name.equals("<clinit>"));
        }
    }

    /** Puts a point before each instruction that may race. */
    private static final class PointsInMethod extends MethodVisitor {

        private final PointsInClass owner;
        private final String method;
        private final boolean points;
        private int line;

        PointsInMethod(MethodVisitor next, PointsInClass owner, String method, boolean points) {
            super(Opcodes.ASM9, next);
            this.owner = owner;
            this.method = method;
            this.points = points;
        }

        @Override
        public void visitLineNumber(int line, Label start) {
            this.line = line;
            super.visitLineNumber(line, start);
        }

        @Override
        public void visitInsn(int opcode) {
            if (opcode == Opcodes.MONITORENTER) {
                point(PreemptionPoints.MONITOR, "synchronized");
            } else if (owner.thorough && opcode >= Opcodes.IALOAD && opcode <= Opcodes.SALOAD) {
                point(PreemptionPoints.FIELD, "an array read");
            } else if (owner.thorough && opcode >= Opcodes.IASTORE && opcode <= Opcodes.SASTORE) {
                point(PreemptionPoints.FIELD, "an array write");
            }
            super.visitInsn(opcode);
        }

        @Override
        public void visitFieldInsn(int opcode, String fieldOwner, String name, String descriptor) {
            int access = owner.resolver.field(fieldOwner, name);
            boolean read = opcode == Opcodes.GETFIELD || opcode == Opcodes.GETSTATIC;
            String field = simpleName(fieldOwner) + "." + name;
            if (access != Resolver.UNKNOWN && (access & Opcodes.ACC_VOLATILE) != 0) {
                point(PreemptionPoints.VOLATILE, (read ? "a volatile read of " : "a volatile write of ") + field);
            } else if (owner.thorough && (access == Resolver.UNKNOWN || (access & Opcodes.ACC_FINAL) == 0)) {
                point(PreemptionPoints.FIELD, (read ? "a read of " : "a write of ") + field);
            }
            super.visitFieldInsn(opcode, fieldOwner, name, descriptor);
        }

        @Override
        public void visitMethodInsn(int opcode, String callee, String name, String descriptor, boolean isInterface) {
            if (opcode == Opcodes.INVOKESTATIC) {
                String hook = CLOCK_READS.get(callee + "." + name + descriptor);
                if (hook != null) {
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, CLOCKS, hook, descriptor, false);
                    return;
                }
                if (name.equals("now") && descriptor.equals("()L" + callee + ";") && DATE_TIMES.contains(callee)) {
                    // now() is now(Clock.systemDefaultZone()): the same, on the clock that may be virtual
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, CLOCKS, "applicationClockDefaultZone", "()Ljava/time/Clock;", false);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, callee, "now", "(Ljava/time/Clock;)L" + callee + ";", false);
                    return;
                }
            }
            if (!callee.equals(HOOK)) {
                if (concurrencyCall(callee)) {
                    point(PreemptionPoints.CALL, "a call to " + simpleName(callee) + "." + name);
                } else if (opcode != Opcodes.INVOKEINTERFACE && !name.startsWith("<")
                        && owner.resolver.synchronizedMethod(callee, name, descriptor)) {
                    point(PreemptionPoints.MONITOR, "a call to synchronized " + simpleName(callee) + "." + name);
                }
            }
            super.visitMethodInsn(opcode, callee, name, descriptor, isInterface);
        }

        @Override
        public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrap, Object... arguments) {
            Object[] rewritten = arguments.clone();
            for (int i = 0; i < rewritten.length; i++) {
                if (rewritten[i] instanceof Handle handle && handle.getTag() == Opcodes.H_INVOKESTATIC) {
                    String hook = CLOCK_READS.get(handle.getOwner() + "." + handle.getName() + handle.getDesc());
                    if (hook != null) {
                        rewritten[i] = new Handle(Opcodes.H_INVOKESTATIC, CLOCKS, hook, handle.getDesc(), false);
                    }
                }
            }
            super.visitInvokeDynamicInsn(name, descriptor, bootstrap, rewritten);
        }

        private static boolean concurrencyCall(String callee) {
            if (callee.startsWith("java/util/concurrent/") || callee.equals("java/lang/invoke/VarHandle")) {
                return true;
            }
            if (!callee.startsWith("java/util/") || callee.indexOf('/', "java/util/".length()) >= 0) {
                return false;
            }
            String simple = callee.substring("java/util/".length());
            return COLLECTIONS.contains(simple) || simple.endsWith("Map") || simple.endsWith("List")
                    || simple.endsWith("Set") || simple.endsWith("Queue") || simple.endsWith("Deque");
        }

        private void point(int kind, String what) {
            if (!points) {
                return;
            }
            String where = owner.className + "." + method + "(" + (owner.source == null ? "Unknown Source"
                    : owner.source + (line > 0 ? ":" + line : "")) + "), before " + what;
            super.visitLdcInsn(PreemptionPoints.register(kind, where));
            super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOK, "point", "(I)V", false);
        }

        private static String simpleName(String internalName) {
            return internalName.substring(internalName.lastIndexOf('/') + 1);
        }
    }
}
