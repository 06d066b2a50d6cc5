package dev.scheduler.cloud;

import dev.scheduler.SessionId;
import dev.scheduler.Task;
import java.util.List;
import java.util.concurrent.Future;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.junit.jupiter.api.Test;

/**
 * A session's bookkeeping, model-checked with Lincheck: tasks are spawned into it, marked
 * {@code waitUntil} and finish on different threads at once, and the counts a snapshot reads must
 * match some order of those events one at a time.
 */
@Param(name = "task", gen = IntGen.class, conf = "0:2")
public class SessionModelCheckTest {

    /** One id for every invocation, so that the sequential and the concurrent runs report equal states. */
    private final WorkerSession session = new WorkerSession(new SessionId(1), null);
    /** The same tasks in every invocation: fresh ids would hash differently, which the model checker reads as non-determinism. */
    private static final List<Task<Integer>> TASKS = List.of(Task.ready(0), Task.ready(1), Task.ready(2));

    private final List<Task<Integer>> tasks = TASKS;

    @Operation
    public void spawn(@Param(name = "task") int task) {
        session.tracker().taskSpawned(tasks.get(task));
    }

    @Operation
    public void spawnAllowedToOutlive(@Param(name = "task") int task) {
        session.authorizingTracker().taskSpawned(tasks.get(task));
    }

    @Operation
    public void succeed(@Param(name = "task") int task) {
        session.tracker().taskFinished(tasks.get(task), Future.State.SUCCESS);
    }

    @Operation
    public void fail(@Param(name = "task") int task) {
        session.tracker().taskFinished(tasks.get(task), Future.State.FAILED);
    }

    @Operation
    public String waitUntil(@Param(name = "task") int task) {
        try {
            session.authorize(tasks.get(task));
            return "authorized";
        } catch (IllegalArgumentException notInSession) {
            return "refused";
        }
    }

    @Operation
    public SessionState state() {
        return session.state();
    }

    @Test
    void countsAreLinearizableAgainstSpawnsFinishesAndWaitUntil() {
        new ModelCheckingOptions().iterations(15).invocationsPerIteration(500).threads(3).actorsPerThread(2)
                .actorsBefore(1).actorsAfter(1).check(SessionModelCheckTest.class);
    }
}
