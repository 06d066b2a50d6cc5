package dev.scheduler.benchmarks;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Executor;

/**
 * Virtual threads on a chosen carrier, made directly through the JDK (as the library does inside),
 * so benchmarks can measure the floor under our own tasks.
 */
final class VirtualThreads {

    private static final MethodHandle NEW_VIRTUAL_THREAD;

    static {
        try {
            Class<?> builders = Class.forName("java.lang.ThreadBuilders");
            NEW_VIRTUAL_THREAD = MethodHandles.privateLookupIn(builders, MethodHandles.lookup()).findStatic(builders,
                    "newVirtualThread",
                    MethodType.methodType(Thread.class, Executor.class, String.class, int.class, Runnable.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError("Benchmarks need --add-opens java.base/java.lang=ALL-UNNAMED: " + e);
        }
    }

    private VirtualThreads() {
    }

    /**
     * Runs one continuation of {@code bag}, drawn uniformly at random and swap-removed: the bare
     * floor under a scheduler that draws its next step at random.
     */
    static void runOneAtRandom(List<Runnable> bag, SplittableRandom random) {
        int index = random.nextInt(bag.size());
        Runnable step = bag.get(index);
        Runnable last = bag.removeLast();
        if (index < bag.size()) {
            bag.set(index, last);
        }
        step.run();
    }

    /** Starts a virtual thread running {@code body} whose continuations go to {@code carrier}. */
    static Thread start(Executor carrier, Runnable body) {
        try {
            Thread thread = (Thread) NEW_VIRTUAL_THREAD.invokeExact(carrier, (String) null, 0, body);
            thread.start();
            return thread;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
