package dev.scheduler.sample.worker;

import java.net.http.HttpClient;
import org.springframework.core.env.Environment;
import org.springframework.http.MediaType;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;

/**
 * The webhook over HTTP: {@code POST}s the notification as JSON to {@code worker.webhook.url}, or,
 * when that is empty, to this instance's own receiver on its actual port. The call blocks the task
 * that makes it; on the scheduler's virtual threads that parks the task, not a thread. Closing it
 * (Spring does, with the context) closes its HTTP client.
 */
final class HttpWebhook implements Webhook, AutoCloseable {

    private final HttpClient http;
    private final RestClient client;
    private final String url;
    private final Environment environment;

    HttpWebhook(RestClient.Builder builder, WorkerProperties.Webhook settings, Environment environment) {
        this.http = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(http);
        requests.setReadTimeout(settings.timeout());
        this.client = builder.requestFactory(requests).build();
        this.url = settings.url() == null ? "" : settings.url();
        this.environment = environment;
    }

    @Override
    public void deliver(OrderNotification notification) {
        String target = target();
        try {
            client.post().uri(target).contentType(MediaType.APPLICATION_JSON)
                    .header("Idempotency-Key", notification.idempotencyKey())
                    .body(notification).retrieve().toBodilessEntity();
        } catch (HttpClientErrorException refused) {
            // The receiver says the request is wrong: trying it again will not help, unless it asks us to.
            int status = refused.getStatusCode().value();
            throw new WebhookException("POST " + target + " for order " + notification.orderId() + " was refused: "
                    + refused.getMessage(), refused, status == 408 || status == 429);
        } catch (RestClientException e) {
            throw new WebhookException("POST " + target + " for order " + notification.orderId() + " failed: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        http.close();
    }

    private String target() {
        if (!url.isEmpty()) {
            return url;
        }
        String port = environment.getProperty("local.server.port");
        if (port == null) {
            throw new WebhookException("worker.webhook.url is empty and this instance serves no HTTP port for its"
                    + " own receiver; set worker.webhook.url", null);
        }
        return "http://localhost:" + port + WebhookReceiver.PATH;
    }
}
