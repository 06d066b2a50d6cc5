package dev.scheduler.sample.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.function.IntUnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.simple.JdbcClient;

/** What the real-HTTP tests share: placing an order over HTTP, and waiting for the database to show something. */
final class OrderHttpClient implements AutoCloseable {

    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*(\\d+)");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();

    /** Places one order on the instance at {@code port}; {@return its id}, after checking the 202. */
    long place(int port, String customer) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/orders"))
                .header("Content-Type", "application/json").timeout(Duration.ofMinutes(1))
                .POST(HttpRequest.BodyPublishers.ofString("{\"customer\": \"" + customer
                        + "\", \"items\": [{\"sku\": \"book-1\", \"quantity\": 1}, {\"sku\": \"pen-2\", \"quantity\": 3}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        Matcher id = ID.matcher(response.body());
        assertThat(id.find()).as(response.body()).isTrue();
        assertThat(response.headers().firstValue("Location")).hasValue("/orders/" + id.group(1));
        return Long.parseLong(id.group(1));
    }

    /** One order placed by {@link #placeFromClients}: its id, and how long its request took. */
    record Placed(long id, long nanos) {
    }

    /**
     * Places {@code orders} orders from {@code clients} threads at once, each client its share in
     * turn; order {@code n} goes to {@code portOf.applyAsInt(n)}, for customer {@code prefix + n}.
     * {@return every order placed, in no particular order} after checking each 202
     */
    List<Placed> placeFromClients(int clients, int orders, IntUnaryOperator portOf, String prefix) throws Exception {
        List<Placed> placed = Collections.synchronizedList(new ArrayList<>());
        try (ExecutorService threads = Executors.newFixedThreadPool(clients)) {
            List<Future<?>> sent = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int first = c * (orders / clients);
                sent.add(threads.submit(() -> {
                    for (int order = first; order < first + orders / clients; order++) {
                        long begin = System.nanoTime();
                        long id = place(portOf.applyAsInt(order), prefix + order);
                        placed.add(new Placed(id, System.nanoTime() - begin));
                    }
                    return null;
                }));
            }
            for (Future<?> each : sent) {
                each.get();
            }
        }
        return List.copyOf(placed);
    }

    /** How many of the orders placed by customers starting with {@code prefix} are in {@code state}. */
    static long count(JdbcClient jdbc, String prefix, String state) {
        return jdbc.sql("SELECT COUNT(*) FROM orders WHERE customer LIKE ? AND notification = ?")
                .params(prefix + "%", state).query(Long.class).single();
    }

    /**
     * Polls {@code condition} until it holds; fails, naming {@code what}, if it does not within a
     * generous guard (the webhook's retries take seconds, not minutes).
     */
    static void awaitUntil(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Gave up after 3 minutes waiting until " + what);
            }
            Thread.sleep(20); // polling the database, not waiting for a time to pass
        }
    }

    @Override
    public void close() {
        http.close();
    }
}
