package dev.scheduler.jdk;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The points where the JDK's own code calls back into the scheduler, once the scheduler's test
 * agent ({@code scheduler-test-agent}) has instrumented it. Without the agent nothing calls these
 * methods and {@link #instrumented()} is false.
 *
 * <p>The agent loads this class into the bootstrap class loader, because {@code java.lang} and
 * {@code java.util.concurrent} can only see classes there; the scheduler's own classes resolve it
 * from there too, so both sides share one set of fields. That is why it refers to nothing but JDK
 * types and its own nested {@link TaskTime}, and why it keeps no more than counters and one hook.
 *
 * <p>The application's classes that the agent rewrites read the clock through
 * {@link #applicationCurrentTimeMillis()}, {@link #applicationNanoTime()},
 * {@link #applicationInstant()} and the {@code applicationClock*} methods, which are the system's
 * clock except inside the tasks of a scheduler that asks for virtual clock reads.
 *
 * <p>What the instrumented JDK does with it:
 * <ul>
 *   <li>timed parks of virtual threads ({@code Thread.sleep}, {@code LockSupport.parkNanos}, the
 *       timed waits of {@code java.util.concurrent}, timed {@code Object.wait}) and
 *       {@code CompletableFuture.orTimeout}/{@code completeOnTimeout} ask {@link #schedule} and
 *       {@link #arrangeTimeout} first, so that a task's timeouts are timers on its scheduler;
 *   <li>the clock reads of those waits go through {@link #nanoTime()} and
 *       {@link #currentTimeMillis()}, so that a task under a virtual clock measures what is left
 *       of its wait on that clock;
 *   <li>the JDK's {@code VirtualThread-unblocker} thread, which resumes virtual threads that a
 *       released monitor lets in, counts each hand-off it has begun and not yet delivered
 *       ({@link #unblocksInFlight()}), and each time a virtual thread unmounts to wait for a monitor
 *       is counted ({@link #monitorWaits()}): a scheduler that orders steps waits for those
 *       hand-offs before it draws the next step.
 * </ul>
 */
public final class JdkHooks {

    /**
     * How a test JVM switches the agent on, for messages: the agent as a test dependency, and on the
     * test JVM's command line.
     */
    public static final String SWITCH = "add dev.scheduler:scheduler-test-agent as a test dependency and "
            + "-javaagent:${dev.scheduler:scheduler-test-agent:jar} to the Surefire <argLine>, as the README's "
            + "\"Blocking inside a task\" shows";

    /** What the scheduler answers for a thread: its clock, and a timer on its scheduler. */
    public interface TaskTime {

        /**
         * {@return the monotonic time, in nanoseconds, that timed waits on {@code thread} measure:
         * the scheduler's clock for a task's body, {@code System.nanoTime()} otherwise}
         *
         * @param thread the thread that waits, the calling one
         */
        long nanoTime(Thread thread);

        /**
         * {@return the wall time, in milliseconds since the epoch, that absolute deadlines on
         * {@code thread} ({@code LockSupport.parkUntil}, {@code Condition.awaitUntil}) are measured
         * against: the scheduler's clock for a task's body, {@code System.currentTimeMillis()}
         * otherwise}
         *
         * @param thread the thread that waits, the calling one
         */
        long currentTimeMillis(Thread thread);

        /**
         * Runs {@code command} after {@code delayNanos} on the scheduler of the task whose body runs on
         * {@code thread}.
         *
         * @param thread a task's body, or any other thread
         * @param command what the JDK runs when the wait times out
         * @param delayNanos how long, in nanoseconds
         * @return the timer, or null if {@code thread} is not a task's body (or its scheduler
         *     refused the timer): the JDK then keeps the wait on its own clock
         */
        ScheduledFuture<?> schedule(Thread thread, Runnable command, long delayNanos);

        /**
         * {@return the instant that the application's own clock reads on {@code thread} see: its
         * scheduler's clock for the body of a task whose scheduler reads the application's clock
         * virtually, or null for the system clock}
         *
         * @param thread the thread that reads the clock, the calling one
         */
        Instant applicationNow(Thread thread);

        /**
         * {@return the monotonic time the application's own {@code System.nanoTime()} reads on
         * {@code thread}, or {@link Long#MIN_VALUE} for the system's}
         *
         * @param thread the thread that reads the clock, the calling one
         */
        long applicationNanoTime(Thread thread);

        /**
         * {@return the executor for the default asynchronous work of {@code CompletableFuture} started
         * on {@code thread}, or null for the JDK's own pool}
         *
         * @param thread the thread that starts it, the calling one
         */
        java.util.concurrent.Executor asyncExecutor(Thread thread);

        /**
         * Tells the scheduler that {@code failure} escaped the {@code run} of {@code thread}, just
         * before the JDK hands it to the thread's uncaught-exception handler.
         *
         * @param thread the thread
         * @param failure what escaped
         */
        void uncaught(Thread thread, Throwable failure);

        /**
         * {@return the virtual thread of a task that now runs the platform thread {@code platform}
         * in its place, on the scheduler of the task that starts it, or null to start it as the
         * JDK does} Its first step runs only after the calling step.
         *
         * @param platform the platform thread the calling thread starts
         */
        Thread standIn(Thread platform);

        /**
         * {@code platform.join(millis)} for a platform thread a stand-in runs: on a scheduler's own
         * thread, drives the scheduler until it ends.
         *
         * @return whether it did; false to wait on the thread's monitor as the JDK does
         * @param platform the platform thread
         * @param millis the most to wait, in milliseconds of the scheduler's clock; 0 for no limit
         */
        boolean joinStandIn(Thread platform, long millis);

        /**
         * {@code LockSupport.park} or {@code parkNanos} on {@code thread}, a platform thread: on a
         * run's own thread, drives the scheduler until {@link #unparkOwner} or the timeout.
         *
         * @param thread the thread that parks, the calling one
         * @param blocker what it parks for, as the JDK was told
         * @param nanos the timeout on the scheduler's clock, or 0 for none
         * @return whether it did; false to park as the JDK does
         */
        boolean parkOwner(Thread thread, Object blocker, long nanos);

        /**
         * {@code LockSupport.unpark(thread)}: if {@code thread} is a run's own thread, ends its
         * {@link #parkOwner} or makes the next one return at once.
         *
         * @param thread the thread unparked
         */
        void unparkOwner(Thread thread);
    }

    private static volatile TaskTime time;
    /** Platform threads run by a virtual stand-in, and their stand-ins; identity keys, weak. */
    private static final java.util.Map<Thread, Thread> STAND_INS =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());
    private static final java.util.Map<Thread, Thread> STANDING_FOR =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());
    private static final java.util.Set<Thread> FINISHED =
            java.util.Collections.synchronizedSet(java.util.Collections.newSetFromMap(new java.util.WeakHashMap<>()));
    /** Whether any platform thread ever got a stand-in: until then every check is one read. */
    private static volatile boolean standInsUsed;
    /** The virtual thread each thread is starting right now, if any: its first continuation is being submitted. */
    private static final ThreadLocal<Thread> STARTING = new ThreadLocal<>();
    private static volatile String instrumentation;
    private static volatile Thread unblocker;
    private static final AtomicInteger UNBLOCKS_IN_FLIGHT = new AtomicInteger();
    private static final AtomicLong MONITOR_WAITS = new AtomicLong();

    private JdkHooks() {
    }

    // ---------------------------------------------------------------- for the scheduler

    /**
     * Installs the scheduler's answers; the last call wins.
     *
     * @param taskTime the answers
     * @throws NullPointerException if {@code taskTime} is null
     */
    public static void install(TaskTime taskTime) {
        if (taskTime == null) {
            throw new NullPointerException("taskTime");
        }
        time = taskTime;
    }

    /** {@return whether the test agent has instrumented the JDK, so that these hooks are called} */
    public static boolean instrumented() {
        return instrumentation != null;
    }

    /** {@return what the agent instrumented, for messages; empty when it has not} */
    public static String instrumentation() {
        String done = instrumentation;
        return done == null ? "" : done;
    }

    /**
     * {@return how many monitor hand-offs the JDK's unblocker thread has begun and not yet delivered
     * to their virtual threads' schedulers}
     */
    public static int unblocksInFlight() {
        return UNBLOCKS_IN_FLIGHT.get();
    }

    /** {@return how many times a virtual thread has unmounted to wait for a monitor, since start-up} */
    public static long monitorWaits() {
        return MONITOR_WAITS.get();
    }

    /**
     * {@return whether {@code thread} is the JDK's unblocker, which resumes virtual threads that a
     * released monitor lets in}
     *
     * @param thread any thread
     */
    public static boolean isUnblocker(Thread thread) {
        return thread != null && thread == unblocker;
    }

    // ---------------------------------------------------------------- called by the agent

    /**
     * Records that the agent has instrumented the JDK.
     *
     * @param what what it instrumented, for messages
     */
    public static void markInstrumented(String what) {
        instrumentation = what;
    }

    // ---------------------------------------------------------------- called by the instrumented JDK

    /** {@return the time a timed wait on the calling thread measures; see {@link TaskTime#nanoTime}} */
    public static long nanoTime() {
        TaskTime hook = time;
        return hook == null ? System.nanoTime() : hook.nanoTime(Thread.currentThread());
    }

    /** {@return the time an absolute deadline on the calling thread is measured against} */
    public static long currentTimeMillis() {
        TaskTime hook = time;
        return hook == null ? System.currentTimeMillis() : hook.currentTimeMillis(Thread.currentThread());
    }

    /**
     * A virtual thread's timed park or timed {@code Object.wait}: a timer on its scheduler if it is a
     * task's body.
     *
     * @param thread the virtual thread that waits
     * @param command what the JDK runs when the wait times out
     * @param delay how long
     * @param unit the unit of {@code delay}
     * @return the timer, or null to keep the JDK's own
     */
    public static ScheduledFuture<?> schedule(Thread thread, Runnable command, long delay, TimeUnit unit) {
        TaskTime hook = time;
        return hook == null ? null : hook.schedule(thread, command, unit.toNanos(delay));
    }

    /**
     * {@code CompletableFuture.orTimeout} or {@code completeOnTimeout} called inside a task's body:
     * the timeout is a timer on the task's scheduler, cancelled when the future completes first.
     *
     * @param future the future that times out
     * @param onTimeout what completes it on time-out
     * @param delayNanos the timeout
     * @return whether the timeout is arranged; false to let the JDK arrange it
     */
    public static boolean arrangeTimeout(CompletableFuture<?> future, Runnable onTimeout, long delayNanos) {
        TaskTime hook = time;
        if (hook == null) {
            return false;
        }
        ScheduledFuture<?> timer = hook.schedule(Thread.currentThread(), onTimeout, delayNanos);
        if (timer == null) {
            return false;
        }
        future.whenComplete((value, failure) -> timer.cancel(false));
        return true;
    }

    // ---------------------------------------------------------------- called by instrumented application code

    /**
     * {@code System.currentTimeMillis()} in the application's code: virtual inside the tasks of a
     * scheduler that reads the application's clock virtually, the system's everywhere else.
     *
     * @return milliseconds since the epoch
     */
    public static long applicationCurrentTimeMillis() {
        Instant virtual = applicationNow();
        return virtual == null ? System.currentTimeMillis() : virtual.toEpochMilli();
    }

    /**
     * {@code System.nanoTime()} in the application's code: virtual inside the tasks of a scheduler
     * that reads the application's clock virtually, the system's everywhere else.
     *
     * @return monotonic nanoseconds
     */
    public static long applicationNanoTime() {
        TaskTime hook = time;
        long virtual = hook == null ? Long.MIN_VALUE : hook.applicationNanoTime(Thread.currentThread());
        return virtual == Long.MIN_VALUE ? System.nanoTime() : virtual;
    }

    /**
     * {@code Instant.now()} in the application's code, virtual as {@link #applicationCurrentTimeMillis()} is.
     *
     * @return the instant
     */
    public static Instant applicationInstant() {
        Instant virtual = applicationNow();
        return virtual == null ? Instant.now() : virtual;
    }

    /**
     * {@code Clock.systemUTC()} in the application's code: a clock whose every reading is virtual
     * when it is read inside the tasks of a scheduler that reads the application's clock virtually,
     * wherever the clock was obtained; the system's clock otherwise.
     *
     * @return the clock, in UTC
     */
    public static Clock applicationClockUtc() {
        return ApplicationClock.UTC;
    }

    /**
     * {@code Clock.systemDefaultZone()} in the application's code, and the clock that the no-argument
     * {@code now()} of {@code java.time}'s date and time types is rewritten to read.
     *
     * @return the clock, in the default time zone
     */
    public static Clock applicationClockDefaultZone() {
        return new ApplicationClock(ZoneId.systemDefault());
    }

    private static Instant applicationNow() {
        TaskTime hook = time;
        return hook == null ? null : hook.applicationNow(Thread.currentThread());
    }

    /** The system clock, but virtual when read inside a task whose scheduler asks for it. */
    static final class ApplicationClock extends Clock {

        static final ApplicationClock UTC = new ApplicationClock(java.time.ZoneOffset.UTC);

        private final ZoneId zone;

        ApplicationClock(ZoneId zone) {
            this.zone = zone;
        }

        @Override
        public ZoneId getZone() {
            return zone;
        }

        @Override
        public Clock withZone(ZoneId newZone) {
            return newZone.equals(zone) ? this : new ApplicationClock(newZone);
        }

        @Override
        public long millis() {
            return applicationCurrentTimeMillis();
        }

        @Override
        public Instant instant() {
            return applicationInstant();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof ApplicationClock clock && clock.zone.equals(zone);
        }

        @Override
        public int hashCode() {
            return zone.hashCode() + 1;
        }

        @Override
        public String toString() {
            return "ApplicationClock[" + zone + "]";
        }
    }

    // ---------------------------------------------------------------- platform threads run by stand-ins

    /**
     * {@code Thread.start()} of a platform thread: runs it on a virtual stand-in if the scheduler
     * says so.
     *
     * @param platform the thread being started
     * @return true if a stand-in runs it, and the JDK must not start it
     * @throws IllegalThreadStateException if a stand-in already ran it
     */
    public static boolean startPlatformThread(Thread platform) {
        return startPlatformThread(platform, null);
    }

    /**
     * {@code Thread.start(ThreadContainer)} of a platform thread: as {@link #startPlatformThread(Thread)},
     * for a thread pool's shared container only, which counts nothing that its pool waits for; a
     * container that waits for its threads (a thread-per-task executor, a structured scope) keeps
     * the JDK's.
     *
     * @param platform the thread being started
     * @param container the container it is started in, or null for none
     * @return true if a stand-in runs it, and the JDK must not start it
     * @throws IllegalThreadStateException if a stand-in already ran it
     */
    public static boolean startPlatformThread(Thread platform, Object container) {
        TaskTime hook = time;
        if (hook == null || (container != null
                && !container.getClass().getName().equals("jdk.internal.vm.SharedThreadContainer"))) {
            return false;
        }
        synchronized (platform) {
            if (standInsUsed && (STAND_INS.containsKey(platform) || FINISHED.contains(platform))) {
                throw new IllegalThreadStateException("Thread \"" + platform.getName() + "\" was started already");
            }
            if (platform.getState() != Thread.State.NEW) {
                return false; // the JDK's own start throws
            }
            Thread standIn = hook.standIn(platform);
            if (standIn == null) {
                return false;
            }
            standInsUsed = true;
            STAND_INS.put(platform, standIn);
            STANDING_FOR.put(standIn, platform);
            return true;
        }
    }

    /**
     * {@code LockSupport.park}, {@code parkNanos}: the scheduler may drive in place of a run's own
     * thread parking.
     *
     * @param blocker what the thread parks for
     * @param nanos the timeout, or 0 for none
     * @return whether the scheduler did, and the JDK must not park
     */
    public static boolean park(Object blocker, long nanos) {
        TaskTime hook = time;
        Thread current = Thread.currentThread();
        return hook != null && !current.isVirtual() && hook.parkOwner(current, blocker, nanos);
    }

    /**
     * {@code LockSupport.unpark}: tells the scheduler, whose run's own thread may be driving for a park.
     *
     * @param thread the thread unparked, possibly null
     */
    public static void unpark(Thread thread) {
        TaskTime hook = time;
        if (hook != null && thread != null && !thread.isVirtual()) {
            hook.unparkOwner(thread);
            Thread standIn = standIn(thread);
            if (standIn != null) {
                java.util.concurrent.locks.LockSupport.unpark(standIn); // the code unparks the thread it knows
            }
        }
    }

    /**
     * {@code Thread.join(long)} of a platform thread: the scheduler joins a stand-in's on its own
     * thread; otherwise the JDK's join goes on.
     *
     * @param platform the thread being joined
     * @param millis the timeout, 0 for none
     * @return whether the scheduler joined it
     */
    public static boolean joinPlatformThread(Thread platform, long millis) {
        TaskTime hook = time;
        return hook != null && standIn(platform) != null && hook.joinStandIn(platform, millis);
    }

    /**
     * {@return the virtual thread that runs {@code platform}, or null if the JDK runs it}
     *
     * @param platform a platform thread
     */
    public static Thread standIn(Thread platform) {
        return standInsUsed ? STAND_INS.get(platform) : null;
    }

    /**
     * {@return the platform thread the virtual thread {@code standIn} runs, or null}
     *
     * @param standIn a virtual thread
     */
    public static Thread standingFor(Thread standIn) {
        return standInsUsed && standIn.isVirtual() ? STANDING_FOR.get(standIn) : null;
    }

    /**
     * {@return whether the platform thread {@code platform}, run by a stand-in, is alive: started and
     * its {@code run} not yet returned}
     *
     * @param platform a platform thread with a stand-in
     */
    public static boolean standInAlive(Thread platform) {
        return standIn(platform) != null;
    }

    /**
     * {@return whether {@code platform} was run by a stand-in that has finished}
     *
     * @param platform a platform thread
     */
    public static boolean standInEnded(Thread platform) {
        return standInsUsed && FINISHED.contains(platform);
    }

    /**
     * The {@code run} of {@code platform} returned on its stand-in, or will never run: it is no
     * longer alive, and the maps let go of both threads (a weak set remembers that it ended).
     *
     * @param platform the platform thread
     */
    public static void standInFinished(Thread platform) {
        FINISHED.add(platform);
        Thread standIn = STAND_INS.remove(platform);
        if (standIn != null) {
            STANDING_FOR.remove(standIn);
        }
    }

    /**
     * {@code Thread.currentThread()} in the application's code: inside a stand-in, the platform
     * thread it runs, so that the code sees the thread it started.
     *
     * @return the current thread, as the application knows it
     */
    public static Thread currentThread() {
        Thread current = Thread.currentThread();
        Thread platform = standingFor(current);
        return platform == null ? current : platform;
    }

    /** {@return the virtual thread the calling thread is starting right now, or null} */
    public static Thread startingVirtualThread() {
        return STARTING.get();
    }

    /**
     * The calling thread starts the virtual thread {@code thread}, or is done starting it.
     *
     * @param thread the thread being started, or null once it is
     */
    public static void starting(Thread thread) {
        if (thread == null) {
            STARTING.remove();
        } else {
            STARTING.set(thread);
        }
    }

    /**
     * The default executor of {@code CompletableFuture}'s asynchronous methods, as the calling thread
     * should see it: a task's scheduler's executor when that scheduler adopts threads.
     *
     * @param pool the JDK's default
     * @return the executor to use
     */
    public static java.util.concurrent.Executor asyncExecutor(java.util.concurrent.Executor pool) {
        TaskTime hook = time;
        if (hook == null || pool != java.util.concurrent.ForkJoinPool.commonPool()) {
            return pool; // an executor the code chose
        }
        java.util.concurrent.Executor instead = hook.asyncExecutor(Thread.currentThread());
        return instead == null ? pool : instead;
    }

    /**
     * {@code Thread.dispatchUncaughtException}: tells the scheduler before the thread's handler runs.
     *
     * @param thread the thread
     * @param failure what escaped its {@code run}
     */
    public static void uncaught(Thread thread, Throwable failure) {
        TaskTime hook = time;
        if (hook != null) {
            hook.uncaught(thread, failure);
        }
    }

    /** The unblocker is about to take a virtual thread off its list and resume it. */
    public static void unblocking() {
        unblocker = Thread.currentThread();
        UNBLOCKS_IN_FLIGHT.incrementAndGet();
    }

    /** The unblocker has handed the virtual thread to its scheduler (or found nothing to do). */
    public static void unblocked() {
        UNBLOCKS_IN_FLIGHT.decrementAndGet();
    }

    /** A virtual thread unmounted to wait for a monitor, or in {@code Object.wait}. */
    public static void monitorWait() {
        MONITOR_WAITS.incrementAndGet();
    }
}
