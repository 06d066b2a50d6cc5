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
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
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
 * spawned by a re-drive, and it calls the webhook only while this instance holds the order's outbox
 * claim: it renews the claim before each attempt and stops if another instance took it over. A
 * delivery that ends without settling its order gives the claim back. When the application stops,
 * this lifecycle stops first, before the web server and long before the scheduler: it takes no more
 * work, ends the deliveries' backoff waits (their orders stay {@code PENDING}: a stopped delivery is
 * not a failed one) and waits until they have settled or given their claims back, so that the next instance to
 * start, or another one running, re-drives those orders at once instead of after the lease.
 */
@Component
public class OrderNotifier implements SmartLifecycle {

    /**
     * Stops before the web server's graceful shutdown ({@code DEFAULT_PHASE - 1024}), so that no
     * delivery to this instance's own receiver fails because the server stopped first; requests
     * still served then hand their orders to the next instance. Long before the scheduler.
     */
    static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;

    private static final Logger log = LoggerFactory.getLogger(OrderNotifier.class);

    private final OrderStore store;
    private final Webhook webhook;
    private final Executor executor;
    private final Scheduler scheduler;
    private final WorkerProperties properties;
    private final Counter notified;
    private final Counter failed;
    /** The deliveries running now, each with what completes once its body has given its claim back. */
    private final Map<Task<?>, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();
    private volatile boolean running;
    /** Completed when this instance stops, to end the backoff waits at once. */
    private volatile CompletableFuture<Void> stopped = new CompletableFuture<>();

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
     * task: it blocks until the order is settled, until the claim is lost, or until this instance
     * stops, and then gives the claim back.
     *
     * @param orderId the order, whose outbox claim this instance holds
     */
    public void deliver(long orderId) {
        CompletableFuture<Void> exited = new CompletableFuture<>();
        Task<?> self = Task.current().orElseThrow(() -> new IllegalStateException("deliver runs in a task"));
        inFlight.put(self, exited);
        boolean settled = false;
        try {
            settled = running && attempt(orderId);
        } finally {
            try {
                if (!settled) {
                    giveBack(orderId);
                }
            } finally {
                inFlight.remove(self);
                exited.complete(null);
            }
        }
    }

    /** {@return whether the order was settled} Each attempt first renews the claim, and stops if it was lost. */
    private boolean attempt(long orderId) {
        Order order = store.find(orderId).orElseThrow(() -> new IllegalStateException("no order " + orderId));
        OrderNotification notification = new OrderNotification(orderId, order.customer(), order.items().size());
        WorkerProperties.Webhook settings = properties.webhook();
        Duration backoff = settings.firstBackoff();
        for (int attempt = 1; ; attempt++) {
            if (!running || !store.renewClaim(orderId, properties.instance(), scheduler.now(), leaseFromNow())) {
                return false;
            }
            store.countAttempt(orderId);
            try {
                webhook.deliver(notification);
                return settle(orderId, NotificationState.NOTIFIED, notified, "notified on attempt " + attempt);
            } catch (Webhook.WebhookException refused) {
                if (!running || Thread.currentThread().isInterrupted()) {
                    return false; // stopping: the order stays pending, and its claim is given back
                }
                if (attempt == settings.maxAttempts() || !refused.retryable()) {
                    log.warn("Order {} is NOTIFY_FAILED after {} attempts; the last: {}", orderId, attempt,
                            refused.getMessage());
                    return settle(orderId, NotificationState.NOTIFY_FAILED, failed, "notify failed after " + attempt
                            + (attempt == 1 ? " attempt: " : " attempts: ") + refused.getMessage());
                }
                Task<Void> wait = executor.timer(backoff);
                executor.blockOn(CompletableFuture.anyOf(wait.toCompletableFuture(), stopped));
                wait.cancel();
                backoff = backoff.multipliedBy(2);
            }
        }
    }

    /** {@return whether this instance still held the claim, and so settled the order} */
    private boolean settle(long orderId, NotificationState state, Counter counter, String audit) {
        if (store.settle(orderId, properties.instance(), state)) {
            counter.increment();
            store.audit(orderId, audit, scheduler.now());
            return true;
        }
        log.warn("Order {} was no longer claimed by {} when it came to be settled {}", orderId,
                properties.instance(), state);
        return true; // nothing of it is ours to give back
    }

    /**
     * Gives back the claim of an order this instance did not settle, so that a re-drive takes it at
     * once; with the interrupt of a cancelled delivery set aside for the call, and restored after.
     */
    private void giveBack(long orderId) {
        boolean interrupted = Thread.interrupted();
        try {
            store.releaseClaim(orderId, properties.instance());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
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
        stopped = new CompletableFuture<>();
        running = true;
    }

    /**
     * Takes no more work, ends the deliveries' backoff waits and waits (a webhook call's timeout, and
     * a little more) until each delivery has settled its order or given its claim back; then gives
     * back whatever claim is left, of deliveries that never started.
     */
    @Override
    public void stop() {
        running = false;
        stopped.complete(null);
        // Not cancelled: an interrupt would break a database connection mid-call and could lose the
        // answer of a webhook call the receiver accepted. A delivery in a backoff wakes at once, and
        // one in a call ends within the webhook's timeout.
        Map<Task<?>, CompletableFuture<Void>> stopping = Map.copyOf(inFlight);
        Duration patience = properties.webhook().timeout().plusSeconds(5);
        for (Map.Entry<Task<?>, CompletableFuture<Void>> delivery : stopping.entrySet()) {
            executor.blockWithTimeout(patience, delivery.getValue());
            if (!delivery.getValue().isDone()) { // the future's value is null: only isDone tells a timeout
                log.warn("{} did not stop within {}; its order may be notified again by another instance",
                        delivery.getKey(), patience);
            }
        }
        int released = store.releaseClaims(properties.instance());
        if (released + stopping.size() > 0) {
            log.info("Stopping with {} order notifications in flight and {} more claimed; they are given back"
                    + " for a re-drive", stopping.size(), released);
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
