package dev.scheduler.sample.worker;

import dev.scheduler.Executor;
import dev.scheduler.Scheduler;
import dev.scheduler.Task;
import dev.scheduler.TaskLabel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Tells the webhook of claimed orders, retrying with exponential backoff on the scheduler's timers
 * (virtual time under a {@code TestScheduler}), and settles each: {@code NOTIFIED}, or
 * {@code NOTIFY_FAILED} after the last attempt, counted in {@code orders.notifications}.
 *
 * <p>Implementation Overview: a delivery is a task, handed to the request's {@code waitUntil} or
 * spawned by a re-drive, and it runs only while this instance holds the order's outbox claim. When
 * the application stops, this lifecycle stops after the web server and before the scheduler: it
 * takes no more work, cancels the deliveries still in flight (their orders stay {@code PENDING}, a
 * cancelled call is not a failed one) and gives their claims back, so that the next instance to
 * start, or another one running, re-drives them at once instead of after the lease.
 */
@Component
public class OrderNotifier implements SmartLifecycle {

    /** Stops after the web server (which stops at {@code DEFAULT_PHASE - 2048}), before the scheduler. */
    static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 3072;

    private static final Logger log = LoggerFactory.getLogger(OrderNotifier.class);

    private final OrderStore store;
    private final Webhook webhook;
    private final Executor executor;
    private final Scheduler scheduler;
    private final WorkerProperties properties;
    private final Counter notified;
    private final Counter failed;
    private final Set<Task<?>> inFlight = ConcurrentHashMap.newKeySet();
    private volatile boolean running;

    OrderNotifier(OrderStore store, Webhook webhook, Executor executor, Scheduler scheduler,
            WorkerProperties properties, MeterRegistry meters) {
        this.store = store;
        this.webhook = webhook;
        this.executor = executor;
        this.scheduler = scheduler;
        this.properties = properties;
        this.notified = Counter.builder("orders.notifications").tag("outcome", "notified")
                .description("Orders whose webhook accepted the notification").register(meters);
        this.failed = Counter.builder("orders.notifications").tag("outcome", "failed")
                .description("Orders marked NOTIFY_FAILED after the webhook refused every attempt").register(meters);
    }

    /** {@return the end of a claim made now} */
    Instant leaseFromNow() {
        return scheduler.now().plus(properties.outbox().lease());
    }

    /**
     * Delivers a claimed order's notification, with every retry, and settles it. Call it from a
     * task: it blocks until the order is settled, or until this instance stops.
     *
     * @param orderId the order, whose outbox claim this instance holds
     */
    public void deliver(long orderId) {
        Task<?> self = Task.current().orElseThrow(() -> new IllegalStateException("deliver runs in a task"));
        inFlight.add(self);
        try {
            if (running) {
                attempt(orderId);
            }
        } finally {
            inFlight.remove(self);
        }
    }

    private void attempt(long orderId) {
        Order order = store.find(orderId).orElseThrow(() -> new IllegalStateException("no order " + orderId));
        OrderNotification notification = new OrderNotification(orderId, order.customer(), order.items().size());
        WorkerProperties.Webhook settings = properties.webhook();
        Duration backoff = settings.firstBackoff();
        for (int attempt = 1; ; attempt++) {
            store.countAttempt(orderId);
            try {
                webhook.deliver(notification);
                settle(orderId, NotificationState.NOTIFIED, notified, "notified on attempt " + attempt);
                return;
            } catch (Webhook.WebhookException refused) {
                if (!running || Thread.currentThread().isInterrupted()) {
                    return; // stopping: the order stays pending, and its claim is given back
                }
                if (attempt == settings.maxAttempts()) {
                    log.warn("Order {} is NOTIFY_FAILED after {} attempts; the last: {}", orderId, attempt,
                            refused.getMessage());
                    settle(orderId, NotificationState.NOTIFY_FAILED, failed, "notify failed after " + attempt
                            + " attempts: " + refused.getMessage());
                    return;
                }
                executor.timer(backoff).join();
                backoff = backoff.multipliedBy(2);
            }
        }
    }

    private void settle(long orderId, NotificationState state, Counter counter, String audit) {
        if (store.settle(orderId, properties.instance(), state)) {
            counter.increment();
            store.audit(orderId, audit, scheduler.now());
        } else {
            log.warn("Order {} was claimed by another instance while {} tried it; it settles it instead",
                    orderId, properties.instance());
        }
    }

    /**
     * Claims up to a batch of pending orders nobody holds and delivers each as a task of its own,
     * waiting for them all.
     *
     * @return how many orders it claimed
     */
    public int redrive() {
        if (!running) {
            return 0;
        }
        List<Long> claimed = store.claimPending(properties.instance(), scheduler.now(), leaseFromNow(),
                properties.outbox().batch());
        List<Task<Void>> deliveries = claimed.stream()
                .map(id -> executor.spawnLabeled(TaskLabel.of("redrive-order-" + id), () -> deliver(id)))
                .toList();
        awaitAll(deliveries);
        if (!claimed.isEmpty()) {
            log.info("Re-drove {} pending order notifications", claimed.size());
        }
        return claimed.size();
    }

    /**
     * Waits for every delivery. A cancelled one leaves its order pending; one that failed (the
     * database, say) is logged, and its order is re-driven once its claim runs out.
     */
    private static void awaitAll(List<? extends Task<?>> deliveries) {
        for (Task<?> delivery : deliveries) {
            try {
                delivery.join();
            } catch (CancellationException stopped) {
                // the application is stopping: the order stays pending
            } catch (RuntimeException failure) {
                log.error("{} failed; its order stays pending until its claim runs out", delivery, failure);
            }
        }
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        for (Task<?> delivery : List.copyOf(inFlight)) {
            delivery.cancel(true);
        }
        awaitAll(List.copyOf(inFlight));
        int released = store.releaseClaims(properties.instance());
        if (released > 0) {
            log.info("Stopping with {} order notifications pending; their claims are given back for a re-drive",
                    released);
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
