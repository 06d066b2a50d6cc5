package dev.scheduler.sample.worker;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.springframework.stereotype.Component;

/** Where handlers record what they did, after the response, through {@code waitUntil}. */
@Component
public class AuditLog {

    private final ConcurrentLinkedQueue<String> entries = new ConcurrentLinkedQueue<>();

    /** Creates an empty log. */
    public AuditLog() {
    }

    /**
     * Records one entry.
     *
     * @param entry what happened
     */
    public void record(String entry) {
        entries.add(entry);
    }

    /** {@return every entry so far, oldest first} */
    public List<String> entries() {
        return List.copyOf(entries);
    }
}
