package dev.scheduler.autoconfigure;

import java.util.Map;
import java.util.Objects;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * The {@code scheduler} endpoint over HTTP: {@code /actuator/scheduler/{sessionId}} of a session
 * that is not active answers 404 with a body that says so, rather than an empty 404 that looks like
 * a wrong URL.
 */
@EndpointWebExtension(endpoint = SchedulerEndpoint.class)
public class SchedulerEndpointWebExtension {

    private final SchedulerEndpoint endpoint;

    SchedulerEndpointWebExtension(SchedulerEndpoint endpoint) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    }

    /**
     * Describes one active session's live tasks.
     *
     * @param sessionId the session, as {@code session-4} or {@code 4}
     * @return the session's tasks, or a 404 whose body names the session and what is active
     */
    @ReadOperation
    public WebEndpointResponse<Object> session(@Selector String sessionId) {
        SchedulerEndpoint.SessionTasksDescriptor tasks = endpoint.session(sessionId);
        if (tasks != null) {
            return new WebEndpointResponse<>(tasks);
        }
        return new WebEndpointResponse<>(Map.of("error", "Not Found", "message", "No active session '" + sessionId
                + "'. Active sessions are listed at /actuator/scheduler; ended sessions are not kept."),
                WebEndpointResponse.STATUS_NOT_FOUND);
    }
}
