package dev.scheduler.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scheduler.Executor;
import dev.scheduler.Priority;
import dev.scheduler.QueueDepths;
import dev.scheduler.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the dispatchers with their own worker threads and main loop promise besides the shared
 * suite: queue depths, and the main loop on the caller's thread.
 */
abstract class PooledDispatcherContract extends DispatcherContract {

    /**
     * The worker threads run bodies on a few long-lived virtual threads rather than one each, and
     * those end with the dispatcher.
     */
    @Test
    void bodiesRunOnAFewLongLivedThreadsThatEndWithTheDispatcher() throws Exception {
        Executor executor = new Executor(dispatcher);
        java.util.Set<Thread> carriers = java.util.concurrent.ConcurrentHashMap.newKeySet();
        CountDownLatch done = new CountDownLatch(10_000);
        for (int i = 0; i < 10_000; i++) {
            executor.spawn(() -> {
                carriers.add(Thread.currentThread());
                done.countDown();
            });
        }
        await(done);
        // Parked bodies keep theirs: ten of them at once take ten threads, which come back after.
        CompletableFuture<Void> gate = new CompletableFuture<>();
        List<Task<Void>> parked = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            parked.add(executor.spawn(() -> {
                carriers.add(Thread.currentThread());
                executor.blockOn(gate);
            }));
        }
        gate.complete(null);
        parked.forEach(Task::join);

        assertThat(carriers).allMatch(Thread::isVirtual).hasSizeLessThan(100);
        dispatcher.close();
        assertThat(carriers).extracting(Thread::getState).containsOnly(Thread.State.TERMINATED);
    }

    @Test
    void queueDepthsCountWaitingStepsAndPendingTimers() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch busy = new CountDownLatch(backgroundThreads() + 1);
        for (int i = 0; i < backgroundThreads(); i++) {
            dispatcher.schedule(() -> {
                busy.countDown();
                awaitQuietly(release);
            }, background(Priority.MEDIUM));
        }
        dispatcher.scheduleForeground(() -> {
            busy.countDown();
            awaitQuietly(release);
        }, foreground());
        await(busy);
        for (int i = 0; i < 3; i++) {
            dispatcher.schedule(() -> { }, background(Priority.LOW));
        }
        dispatcher.scheduleForeground(() -> { }, foreground());
        dispatcher.scheduleAfter(Duration.ofHours(1), () -> { });
        dispatcher.scheduleAfter(Duration.ofHours(2), () -> { }).cancel();

        assertThat(dispatcher.queueDepths()).isEqualTo(new QueueDepths(3, 1, 1, 0));
        release.countDown();
    }

    @Test
    void withTheCallerThreadTheCreatorRunsTheMainLoopUntilTheDispatcherTerminates() throws Exception {
        dispatcher.close();
        CompletableFuture<List<String>> seen = new CompletableFuture<>();
        Thread app = Thread.ofPlatform().name("app-main").start(() -> {
            List<String> events = new ArrayList<>();
            Dispatcher own = create(options().withForeground(DispatcherOptions.Foreground.CALLER_THREAD));
            try {
                Executor background = new Executor(own);
                own.scheduleForeground(() -> {
                    events.add("first step on " + Thread.currentThread().getName());
                    background.spawn(() -> {
                        own.scheduleForeground(() -> {
                            events.add("second step, main thread: " + own.isMainThread());
                            own.shutdown();
                        }, foreground());
                    });
                }, foreground());
                events.add("timer before the loop: " + background.blockOn(background.spawn(() -> {
                    background.timer(Duration.ofMillis(1)).join();
                    return "fired";
                })));
                ((AbstractDispatcher) own).runMainLoop();
                events.add("loop returned, terminated: " + own.isTerminated());
            } catch (Throwable e) {
                seen.completeExceptionally(e);
            } finally {
                own.close();
            }
            seen.complete(events);
        });

        assertThat(seen.get(GUARD_SECONDS, TimeUnit.SECONDS)).containsExactly("timer before the loop: fired",
                "first step on app-main", "second step, main thread: true", "loop returned, terminated: true");
        app.join();
    }

    @Test
    void runMainLoopRefusesADedicatedLoopAndAnotherThread() throws Exception {
        AbstractDispatcher dedicated = (AbstractDispatcher) dispatcher;
        assertThatThrownBy(dedicated::runMainLoop).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("runs its foreground steps on its own thread \"contract-main\"");

        AbstractDispatcher caller = (AbstractDispatcher) create(
                options().withForeground(DispatcherOptions.Foreground.CALLER_THREAD));
        try {
            CompletableFuture<Throwable> refused = new CompletableFuture<>();
            Thread.ofPlatform().name("intruder").start(() -> {
                try {
                    caller.runMainLoop();
                    refused.complete(null);
                } catch (Throwable e) {
                    refused.complete(e);
                }
            });
            assertThat(refused.get(GUARD_SECONDS, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("The main loop belongs to thread \"" + Thread.currentThread().getName()
                            + "\", but thread \"intruder\" tried to run it");
        } finally {
            caller.close();
        }
    }

    @Test
    void theMacMainQueueIsRefusedNamingTheOption() {
        assertThatThrownBy(() -> create(options().withForeground(DispatcherOptions.Foreground.MAIN_QUEUE)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("options.foreground() is MAIN_QUEUE, which only the macOS dispatcher has");
    }

    @Test
    void closeFromTheDispatchersOwnThreadIsRefusedNamingIt() throws Exception {
        Executor background = new Executor(dispatcher);
        Throwable refused = background.blockOn(background.spawn(() -> {
            try {
                dispatcher.close();
                return null;
            } catch (IllegalStateException e) {
                return e;
            }
        }));

        assertThat(refused).hasMessageStartingWith("close() was called from task #").hasMessageContaining(
                "which runs on the " + dispatcher.name() + " dispatcher and so cannot wait for its own steps");
        assertThat(dispatcher.isShutdown()).isFalse();
    }
}
