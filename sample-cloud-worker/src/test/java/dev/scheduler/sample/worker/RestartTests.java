package dev.scheduler.sample.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;

/**
 * Nothing is lost across a stop: orders accepted while the webhook refuses everything are still
 * pending when the application stops, and the next one to start on the same database notifies
 * every one of them.
 */
class RestartTests {

    /** Starts an instance; {@code properties} as command-line arguments, which outrank application.properties. */
    private static ConfigurableApplicationContext start(String... properties) {
        List<String> arguments = new ArrayList<>(List.of("--server.port=0",
                "--spring.datasource.url=jdbc:h2:mem:restart;DB_CLOSE_DELAY=-1", "--worker.webhook.first-backoff=200ms"));
        for (String property : properties) {
            arguments.add("--" + property);
        }
        return new SpringApplicationBuilder(WorkerApplication.class).run(arguments.toArray(String[]::new));
    }

    @Test
    void ordersPendingWhenTheApplicationStopsAreNotifiedByTheNextOneToStart() throws Exception {
        String run = "restart-" + System.nanoTime() + "-";
        List<Long> ids = new ArrayList<>();
        try (ConfigurableApplicationContext first = start("worker.instance=first", "worker.receiver.fail-first=1000000",
                "worker.webhook.max-attempts=8");
                OrderHttpClient client = new OrderHttpClient()) {
            int port = first.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
            for (int order = 0; order < 20; order++) {
                ids.add(client.place(port, run + order));
            }
            JdbcClient jdbc = first.getBean(JdbcClient.class);
            OrderHttpClient.awaitUntil("the webhook has refused each order at least once", () -> jdbc.sql(
                    "SELECT COUNT(*) FROM orders WHERE customer LIKE ? AND notify_attempts > 0").param(run + "%")
                    .query(Long.class).single() == ids.size());
        }

        try (ConfigurableApplicationContext second = start("worker.instance=second")) {
            JdbcClient jdbc = second.getBean(JdbcClient.class);
            assertThat(jdbc.sql("SELECT COUNT(*) FROM outbox WHERE claimed_by = 'first'").query(Long.class).single())
                    .as("claims the first instance gave back when it stopped").isZero();

            OrderHttpClient.awaitUntil("the second instance has notified every pending order",
                    () -> OrderHttpClient.count(jdbc, run, "NOTIFIED") == ids.size());
            for (long id : ids) {
                assertThat(jdbc.sql("SELECT COUNT(*) FROM webhook_deliveries WHERE order_id = ?").param(id)
                        .query(Long.class).single()).as("deliveries of order %d", id).isOne();
                assertThat(jdbc.sql("SELECT entry FROM audit WHERE order_id = ? ORDER BY id").param(id)
                        .query(String.class).list()).last().asString().startsWith("notified on attempt ");
            }
        }
    }

    @Test
    void anOrderClaimedByAnInstanceThatCrashedIsNotifiedOnceItsLeaseRunsOut() throws Exception {
        String customer = "crashed-" + System.nanoTime();
        try (ConfigurableApplicationContext survivor = start("worker.instance=survivor",
                "worker.outbox.redrive-interval=100ms")) {
            JdbcClient jdbc = survivor.getBean(JdbcClient.class);
            // What a crash leaves: an accepted order, claimed by an instance that will never settle it.
            GeneratedKeyHolder key = new GeneratedKeyHolder();
            jdbc.sql("INSERT INTO orders (customer, placed_at, notification) VALUES (?, ?, 'PENDING')")
                    .params(customer, OffsetDateTime.now(ZoneOffset.UTC)).update(key, "id");
            long id = key.getKeyAs(Long.class);
            OffsetDateTime leaseEnd = OffsetDateTime.now(ZoneOffset.UTC).plusSeconds(2);
            jdbc.sql("INSERT INTO outbox (order_id, claimed_by, claimed_until) VALUES (?, 'crashed', ?)")
                    .params(id, leaseEnd).update();

            OrderHttpClient.awaitUntil("the survivor has notified the crashed instance's order",
                    () -> OrderHttpClient.count(jdbc, customer, "NOTIFIED") == 1);

            assertThat(OffsetDateTime.now(ZoneOffset.UTC)).as("not before the lease ran out").isAfter(leaseEnd);
            assertThat(jdbc.sql("SELECT COUNT(*) FROM webhook_deliveries WHERE order_id = ?").param(id)
                    .query(Long.class).single()).isOne();
        }
    }
}
