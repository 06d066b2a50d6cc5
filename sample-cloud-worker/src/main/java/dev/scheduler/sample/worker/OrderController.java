package dev.scheduler.sample.worker;

import dev.scheduler.Scheduler;
import dev.scheduler.cloud.WorkerExecutionContext;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.validation.Valid;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Order intake. {@code POST /orders} stores the order and answers {@code 202 Accepted} at once; the
 * webhook notification and the audit record finish after the response, through the request
 * session's {@code waitUntil}. {@code GET /orders/{id}} shows where the notification stands.
 */
@RestController
public class OrderController {

    private final OrderStore store;
    private final OrderNotifier notifier;
    private final WorkerExecutionContext platform;
    private final Scheduler scheduler;
    private final WorkerProperties properties;
    private final Counter placed;

    OrderController(OrderStore store, OrderNotifier notifier, WorkerExecutionContext platform, Scheduler scheduler,
            WorkerProperties properties, MeterRegistry meters) {
        this.store = store;
        this.notifier = notifier;
        this.platform = platform;
        this.scheduler = scheduler;
        this.properties = properties;
        this.placed = Counter.builder("orders.placed").description("Orders accepted by POST /orders").register(meters);
    }

    /**
     * Accepts an order.
     *
     * @param order the order, validated
     * @return {@code 202} with the order's id and its {@code Location}
     */
    @PostMapping("/orders")
    public ResponseEntity<Map<String, Long>> place(@Valid @RequestBody NewOrder order) {
        Instant now = scheduler.now();
        long id = store.place(order, now, properties.instance(), notifier.leaseFromNow());
        placed.increment();
        platform.waitUntil(() -> notifier.deliver(id));
        int lines = order.items().size();
        platform.waitUntil(() -> store.audit(id, "accepted " + lines + (lines == 1 ? " line" : " lines") + " for "
                + order.customer(), scheduler.now()));
        return ResponseEntity.accepted().location(URI.create("/orders/" + id)).body(Map.of("id", id));
    }

    /**
     * Shows an order.
     *
     * @param id the order's id
     * @return the order with its notification state
     * @throws ErrorResponseException {@code 404} with a problem body if there is no such order
     */
    @GetMapping("/orders/{id}")
    public Order find(@PathVariable long id) {
        return store.find(id).orElseThrow(() -> notFound(id));
    }

    /**
     * Shows an order's audit trail.
     *
     * @param id the order's id
     * @return its entries, oldest first
     */
    @GetMapping("/orders/{id}/audit")
    public List<String> audit(@PathVariable long id) {
        store.find(id).orElseThrow(() -> notFound(id));
        return store.auditTrail(id);
    }

    private static ErrorResponseException notFound(long id) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "There is no order " + id);
        problem.setTitle("Order not found");
        problem.setProperty("orderId", id);
        return new ErrorResponseException(HttpStatus.NOT_FOUND, problem, null);
    }
}
