package dev.scheduler.sample.worker;

import dev.scheduler.Executor;
import dev.scheduler.Task;
import dev.scheduler.TaskLabel;
import dev.scheduler.cloud.WorkerExecutionContext;
import java.time.Duration;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The worker's handlers. Each runs in its request's session; they show the three kinds of work a
 * handler can start: awaited before responding, handed to {@code waitUntil}, and leaked.
 */
@RestController
public class WorkerController {

    private final Executor executor;
    private final WorkerExecutionContext platform;
    private final AuditLog audit;

    WorkerController(Executor executor, WorkerExecutionContext platform, AuditLog audit) {
        this.executor = executor;
        this.platform = platform;
        this.audit = audit;
    }

    /**
     * Greets: a lookup awaited before responding, and an audit entry written after the response
     * through {@code waitUntil}.
     *
     * @param name who to greet
     * @return the greeting
     */
    @GetMapping("/hello/{name}")
    public String hello(@PathVariable String name) {
        Task<String> greeting = executor.spawnLabeled(TaskLabel.of("greeting"), () -> {
            platform.delay(Duration.ofMillis(20)); // stands for a lookup
            return "Hello, " + name + "!";
        });
        platform.waitUntil(() -> {
            platform.delay(Duration.ofMillis(100)); // stands for a slow audit store
            audit.record("greeted " + name);
        });
        return greeting.join();
    }

    /**
     * Builds a report asynchronously: the response is the task itself, a {@code CompletionStage},
     * so no server thread waits for it.
     *
     * @return the report, when it is ready
     */
    @GetMapping("/report")
    public Task<String> report() {
        Task<Integer> orders = executor.spawnLabeled(TaskLabel.of("orders"), () -> {
            platform.delay(Duration.ofMillis(30));
            return 12;
        });
        Task<Integer> refunds = executor.spawnLabeled(TaskLabel.of("refunds"), () -> {
            platform.delay(Duration.ofMillis(50));
            return 2;
        });
        return executor.spawnLabeled(TaskLabel.of("report"), () -> "orders=" + orders.join() + " refunds=" + refunds.join());
    }

    /**
     * Starts work that nobody waits for and that is not handed to {@code waitUntil}: a leak, which
     * the end of the session reports, naming the task.
     *
     * @return a note
     */
    @GetMapping("/leak")
    public String leak() {
        executor.spawnLabeled(TaskLabel.of("cache-warmer"), () -> platform.delay(Duration.ofMinutes(1)));
        return "started a cache warmer that nobody waits for";
    }

    /**
     * Fails after asking the platform to pass the request through to the origin.
     *
     * @return never
     */
    @GetMapping("/flaky")
    public String flaky() {
        platform.passThrough();
        throw new IllegalStateException("the upstream service is down");
    }

    /** {@return the audit entries written so far} */
    @GetMapping("/audit")
    public List<String> audit() {
        return audit.entries();
    }
}
