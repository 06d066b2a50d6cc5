package dev.scheduler.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scheduler.Cancellable;
import dev.scheduler.Executor;
import dev.scheduler.Priority;
import dev.scheduler.Task;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The Java logic of the macOS and Windows dispatchers (ownership of native contexts, priorities,
 * timers that must never fire early, the lifecycle), run here on a fake of each system's thread
 * pool: the shared suite, and what only these two do.
 */
class NativePoolDispatcherTest {

    /** What the dispatchers on a system's pool promise besides the shared suite, run on each fake. */
    abstract static class NativePoolContract extends DispatcherContract {

        /** {@return the fake pool under the dispatcher} */
        abstract FakePoolBinding binding();

        @Test
        void aLongTimerCancelledAtOnceReleasesItsNativeTimerAtOnce() {
            Cancellable timeout = dispatcher.scheduleAfter(Duration.ofHours(1), () -> { });
            assertThat(binding().armedTimers()).isEqualTo(1);

            assertThat(timeout.cancel()).isTrue();

            assertThat(binding().armedTimers()).as("native timers still held for their hour").isZero();
        }

        @Test
        void theSystemsThreadsCarryTheDispatchersNameAndClassLoaderOnlyWhileTheyRunItsWork() throws Exception {
            ClassLoader creator = Thread.currentThread().getContextClassLoader();
            CompletableFuture<Thread> stepThread = new CompletableFuture<>();
            CompletableFuture<String> stepSaw = new CompletableFuture<>();
            dispatcher.schedule(() -> {
                Thread thread = Thread.currentThread();
                stepSaw.complete(thread.getName() + " " + (thread.getContextClassLoader() == creator));
                stepThread.complete(thread);
            }, background(Priority.MEDIUM));
            CompletableFuture<String> timerSaw = new CompletableFuture<>();
            dispatcher.scheduleAfter(Duration.ZERO, () -> timerSaw.complete(Thread.currentThread().getName() + " "
                    + (Thread.currentThread().getContextClassLoader() == creator)));

            assertThat(stepSaw.get(GUARD_SECONDS, TimeUnit.SECONDS)).isEqualTo("contract-pool true");
            assertThat(timerSaw.get(GUARD_SECONDS, TimeUnit.SECONDS)).isEqualTo("contract-pool true");
            Thread system = stepThread.get(GUARD_SECONDS, TimeUnit.SECONDS);
            // Afterwards the system's thread is as it was: its own name, no class loader.
            long guard = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
            while (system.getName().equals("contract-pool") && System.nanoTime() - guard < 0) {
                Thread.onSpinWait();
            }
            assertThat(system.getName()).startsWith("fake-pool-");
            assertThat(system.getContextClassLoader()).isNull();
            assertThat(binding().escapedUpcalls).hasValue(0);
        }
    }

    /** The macOS dispatcher's logic, its main loop on a dedicated thread, on a fake GCD whose timers fire early. */
    @Nested
    class MacWithAMainLoop extends NativePoolContract {

        FakePoolBinding gcd;

        @Override
        FakePoolBinding binding() {
            return gcd;
        }

        @Override
        Dispatcher create(DispatcherOptions options) {
            gcd = new FakePoolBinding(FakePoolBinding.Flavour.GCD, true);
            return new MacDispatcher(options, gcd);
        }

        @AfterEach
        void closeFake() {
            // Runs before the suite's own @AfterEach: close the dispatcher while the fake still runs its steps.
            dispatcher.close();
            gcd.close();
        }

        @Test
        void timerSourcesAreArmedWithASmallExplicitLeeway() {
            assertThat(GcdNatives.leewayNanos(0)).isZero();
            assertThat(GcdNatives.leewayNanos(TimeUnit.MILLISECONDS.toNanos(10))).isEqualTo(TimeUnit.MICROSECONDS.toNanos(500));
            assertThat(GcdNatives.leewayNanos(TimeUnit.HOURS.toNanos(1))).as("at most a millisecond")
                    .isEqualTo(TimeUnit.MILLISECONDS.toNanos(1));
        }

        @Test
        void backgroundStepsGoToTheGlobalQueueOfTheirPriority() {
            Executor executor = new Executor(dispatcher);
            executor.blockOn(executor.spawnWithPriority(Priority.LOW, () -> 1));
            executor.blockOn(executor.spawnWithPriority(Priority.HIGH, () -> 2));

            assertThat(gcd.submitted).containsExactly(Priority.LOW, Priority.HIGH);
            assertThat(GcdNatives.QOS_CLASSES).as("user initiated, default, utility").containsExactly(0x19, 0x15, 0x11);
        }
    }

    /** The macOS dispatcher's logic with foreground steps on the (fake) main dispatch queue. */
    @Nested
    class MacWithTheMainQueue extends NativePoolContract {

        FakePoolBinding gcd;

        @Override
        FakePoolBinding binding() {
            return gcd;
        }

        @Override
        DispatcherOptions options() {
            return super.options().withForeground(DispatcherOptions.Foreground.MAIN_QUEUE);
        }

        @Override
        Dispatcher create(DispatcherOptions options) {
            gcd = new FakePoolBinding(FakePoolBinding.Flavour.GCD, false);
            return new MacDispatcher(options, gcd);
        }

        @AfterEach
        void closeFake() {
            // Runs before the suite's own @AfterEach: close the dispatcher while the fake still runs its steps.
            dispatcher.close();
            gcd.close();
        }

        @Test
        void theMainThreadIsKnownOnceTheMainQueueHasRunAStep() throws Exception {
            assertThat(dispatcher.mainThread()).isEmpty();

            Thread main = onMainThread(Thread::currentThread);

            assertThat(main.getName()).isEqualTo("fake-main");
            assertThat(dispatcher.mainThread()).contains(main);
            assertThat(onMainThread(dispatcher::isMainThread)).isTrue();
        }

        @Test
        void runMainLoopIsRefusedBecauseTheApplicationsRunLoopServicesTheMainQueue() {
            assertThatThrownBy(((AbstractDispatcher) dispatcher)::runMainLoop).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("runs its foreground steps on the main dispatch queue");
        }
    }

    /** The Windows dispatcher's logic on a fake thread pool whose timers fire early and have native handles. */
    @Nested
    class Windows extends NativePoolContract {

        FakePoolBinding threadPool;

        @Override
        FakePoolBinding binding() {
            return threadPool;
        }

        @Override
        Dispatcher create(DispatcherOptions options) {
            threadPool = new FakePoolBinding(FakePoolBinding.Flavour.WINDOWS, true);
            return new WindowsDispatcher(options, threadPool);
        }

        @AfterEach
        void closeFake() {
            // Runs before the suite's own @AfterEach: close the dispatcher while the fake still runs its steps.
            dispatcher.close();
            threadPool.close();
        }

        @Test
        void aTimerThatCallsBackEarlyIsReArmedAndEveryNativeTimerIsReleasedExactlyOnce() throws Exception {
            CountDownLatch fired = new CountDownLatch(50);
            List<Cancellable> distant = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                dispatcher.scheduleAfter(Duration.ofMillis(1 + i % 5), fired::countDown);
                distant.add(dispatcher.scheduleAfter(Duration.ofHours(1), () -> {
                    throw new AssertionError("a timer fired an hour early");
                }));
            }
            await(fired);
            // Every timer's first callback came at once; the distant ones must have re-armed, not run.
            assertThat(threadPool.rearms.tryAcquire(50, GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
            distant.forEach(Cancellable::cancel);
            dispatcher.close();

            assertThat(threadPool.armedTimers()).isZero();
            assertThat(threadPool.doubleReleases).hasValue(0);
            assertThat(threadPool.badHandles).hasValue(0);
            assertThat(uncaught).isEmpty();
        }

        @Test
        void theCallbackEnvironmentIsLaidOutAsTheWindowsHeadersInlineIt() {
            MemorySegment low = WindowsNatives.environment(WindowsNatives.CALLBACK_PRIORITIES[Priority.LOW.ordinal()]);

            assertThat(low.byteSize()).isEqualTo(72);
            assertThat(low.get(ValueLayout.JAVA_INT, 0)).as("Version").isEqualTo(3);
            assertThat(low.get(ValueLayout.JAVA_INT, 60)).as("CallbackPriority LOW").isEqualTo(2);
            assertThat(low.get(ValueLayout.JAVA_INT, 64)).as("Size").isEqualTo(72);
            assertThat(WindowsNatives.CALLBACK_PRIORITIES).containsExactly(0, 1, 2);
        }

        @Test
        void aRefusedCallNamesTheFunctionAndTheErrorCodeTheSystemGave() {
            assertThat(WindowsNatives.refusal("TrySubmitThreadpoolCallback", "a LOW work item", 8))
                    .isEqualTo("TrySubmitThreadpoolCallback refused a LOW work item: GetLastError 8 (ERROR_NOT_ENOUGH_MEMORY)");
            assertThat(WindowsNatives.refusal("CreateThreadpoolTimer", "a timer", 5))
                    .isEqualTo("CreateThreadpoolTimer refused a timer: GetLastError 5");
        }

        @Test
        void theMainQueueIsRefusedNamingTheOption() {
            assertThatThrownBy(() -> new WindowsDispatcher(
                    options().withForeground(DispatcherOptions.Foreground.MAIN_QUEUE), threadPool))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("options.foreground() is MAIN_QUEUE");
        }
    }

    @Test
    void aContextIsReleasedExactlyOnceSoALateCallbackRunsNothing() throws Exception {
        try (FakePoolBinding gcd = new FakePoolBinding(FakePoolBinding.Flavour.GCD, false);
                Dispatcher mac = new MacDispatcher(DispatcherOptions.defaults(), gcd)) {
            int before = NativePool.liveContexts();
            Executor executor = new Executor(mac);
            Task<Integer> task = executor.spawn(() -> 7);
            assertThat(executor.blockOn(task)).isEqualTo(7);
            AtomicBoolean cancelledRan = new AtomicBoolean();
            Cancellable cancelled = mac.scheduleAfter(Duration.ofHours(1), () -> cancelledRan.set(true));
            long context = gcd.lastTimerContext;

            assertThat(NativePool.liveContexts()).isEqualTo(before + 1);
            cancelled.cancel();
            assertThat(NativePool.liveContexts()).as("released at cancel, though GCD will still call back").isEqualTo(before);
            NativePool.run(context); // GCD's callback for the cancelled timer, arriving late
            assertThat(cancelledRan).as("the late callback ran the cancelled step").isFalse();
        }
    }
}
