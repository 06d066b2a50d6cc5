package dev.scheduler.sample.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.scheduler.Executor;
import dev.scheduler.SessionId;
import dev.scheduler.Task;
import dev.scheduler.TaskLabel;
import dev.scheduler.cloud.WorkerExecutionContext;
import dev.scheduler.test.TestScheduler;
import dev.scheduler.test.junit.SchedulerTest;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.context.WebApplicationContext;
import tools.jackson.databind.json.JsonMapper;

/**
 * The order-intake service under the test profile: every request runs on the test thread's
 * {@link TestScheduler}, its notifications and retries in virtual time, and the webhook is the
 * sample's own receiver called in-process, so that a seed decides every interleaving.
 */
@SpringBootTest(properties = "spring.datasource.url=jdbc:h2:mem:order-intake;DB_CLOSE_DELAY=-1")
@ActiveProfiles("test")
@Import(OrderIntakeTests.Webhooks.class)
class OrderIntakeTests {

    @Autowired
    private WebApplicationContext context;

    @Autowired
    private FilterRegistrationBean<RequestSessions> requestSessions;

    @Autowired
    private TestScheduler scheduler;

    @Autowired
    private Executor executor;

    @Autowired
    private WorkerExecutionContext platform;

    @Autowired
    private InProcessWebhook webhook;

    @Autowired
    private JdbcClient jdbc;

    @Autowired
    private MeterRegistry meters;

    private final JsonMapper json = JsonMapper.builder().build();

    private MockMvc mvc;

    @BeforeEach
    void setUp() {
        mvc = MockMvcBuilders.webAppContextSetup(context).addFilters(requestSessions.getFilter()).build();
        webhook.refuseWithProbability(0);
        webhook.refuseNext(0);
        webhook.refuseForGood(false);
    }

    /** The webhook the tests tell to refuse: the sample's receiver, called without HTTP. */
    @TestConfiguration
    static class Webhooks {

        @Bean
        @Primary
        InProcessWebhook inProcessWebhook(WebhookReceiver receiver, TestScheduler scheduler) {
            return new InProcessWebhook(receiver, scheduler);
        }
    }

    /** Refuses the next N calls, or each call with a probability drawn from the seed. */
    static final class InProcessWebhook implements Webhook {

        private final WebhookReceiver receiver;
        private final TestScheduler scheduler;
        private final AtomicInteger refuseNext = new AtomicInteger();
        private volatile double refusalProbability;
        private volatile boolean refuseForGood;

        InProcessWebhook(WebhookReceiver receiver, TestScheduler scheduler) {
            this.receiver = receiver;
            this.scheduler = scheduler;
        }

        void refuseNext(int calls) {
            refuseNext.set(calls);
        }

        void refuseWithProbability(double probability) {
            refusalProbability = probability;
        }

        /** Answers as a receiver that says the request is wrong ({@code 4xx}): not worth another try. */
        void refuseForGood(boolean forGood) {
            refuseForGood = forGood;
        }

        @Override
        public void deliver(OrderNotification notification) {
            scheduler.simulateRandomDelay();
            if (refuseForGood) {
                throw new WebhookException("400 for order " + notification.orderId(), null, false);
            }
            if (refuseNext.getAndUpdate(left -> Math.max(0, left - 1)) > 0
                    || scheduler.rng().nextDouble() < refusalProbability
                    || !receiver.receive(notification, notification.idempotencyKey(), scheduler.now())) {
                throw new WebhookException("refused order " + notification.orderId(), null);
            }
        }
    }

    private ResultActions place(String body) throws Exception {
        return mvc.perform(post("/orders").contentType(MediaType.APPLICATION_JSON).content(body));
    }

    private long placeOrder(String customer) throws Exception {
        MvcResult result = place("{\"customer\": \"" + customer + "\", \"items\": [{\"sku\": \"book-1\", \"quantity\": 2}]}")
                .andExpect(status().isAccepted()).andReturn();
        return json.readTree(result.getResponse().getContentAsString()).get("id").asLong();
    }

    private String notification(long id) throws Exception {
        MvcResult result = mvc.perform(get("/orders/" + id)).andExpect(status().isOk()).andReturn();
        return json.readTree(result.getResponse().getContentAsString()).get("notification").asString();
    }

    private int attempts(long id) {
        return jdbc.sql("SELECT notify_attempts FROM orders WHERE id = ?").param(id).query(Integer.class).single();
    }

    private int deliveries(long id) {
        return jdbc.sql("SELECT COUNT(*) FROM webhook_deliveries WHERE order_id = ?").param(id).query(Integer.class).single();
    }

    @Nested
    class PlacingAnOrder {

        @Test
        void answers202AtOnceWithItsIdAndLocationAndTheWebhookIsToldAfterTheResponse() throws Exception {
            MvcResult result = place("{\"customer\": \"Ada\", \"items\": [{\"sku\": \"book-1\", \"quantity\": 2},"
                    + " {\"sku\": \"pen-7\", \"quantity\": 1}]}")
                    .andExpect(status().isAccepted())
                    .andExpect(jsonPath("$.id").isNumber())
                    .andReturn();
            long id = json.readTree(result.getResponse().getContentAsString()).get("id").asLong();
            assertThat(result.getResponse().getHeader("Location")).isEqualTo("/orders/" + id);
            assertThat(platform.snapshot().activeSessions()).isZero();

            scheduler.runUntilParked();

            mvc.perform(get("/orders/" + id)).andExpect(status().isOk())
                    .andExpect(jsonPath("$.customer").value("Ada"))
                    .andExpect(jsonPath("$.items[1].sku").value("pen-7"))
                    .andExpect(jsonPath("$.notification").value("NOTIFIED"))
                    .andExpect(jsonPath("$.notifyAttempts").value(1));
            assertThat(deliveries(id)).isOne();
            // Two waitUntil tasks write these, in an order the seed decides.
            mvc.perform(get("/orders/" + id + "/audit")).andExpect(status().isOk())
                    .andExpect(jsonPath("$").value(org.hamcrest.Matchers.containsInAnyOrder(
                            "accepted 2 lines for Ada", "notified on attempt 1")));
        }

        @Test
        void aWebhookThatFailsTwiceIsRetriedAfterOneSecondAndThenTwoOnTheSchedulersClock() throws Exception {
            webhook.refuseNext(2);
            long id = placeOrder("Grace");
            scheduler.runUntilParked();
            assertThat(attempts(id)).isOne();

            scheduler.advanceClock(Duration.ofMillis(999));
            assertThat(attempts(id)).isOne();
            scheduler.advanceClock(Duration.ofMillis(1));
            assertThat(attempts(id)).isEqualTo(2);
            assertThat(notification(id)).isEqualTo("PENDING");

            scheduler.advanceClock(Duration.ofMillis(1999));
            assertThat(attempts(id)).isEqualTo(2);
            scheduler.advanceClock(Duration.ofMillis(1));
            assertThat(attempts(id)).isEqualTo(3);
            assertThat(notification(id)).isEqualTo("NOTIFIED");
            assertThat(deliveries(id)).isOne();
        }

        @Test
        void aWebhookThatKeepsFailingMarksTheOrderNotifyFailedAndCountsIt() throws Exception {
            double failedBefore = meters.get("orders.notifications").tag("outcome", "failed").counter().count();
            webhook.refuseNext(Integer.MAX_VALUE);

            long id = placeOrder("Linus");
            scheduler.advanceClock(Duration.ofSeconds(7)); // 1 s + 2 s + 4 s between the four attempts

            assertThat(notification(id)).isEqualTo("NOTIFY_FAILED");
            assertThat(attempts(id)).isEqualTo(4);
            assertThat(deliveries(id)).isZero();
            assertThat(meters.get("orders.notifications").tag("outcome", "failed").counter().count())
                    .isEqualTo(failedBefore + 1);
            assertThat(jdbc.sql("SELECT COUNT(*) FROM outbox WHERE order_id = ?").param(id).query(Integer.class).single())
                    .isZero();
        }
    }

    @Nested
    class ARefusingWebhook {

        @Test
        void thatSaysTheRequestIsWrongIsNotRetriedAndTheOrderFailsAtOnce() throws Exception {
            webhook.refuseForGood(true);

            long id = placeOrder("Barbara");
            scheduler.runUntilParked();

            assertThat(notification(id)).isEqualTo("NOTIFY_FAILED");
            assertThat(attempts(id)).isOne();
        }
    }

    @Nested
    class BadInput {

        @Test
        void malformedJsonIsA400Problem() throws Exception {
            place("{\"customer\": ").andExpect(status().isBadRequest())
                    .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                    .andExpect(jsonPath("$.title").value("Malformed order"))
                    .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.startsWith("The body is not valid JSON")));
        }

        @Test
        void aValueOfTheWrongTypeNamesItsField() throws Exception {
            place("{\"customer\": \"Ada\", \"items\": [{\"sku\": \"b\", \"quantity\": \"many\"}]}")
                    .andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.errors[0].field").value("items[0].quantity"));
        }

        @Test
        void missingFieldsANonPositiveQuantityAndAnOverLongFieldAreNamed() throws Exception {
            place("{\"items\": [{\"sku\": \"" + "s".repeat(65) + "\", \"quantity\": 0}, {\"quantity\": 1}]}")
                    .andExpect(status().isBadRequest())
                    .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                    .andExpect(jsonPath("$.title").value("Invalid order"))
                    .andExpect(jsonPath("$.errors[*].field").value(org.hamcrest.Matchers.containsInAnyOrder(
                            "customer", "items[0].quantity", "items[0].sku", "items[1].sku")))
                    .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString(
                            "items[0].quantity must be greater than 0")));
        }

        @Test
        void anOrderWithoutItemsIsRefusedAndNothingIsStored() throws Exception {
            long before = jdbc.sql("SELECT COUNT(*) FROM orders").query(Long.class).single();

            place("{\"customer\": \"Ada\", \"items\": []}").andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.errors[0].field").value("items"));

            assertThat(jdbc.sql("SELECT COUNT(*) FROM orders").query(Long.class).single()).isEqualTo(before);
        }

        @Test
        void anUnknownOrderIsA404Problem() throws Exception {
            mvc.perform(get("/orders/987654321")).andExpect(status().isNotFound())
                    .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                    .andExpect(jsonPath("$.detail").value("There is no order 987654321"));
        }

        @Test
        void theReceiverRefusesANegativeCountNamingTheParameter() throws Exception {
            mvc.perform(post(WebhookReceiver.PATH + "/fail-next").param("calls", "-1"))
                    .andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.errors[0].field").value("calls"));
        }
    }

    @Nested
    class Sessions {

        @Test
        void aLeakedTaskIsReportedAndCountedWhenItsRequestEnds() throws Exception {
            double failuresBefore = meters.get("scheduler.sessions.cleanup.failures").functionCounter().count();
            SessionId session = platform.createSession();
            platform.withSession(session, () -> {
                executor.spawnLabeled(TaskLabel.of("cache-warmer"), () -> platform.delay(Duration.ofMinutes(1)));
            });

            platform.endSession(session);

            assertThat(meters.get("scheduler.sessions.cleanup.failures").functionCounter().count())
                    .isEqualTo(failuresBefore + 1);
            scheduler.advanceClock(Duration.ofMinutes(1)); // the leaked task finishes, so this test leaves nothing behind
        }

        @Test
        void theSchedulerEndpointShowsTheTestSchedulerAndOpenSessions() throws Exception {
            CompletableFuture<Void> release = new CompletableFuture<>();
            SessionId open = platform.createSession();
            platform.withSession(open, () -> {
                platform.waitUntil(() -> platform.executor().blockOn(release));
            });
            scheduler.runUntilParked();

            mvc.perform(get("/actuator/scheduler"))
                    .andExpect(status().isOk())
                    .andExpect(jsonPath("$.dispatcher").value(TestScheduler.class.getName()))
                    .andExpect(jsonPath("$.sessions[?(@.id == '" + open + "')].waitUntil").value(1));

            release.complete(null);
            scheduler.runUntilParked();
            platform.endSession(open);
        }
    }

    /**
     * Two hundred clients place orders at once, and the webhook refuses a third of its calls; the
     * seed decides every interleaving of requests, notifications, retries and the re-drive.
     */
    @SchedulerTest(iterations = 50)
    void twoHundredConcurrentOrdersAreEachStoredOnceAndNotifiedOrMarkedFailed(TestScheduler scheduler)
            throws Exception {
        webhook.refuseWithProbability(1.0 / 3);
        long failuresBefore = platform.snapshot().cleanupFailures();
        String run = "seed-" + scheduler.seed() + "-" + System.nanoTime() + "-";

        List<Task<Long>> clients = IntStream.range(0, 200)
                .mapToObj(client -> executor.spawnLabeled(TaskLabel.of("client-" + client),
                        () -> placeOrder(run + client)))
                .toList();
        List<Long> ids = clients.stream().map(Task::join).toList();
        scheduler.advanceClock(Duration.ofMinutes(2)); // every retry, and a re-drive

        assertThat(ids).doesNotHaveDuplicates();
        Map<String, Long> stored = jdbc.sql("SELECT customer, COUNT(*) FROM orders WHERE customer LIKE ? GROUP BY customer")
                .param(run + "%").query((row, n) -> Map.entry(row.getString(1), row.getLong(2))).list().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assertThat(stored).hasSize(200).allSatisfy((customer, copies) -> assertThat(copies).isOne());
        for (long id : ids) {
            String state = jdbc.sql("SELECT notification FROM orders WHERE id = ?").param(id).query(String.class).single();
            assertThat(state).as("order %d", id).isIn("NOTIFIED", "NOTIFY_FAILED");
            assertThat(deliveries(id)).as("deliveries of order %d (%s)", id, state)
                    .isEqualTo(state.equals("NOTIFIED") ? 1 : 0);
        }
        assertThat(jdbc.sql("SELECT COUNT(*) FROM outbox").query(Integer.class).single()).isZero();
        assertThat(platform.snapshot().unauthorizedTasks()).isZero();
        assertThat(platform.snapshot().cleanupFailures()).isEqualTo(failuresBefore);
        assertThat(platform.snapshot().activeSessions()).isZero();
    }
}
