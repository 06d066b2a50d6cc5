package dev.scheduler.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scheduler.Executor;
import dev.scheduler.ForegroundExecutor;
import dev.scheduler.Task;
import java.awt.EventQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Every dispatcher with its foreground on AWT's event dispatch thread, the foreground of a Swing
 * application: the shared suite, and what a UI thread adds. AWT's queue works without a display, so
 * this runs headless too.
 */
class EventDispatchThreadTest {

    static DispatcherOptions onTheEventDispatchThread(DispatcherOptions options) {
        return options.withForeground(DispatcherOptions.Foreground.EVENT_DISPATCH_THREAD);
    }

    @Nested
    class Portable extends UiThreadContract {

        @Override
        Dispatcher create(DispatcherOptions options) {
            return new PortableDispatcher(onTheEventDispatchThread(options));
        }
    }

    @Nested
    @EnabledOnOs(OS.LINUX)
    class Linux extends UiThreadContract {

        @Override
        Dispatcher create(DispatcherOptions options) {
            return new LinuxDispatcher(onTheEventDispatchThread(options));
        }
    }

    /** The Windows dispatcher's logic on a fake pool: timers on the pool, the foreground on AWT's thread. */
    @Nested
    class WindowsLogic extends UiThreadContract {

        FakePoolBinding threadPool;

        @Override
        Dispatcher create(DispatcherOptions options) {
            threadPool = new FakePoolBinding(FakePoolBinding.Flavour.WINDOWS, true);
            return new WindowsDispatcher(onTheEventDispatchThread(options), threadPool);
        }

        @AfterEach
        void closeFake() {
            dispatcher.close();
            threadPool.close();
        }
    }

    /** The shared suite, and what only a dispatcher on AWT's thread promises. */
    abstract static class UiThreadContract extends DispatcherContract {

        @Test
        void foregroundStepsRunOnAwtsEventDispatchThreadInTheOrderTheyArrive() throws Exception {
            List<Integer> order = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch done = new CountDownLatch(200);
            for (int i = 0; i < 200; i++) {
                int step = i;
                dispatcher.scheduleForeground(() -> {
                    if (EventQueue.isDispatchThread() && dispatcher.isMainThread()) {
                        order.add(step);
                    }
                    done.countDown();
                }, foreground());
            }

            assertThat(done.await(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(order).hasSize(200).isSorted();
            assertThat(dispatcher.mainThread()).hasValueSatisfying(thread ->
                    assertThat(thread.getName()).startsWith("AWT-EventQueue"));
        }

        @Test
        void aForegroundTaskThatJoinsBackgroundWorkResumesOnTheEventDispatchThread() throws Exception {
            Executor background = new Executor(dispatcher);
            CompletableFuture<List<Boolean>> seen = new CompletableFuture<>();
            EventQueue.invokeLater(() -> {
                ForegroundExecutor ui = new ForegroundExecutor(dispatcher);
                ui.spawn(() -> {
                    boolean before = dispatcher.isMainThread();
                    background.spawn(() -> background.timer(Duration.ofMillis(5)).join()).join();
                    seen.complete(List.of(before, dispatcher.isMainThread(), ui.thread() == dispatcher.mainThread().orElseThrow()));
                });
            });

            assertThat(seen.get(GUARD_SECONDS, TimeUnit.SECONDS)).containsExactly(true, true, true);
        }

        @Test
        void awtsOwnEventsRunBetweenTheStepsOfABurst() throws Exception {
            int burst = 1_000;
            AtomicReference<Integer> stepsBeforeTheEvent = new AtomicReference<>();
            int[] ran = new int[1];
            CountDownLatch done = new CountDownLatch(burst);
            for (int i = 0; i < burst; i++) {
                boolean first = i == 0;
                dispatcher.scheduleForeground(() -> {
                    if (first) {
                        EventQueue.invokeLater(() -> stepsBeforeTheEvent.set(ran[0]));
                    }
                    ran[0]++;
                    done.countDown();
                }, foreground());
            }

            assertThat(done.await(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(stepsBeforeTheEvent.get()).as("steps that ran before an event posted by the first")
                    .isNotNull().isLessThan(burst);
        }

        @Test
        void theEventDispatchThreadStaysTheSameThroughAnIdlePeriodLongerThanAwtWaitsBeforeRetiringIt()
                throws Exception {
            Thread before = dispatcher.mainThread().orElseThrow();

            // Not a wait for something to happen: AWT retires an idle dispatch thread after a second.
            Thread.sleep(1_500);
            CompletableFuture<Thread> after = new CompletableFuture<>();
            dispatcher.scheduleForeground(() -> after.complete(Thread.currentThread()), foreground());

            assertThat(after.get(GUARD_SECONDS, TimeUnit.SECONDS)).isSameAs(before);
            assertThat(before.isAlive()).isTrue();
        }

        @Test
        void aBodyWaitingForOneOfAwtsOwnLocksHoldsTheEventDispatchThreadAsAPlatformUiThreadWouldBlock()
                throws Exception {
            Object treeLock = new javax.swing.JPanel().getTreeLock();
            CompletableFuture<ForegroundExecutor> made = new CompletableFuture<>();
            EventQueue.invokeAndWait(() -> made.complete(new ForegroundExecutor(dispatcher)));
            ForegroundExecutor ui = made.get(GUARD_SECONDS, TimeUnit.SECONDS);
            CompletableFuture<Task<Integer>> counting = new CompletableFuture<>();
            CountDownLatch awtEvent = new CountDownLatch(1);
            synchronized (treeLock) {
                // Container.getComponentCount() takes AWT's tree lock, which this thread holds.
                EventQueue.invokeLater(() -> counting.complete(ui.spawn(() -> new javax.swing.JPanel().getComponentCount())));
                Thread edt = dispatcher.mainThread().orElseThrow();
                // The event dispatch thread waits in the pump for the body, not in AWT's loop for events.
                awaitTrue(() -> java.util.Arrays.stream(edt.getStackTrace())
                        .anyMatch(frame -> frame.getMethodName().equals("holdWhileInTheToolkit")));
                EventQueue.invokeLater(awtEvent::countDown); // runs once the body has its lock and is done
            }

            assertThat(counting.get(GUARD_SECONDS, TimeUnit.SECONDS).get(GUARD_SECONDS, TimeUnit.SECONDS)).isZero();
            assertThat(awtEvent.await(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
        }

        @Test
        void aBodyWaitingForALockOfTheApplicationsReleasesTheEventDispatchThread() throws Exception {
            java.util.concurrent.locks.ReentrantLock mine = new java.util.concurrent.locks.ReentrantLock();
            CompletableFuture<ForegroundExecutor> made = new CompletableFuture<>();
            EventQueue.invokeAndWait(() -> made.complete(new ForegroundExecutor(dispatcher)));
            ForegroundExecutor ui = made.get(GUARD_SECONDS, TimeUnit.SECONDS);
            CompletableFuture<Task<String>> locking = new CompletableFuture<>();
            CountDownLatch awtEvent = new CountDownLatch(1);
            mine.lock();
            try {
                EventQueue.invokeLater(() -> locking.complete(ui.spawn(() -> {
                    mine.lock();
                    mine.unlock();
                    return "locked";
                })));
                Task<String> task = locking.get(GUARD_SECONDS, TimeUnit.SECONDS);
                awaitTrue(() -> task.thread().map(mine::hasQueuedThread).orElse(false));
                EventQueue.invokeLater(awtEvent::countDown);

                assertThat(awtEvent.await(GUARD_SECONDS, TimeUnit.SECONDS)).as("the Swing thread is free").isTrue();
            } finally {
                mine.unlock();
            }
            assertThat(locking.get(GUARD_SECONDS, TimeUnit.SECONDS).get(GUARD_SECONDS, TimeUnit.SECONDS)).isEqualTo("locked");
        }

        private static void awaitTrue(java.util.function.BooleanSupplier condition) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
            while (!condition.getAsBoolean()) {
                assertThat(System.nanoTime() - deadline).as("waited %d s", GUARD_SECONDS).isNegative();
                Thread.onSpinWait();
            }
        }

        @Test
        void runMainLoopIsRefusedNamingWhereTheForegroundRuns() {
            assertThatThrownBy(() -> ((AbstractDispatcher) dispatcher).runMainLoop())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("AWT's event dispatch thread");
        }

        @Test
        void closeFromTheEventDispatchThreadIsRefusedBecauseItMustKeepRunningForegroundSteps() throws Exception {
            CompletableFuture<Throwable> refused = new CompletableFuture<>();
            EventQueue.invokeAndWait(() -> {
                try {
                    dispatcher.close();
                    refused.complete(null);
                } catch (IllegalStateException e) {
                    refused.complete(e);
                }
            });

            assertThat(refused.get(GUARD_SECONDS, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("call shutdown() there");
            assertThat(dispatcher.isShutdown()).isFalse();
        }

        @Test
        void aForegroundTaskOnTheEventDispatchThreadIsAUiTaskOfAForegroundExecutorMadeThere() throws Exception {
            CompletableFuture<ForegroundExecutor> made = new CompletableFuture<>();
            EventQueue.invokeAndWait(() -> made.complete(new ForegroundExecutor(dispatcher)));
            ForegroundExecutor ui = made.get(GUARD_SECONDS, TimeUnit.SECONDS);

            assertThat(ui.thread()).isSameAs(dispatcher.mainThread().orElseThrow());
            assertThatThrownBy(() -> ui.spawn(() -> 1)).as("from the test thread")
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("AWT-EventQueue");
            CompletableFuture<Task<Integer>> spawned = new CompletableFuture<>();
            EventQueue.invokeLater(() -> spawned.complete(ui.spawn(() -> 41 + 1)));
            assertThat(spawned.get(GUARD_SECONDS, TimeUnit.SECONDS).get(GUARD_SECONDS, TimeUnit.SECONDS)).isEqualTo(42);
        }
    }
}
