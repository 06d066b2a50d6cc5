package dev.scheduler.dispatch;

import dev.scheduler.Priority;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An operating system's thread pool, played by JDK executors, so that the Java logic of the macOS
 * and Windows dispatchers runs on any system. It behaves as the real systems do where that matters
 * to the logic, and keeps the score they cannot:
 *
 * <ul>
 *   <li>its threads have no context class loader and a name of their own, as threads the JVM
 *       attaches for an upcall do;
 *   <li>an exception that escapes an upcall is counted ({@link #escapedUpcalls}), where FFM would
 *       end the JVM;
 *   <li>a NULL timer handle, or a handle already released, is refused as the system would crash on
 *       it ({@link #badHandles}), and every handle must be released exactly once
 *       ({@link #doubleReleases});
 *   <li>which priorities were asked for, and how often a timer was re-armed.
 * </ul>
 */
final class FakePoolBinding implements PoolBinding, AutoCloseable {

    /** How the fake behaves: like GCD (a main queue) or like Windows (none). */
    enum Flavour { GCD, WINDOWS }

    private final Flavour flavour;
    private final boolean earlyTimers;
    private final ExecutorService pool = Executors.newFixedThreadPool(2, attached("fake-pool-"));
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(attached("fake-timer-"));
    private final ExecutorService main;
    private final Thread mainThread;
    private final AtomicLong handles = new AtomicLong();
    private final Map<Long, ScheduledFuture<?>> armed = new ConcurrentHashMap<>();
    private final Set<Long> released = ConcurrentHashMap.newKeySet();
    final ConcurrentLinkedQueue<Priority> submitted = new ConcurrentLinkedQueue<>();
    final Semaphore rearms = new Semaphore(0);
    final AtomicInteger doubleReleases = new AtomicInteger();
    final AtomicInteger badHandles = new AtomicInteger();
    final AtomicInteger escapedUpcalls = new AtomicInteger();
    /** The context of the timer armed last, so that a test can play its callback late. */
    volatile long lastTimerContext;

    /**
     * @param earlyTimers whether a new timer first calls back at once, long before its deadline, as
     *     a coarse system timer may call back early
     */
    FakePoolBinding(Flavour flavour, boolean earlyTimers) {
        this.flavour = flavour;
        this.earlyTimers = earlyTimers;
        Thread[] thread = new Thread[1];
        this.main = Executors.newSingleThreadExecutor(runnable -> thread[0] = Thread.ofPlatform().name("fake-main")
                .daemon(true).unstarted(runnable));
        try {
            main.submit(() -> { }).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        this.mainThread = thread[0];
    }

    /** Threads as the JVM attaches them for upcalls: daemon, a name of their own, no context class loader. */
    private static ThreadFactory attached(String prefix) {
        ThreadFactory threads = Thread.ofPlatform().name(prefix, 1).daemon(true).factory();
        return runnable -> {
            Thread thread = threads.newThread(runnable);
            thread.setContextClassLoader(null);
            return thread;
        };
    }

    /** Calls the trampoline as the system would; with FFM, an exception escaping here ends the JVM. */
    private void upcall(long context) {
        try {
            NativePool.run(context);
        } catch (Throwable escaped) {
            escapedUpcalls.incrementAndGet();
        }
    }

    @Override
    public void submit(Priority priority, long context) {
        submitted.add(priority);
        pool.execute(() -> upcall(context));
    }

    @Override
    public boolean hasMainQueue() {
        return flavour == Flavour.GCD;
    }

    @Override
    public void submitMain(long context) {
        main.execute(() -> upcall(context));
    }

    @Override
    public boolean isMainThread() {
        // As pthread_main_np: true on the main thread, and in a virtual thread it carries.
        return Thread.currentThread() == mainThread || Thread.currentThread().isVirtual()
                && DispatcherContract.carrierOf(Thread.currentThread()).equals(mainThread.getName());
    }

    @Override
    public long armTimer(long handle, long delayNanos, long context) {
        lastTimerContext = context;
        if (handle != 0 && released.contains(handle)) {
            badHandles.incrementAndGet(); // re-arming a released timer: a use after free
        }
        long id = handle != 0 ? handle : handles.incrementAndGet();
        if (handle != 0) {
            rearms.release();
        }
        long delay = earlyTimers && handle == 0 ? 0 : delayNanos;
        ScheduledFuture<?> future = timers.schedule(() -> upcall(context), delay, TimeUnit.NANOSECONDS);
        armed.put(id, future);
        return id;
    }

    @Override
    public void releaseTimer(long handle, boolean cancel) {
        if (handle == 0) {
            badHandles.incrementAndGet(); // a NULL PTP_TIMER or dispatch source: the system would crash
            return;
        }
        if (!released.add(handle)) {
            doubleReleases.incrementAndGet();
        }
        ScheduledFuture<?> future = armed.remove(handle);
        if (cancel && future != null) {
            future.cancel(false);
        }
    }

    /** {@return how many native timers are armed and not yet released} */
    int armedTimers() {
        return armed.size();
    }

    @Override
    public void close() {
        pool.shutdownNow();
        timers.shutdownNow();
        main.shutdownNow();
    }
}
