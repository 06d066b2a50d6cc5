package dev.scheduler.sample.worker;

import dev.scheduler.Executor;
import dev.scheduler.TaskLabel;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Re-drives the outbox: at start-up, so that orders accepted before a crash or a stop are notified,
 * and then periodically on the {@code @Scheduled} bridge, for claims whose lease ran out. ShedLock
 * lets one instance of a cluster run it at a time; the outbox's row claims keep even overlapping
 * runs from notifying an order twice.
 */
@Component
public class OutboxRedrive {

    private final OrderNotifier notifier;
    private final Executor executor;

    OutboxRedrive(OrderNotifier notifier, Executor executor) {
        this.notifier = notifier;
        this.executor = executor;
    }

    /**
     * One re-drive: claims a batch of pending orders and notifies each. (It returns nothing:
     * ShedLock cannot lock a method that returns a primitive.)
     */
    @Scheduled(fixedDelayString = "${worker.outbox.redrive-interval:30s}",
            initialDelayString = "${worker.outbox.redrive-interval:30s}")
    @SchedulerLock(name = "orders-outbox-redrive")
    public void redrive() {
        notifier.redrive();
    }

    /** At start-up, as a task of its own, so that the start does not wait for the webhook. */
    @EventListener(ApplicationReadyEvent.class)
    void redriveAtStartUp() {
        executor.spawnLabeled(TaskLabel.of("outbox-redrive-at-start-up"), notifier::redrive).detach();
    }
}
