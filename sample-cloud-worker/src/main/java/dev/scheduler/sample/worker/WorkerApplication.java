package dev.scheduler.sample.worker;

import dev.scheduler.Executor;
import dev.scheduler.cloud.WorkerExecutionContext;
import javax.sql.DataSource;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.provider.jdbctemplate.JdbcTemplateLockProvider;
import net.javacrumbs.shedlock.spring.annotation.EnableSchedulerLock;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.web.client.RestClient;

/**
 * An order-intake service on the scheduler starter. Every HTTP request is a session: an order is
 * stored and answered at once, and its webhook notification and audit record outlive the request
 * only through {@code waitUntil}; anything else still running when the response is done is reported
 * as a leak (a log line naming the task, a metric, the Actuator {@code scheduler} endpoint). An
 * outbox keeps every pending notification across crashes and between instances.
 */
@SpringBootApplication
@EnableScheduling
@EnableSchedulerLock(defaultLockAtMostFor = "PT5M")
@EnableConfigurationProperties(WorkerProperties.class)
public class WorkerApplication {

    /** Created by Spring Boot. */
    WorkerApplication() {
    }

    /**
     * Starts the service.
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

    /**
     * The webhook over HTTP.
     *
     * @param properties the worker's settings
     * @param environment where this instance's own port is found
     * @return the webhook
     */
    @Bean
    Webhook webhook(WorkerProperties properties, Environment environment) {
        return new HttpWebhook(RestClient.builder(), properties.webhook(), environment);
    }

    /**
     * ShedLock's locks, in the orders' database, on the database's clock so that instances agree.
     *
     * @param dataSource the orders' database
     * @return the lock provider
     */
    @Bean
    LockProvider lockProvider(DataSource dataSource) {
        return new JdbcTemplateLockProvider(JdbcTemplateLockProvider.Configuration.builder()
                .withJdbcTemplate(new JdbcTemplate(dataSource)).usingDbTime().build());
    }
}
