package dev.scheduler.sample.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The service on the production dispatcher, over real HTTP: a thousand orders from eight client
 * threads, each stored once and notified once through the sample's own receiver on loopback.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.datasource.url=jdbc:h2:mem:over-http;DB_CLOSE_DELAY=-1")
class OrderIntakeOverHttpTests {

    private static final int CLIENTS = 8;
    private static final int ORDERS = 1000;

    @LocalServerPort
    private int port;

    @Autowired
    private JdbcClient jdbc;

    @Test
    void aThousandOrdersFromEightClientsAreEachStoredOnceAndNotifiedOnce() throws Exception {
        String run = "http-" + System.nanoTime() + "-";
        long started = System.nanoTime();
        List<OrderHttpClient.Placed> placed;
        try (OrderHttpClient client = new OrderHttpClient()) {
            placed = client.placeFromClients(CLIENTS, ORDERS, order -> port, run);
        }
        long elapsed = System.nanoTime() - started;
        List<Long> ids = placed.stream().map(OrderHttpClient.Placed::id).toList();
        List<Long> latencies = placed.stream().map(OrderHttpClient.Placed::nanos).toList();

        assertThat(ids).hasSize(ORDERS).doesNotHaveDuplicates();
        assertThat(jdbc.sql("SELECT COUNT(DISTINCT customer) FROM orders WHERE customer LIKE ?").param(run + "%")
                .query(Long.class).single()).isEqualTo(ORDERS);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM orders WHERE customer LIKE ?").param(run + "%")
                .query(Long.class).single()).isEqualTo(ORDERS);
        OrderHttpClient.awaitUntil("every order is notified",
                () -> OrderHttpClient.count(jdbc, run, "NOTIFIED") == ORDERS);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM webhook_deliveries d JOIN orders o ON o.id = d.order_id"
                + " WHERE o.customer LIKE ?").param(run + "%").query(Long.class).single()).isEqualTo(ORDERS);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM outbox").query(Long.class).single()).isZero();

        report(elapsed, latencies);
    }

    /** Throughput and latency of the requests, for the README: target/order-intake-over-http.txt. */
    private static void report(long elapsedNanos, List<Long> latencies) throws Exception {
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        String line = String.format(Locale.ROOT,
                "%d orders from %d clients over HTTP in %.2f s: %.0f orders/s, latency p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                ORDERS, CLIENTS, elapsedNanos / 1e9, ORDERS / (elapsedNanos / 1e9), percentile(sorted, 0.50),
                percentile(sorted, 0.99), sorted.getLast() / 1e6);
        System.out.print(line);
        Files.writeString(Path.of("target", "order-intake-over-http.txt"), line);
    }

    private static double percentile(List<Long> sorted, double fraction) {
        return sorted.get((int) Math.ceil(fraction * sorted.size()) - 1) / 1e6;
    }
}
