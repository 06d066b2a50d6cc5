package dev.scheduler.sample.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * What {@code @SpringBootTest(webEnvironment = RANDOM_PORT)} under the test profile does: the
 * embedded server's threads are real threads the TestScheduler does not drive, so instead of a
 * request that hangs for the client's timeout the context refuses to start, saying what to use.
 */
class RealServerUnderTheTestProfileTests {

    @Test
    void aRealWebServerOnTheTestProfileFailsTheStartSayingToUseMockMvcOrADispatcher() {
        SpringApplicationBuilder randomPort = new SpringApplicationBuilder(WorkerApplication.class)
                .profiles("test");

        assertThatThrownBy(() -> randomPort.run("--server.port=0")).rootCause().isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("A TestScheduler cannot serve a real web server")
                .hasMessageContaining("@SpringBootTest(webEnvironment = RANDOM_PORT or DEFINED_PORT)")
                .hasMessageContaining("MockMvc")
                .hasMessageContaining("on a real dispatcher");
    }

    @Test
    void theSameServerOnADispatcherServesRequestsAsTasks() throws Exception {
        try (var context = new SpringApplicationBuilder(WorkerApplication.class)
                .run("--server.port=0", "--scheduler.dispatcher=portable", "--spring.datasource.url=jdbc:h2:mem:real-server;DB_CLOSE_DELAY=-1");
                HttpClient client = HttpClient.newHttpClient()) {
            int port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);

            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                    + "/orders")).header("Content-Type", "application/json").timeout(Duration.ofMinutes(1))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"customer\": \"Grace\", \"items\": [{\"sku\": \"cobol-1\", \"quantity\": 1}]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(202);
            assertThat(response.headers().firstValue("Location")).hasValueSatisfying(location ->
                    assertThat(location).matches("/orders/\\d+"));
        }
    }
}
