package dev.scheduler.sample.worker;

import dev.scheduler.cloud.CleanupPolicy;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The sample worker's settings, under {@code worker.*}.
 *
 * @param cleanupPolicy what ending a request's session does about tasks still running without
 *     {@code waitUntil}: report them (the default), cancel them, or fail the request
 */
@ConfigurationProperties("worker")
public record WorkerProperties(@DefaultValue("report") CleanupPolicy cleanupPolicy) {
}
