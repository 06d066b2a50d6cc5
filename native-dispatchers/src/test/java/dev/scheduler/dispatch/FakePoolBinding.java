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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An operating system's thread pool, played by JDK executors, so that the Java logic of the macOS
 * and Windows dispatchers runs on any system. It keeps the score the real bindings cannot: which
 * priorities were asked for, and whether each native timer handle was released exactly once.
 */
final class FakePoolBinding implements PoolBinding, AutoCloseable {

    /** How the fake behaves: like GCD (timers without handles, a main queue) or like Windows. */
    enum Flavour { GCD, WINDOWS }

    private final Flavour flavour;
    private final boolean earlyTimers;
    private final ExecutorService pool = Executors.newFixedThreadPool(2, Thread.ofPlatform().name("fake-pool-", 1).daemon(true).factory());
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("fake-timer").daemon(true).factory());
    private final ExecutorService main;
    private final Thread mainThread;
    private final AtomicLong handles = new AtomicLong();
    private final Map<Long, ScheduledFuture<?>> armed = new ConcurrentHashMap<>();
    private final Set<Long> released = ConcurrentHashMap.newKeySet();
    final ConcurrentLinkedQueue<Priority> submitted = new ConcurrentLinkedQueue<>();
    final Semaphore rearms = new Semaphore(0);
    final AtomicInteger doubleReleases = new AtomicInteger();
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

    @Override
    public void submit(Priority priority, long context) {
        submitted.add(priority);
        pool.execute(() -> NativePool.run(context));
    }

    @Override
    public boolean hasMainQueue() {
        return flavour == Flavour.GCD;
    }

    @Override
    public void submitMain(long context) {
        main.execute(() -> NativePool.run(context));
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
        long id = flavour == Flavour.GCD ? 0 : handle != 0 ? handle : handles.incrementAndGet();
        if (handle != 0) {
            rearms.release();
        }
        long delay = earlyTimers && handle == 0 ? 0 : delayNanos;
        ScheduledFuture<?> future = timers.schedule(() -> NativePool.run(context), delay, TimeUnit.NANOSECONDS);
        if (id != 0) {
            armed.put(id, future);
        }
        return id;
    }

    @Override
    public void releaseTimer(long handle, boolean cancel) {
        if (flavour == Flavour.GCD) {
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
