package dev.scheduler.sample.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.request;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.scheduler.SessionId;
import dev.scheduler.cloud.WorkerExecutionContext;
import dev.scheduler.test.TestScheduler;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.context.WebApplicationContext;

/**
 * The worker under the test profile: every request runs on the test thread's {@link TestScheduler},
 * so its tasks interleave by seed and its delays run in virtual time.
 */
@SpringBootTest
@ActiveProfiles("test")
class WorkerApplicationTests {

    @Autowired
    private WebApplicationContext context;

    @Autowired
    private FilterRegistrationBean<RequestSessions> requestSessions;

    @Autowired
    private TestScheduler scheduler;

    @Autowired
    private WorkerExecutionContext platform;

    @Autowired
    private AuditLog audit;

    @Autowired
    private MeterRegistry meters;

    private MockMvc mvc;

    @BeforeEach
    void setUp() {
        mvc = MockMvcBuilders.webAppContextSetup(context).addFilters(requestSessions.getFilter()).build();
    }

    @Test
    void helloAnswersAndItsAuditOutlivesTheRequestThroughWaitUntil() throws Exception {
        long failuresBefore = platform.snapshot().cleanupFailures();

        mvc.perform(get("/hello/Ada")).andExpect(status().isOk()).andExpect(content().string("Hello, Ada!"));

        assertThat(platform.snapshot().activeSessions()).isZero();
        assertThat(platform.snapshot().cleanupFailures()).isEqualTo(failuresBefore);
        assertThat(audit.entries()).doesNotContain("greeted Ada");
        scheduler.advanceClock(Duration.ofMillis(100));
        assertThat(audit.entries()).contains("greeted Ada");
    }

    @Test
    void aReportIsServedAsynchronouslyFromATaskAndItsSessionEndsWithTheRequest() throws Exception {
        MvcResult started = mvc.perform(get("/report")).andExpect(request().asyncStarted()).andReturn();
        assertThat(platform.snapshot().activeSessions()).isEqualTo(1);

        scheduler.advanceClock(Duration.ofMillis(50));
        mvc.perform(asyncDispatch(started)).andExpect(status().isOk()).andExpect(content().string("orders=12 refunds=2"));
        started.getRequest().getAsyncContext().complete(); // what the servlet container does when the response is written

        assertThat(platform.snapshot().activeSessions()).isZero();
    }

    @Test
    void aLeakedTaskIsReportedAndCountedWhenItsRequestEnds() throws Exception {
        double failuresBefore = meters.get("scheduler.sessions.cleanup.failures").functionCounter().count();

        mvc.perform(get("/leak")).andExpect(status().isOk());

        assertThat(meters.get("scheduler.sessions.cleanup.failures").functionCounter().count()).isEqualTo(failuresBefore + 1);
        scheduler.advanceClock(Duration.ofMinutes(1)); // the leaked cache warmer finishes, so this test leaves nothing behind
    }

    @Test
    void aHandlerThatFailsAfterPassThroughFallsThroughToTheOrigin() throws Exception {
        mvc.perform(get("/flaky")).andExpect(status().isOk()).andExpect(content().string(RequestSessions.ORIGIN_FALLBACK));

        assertThat(platform.snapshot().activeSessions()).isZero();
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
                .andExpect(jsonPath("$.sessions[?(@.id == '" + open + "')].running").value(1))
                .andExpect(jsonPath("$.sessions[?(@.id == '" + open + "')].waitUntil").value(1))
                .andExpect(jsonPath("$.sessions[?(@.id == '" + open + "')].unauthorized").value(0));

        release.complete(null);
        scheduler.runUntilParked();
        platform.endSession(open);
    }
}
