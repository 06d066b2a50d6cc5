package dev.scheduler.sample.worker;

import dev.scheduler.Executor;
import dev.scheduler.cloud.WorkerExecutionContext;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;

/**
 * A cloud worker on the scheduler starter: every HTTP request is a session, work may outlive it only
 * through {@code waitUntil}, and anything else still running when the response is done is reported
 * as a leak (a log line naming the task, a metric, the Actuator {@code scheduler} endpoint).
 */
@SpringBootApplication
@EnableConfigurationProperties(WorkerProperties.class)
public class WorkerApplication {

    /** Created by Spring Boot. */
    WorkerApplication() {
    }

    /**
     * Starts the worker.
     *
     * @param args Spring Boot's command-line arguments
     */
    public static void main(String[] args) {
        SpringApplication.run(WorkerApplication.class, args);
    }

    /**
     * The sessions of this worker: thread-safe, since requests arrive on the server's threads, with
     * {@code waitUntil} bodies on the background executor.
     *
     * @param executor the background executor
     * @param properties the worker's settings
     * @return the execution context
     */
    @Bean
    WorkerExecutionContext workerExecutionContext(Executor executor, WorkerProperties properties) {
        return new WorkerExecutionContext(executor, properties.cleanupPolicy());
    }

    /**
     * Opens a session around every request.
     *
     * @param platform the execution context
     * @return the filter's registration
     */
    @Bean
    FilterRegistrationBean<RequestSessions> requestSessions(WorkerExecutionContext platform) {
        return new FilterRegistrationBean<>(new RequestSessions(platform));
    }
}
