package dev.scheduler.sample.worker;

import jakarta.validation.constraints.Min;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The webhook's default target, inside the sample so that the demo is self-contained on loopback.
 * It records every notification it accepts in {@code webhook_deliveries}, and can be told to refuse
 * the next calls with {@code 503}, to show the retries.
 */
@RestController
public class WebhookReceiver {

    /** Where it listens. */
    public static final String PATH = "/webhook-receiver/orders";

    private final JdbcClient jdbc;
    private final AtomicInteger refusals;

    WebhookReceiver(JdbcClient jdbc, WorkerProperties properties) {
        this.jdbc = jdbc;
        this.refusals = new AtomicInteger(properties.receiver().failFirst());
    }

    /**
     * Accepts one notification, unless it was told to refuse this call.
     *
     * @param notification the order
     * @param idempotencyKey the key the sender sent, {@code order-<id>}
     * @param at when
     * @return whether it accepted the notification
     */
    public boolean receive(OrderNotification notification, String idempotencyKey, Instant at) {
        if (refusals.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
            return false;
        }
        jdbc.sql("INSERT INTO webhook_deliveries (order_id, idempotency_key, received_at) VALUES (?, ?, ?)")
                .params(notification.orderId(), idempotencyKey, at.atOffset(ZoneOffset.UTC)).update();
        return true;
    }

    @PostMapping(PATH)
    ResponseEntity<ProblemDetail> post(@RequestBody OrderNotification notification,
            @RequestHeader("Idempotency-Key") String idempotencyKey) {
        if (receive(notification, idempotencyKey, Instant.now())) {
            return ResponseEntity.noContent().build();
        }
        ProblemDetail refused = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                "The receiver was told to refuse this call (worker.receiver.fail-first, or POST " + PATH + "/fail-next)");
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(refused);
    }

    /**
     * Tells the receiver to refuse the next {@code calls} notifications.
     *
     * @param calls how many; zero or more
     * @return how many it will refuse
     */
    @PostMapping(PATH + "/fail-next")
    Map<String, Integer> failNext(@RequestParam @Min(0) int calls) {
        refusals.set(calls);
        return Map.of("failNext", calls);
    }
}
