package dev.scheduler.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scheduler.Task;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LiveTasksTest {

    @Test
    void tasksAddedAndRemovedInRandomOrderAreFoundExactlyWhileTheyAreHere() {
        LiveTasks live = new LiveTasks();
        Map<Long, Task<?>> expected = new HashMap<>();
        List<Task<?>> here = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(42);
        for (int round = 0; round < 200_000; round++) {
            if (here.isEmpty() || random.nextInt(5) < 3) {
                Task<?> task = Task.ready(round);
                live.add(task);
                expected.put(task.id().value(), task);
                here.add(task);
            } else {
                // Swap-remove a random one, so that removals hit every part of every probe run.
                int index = random.nextInt(here.size());
                Task<?> gone = here.get(index);
                here.set(index, here.getLast());
                here.removeLast();
                live.remove(gone.id().value());
                expected.remove(gone.id().value());
                assertThat((Object) live.get(gone.id().value())).isNull();
            }
            if (round % 10_000 == 0) {
                for (Map.Entry<Long, Task<?>> entry : expected.entrySet()) {
                    assertThat((Object) live.get(entry.getKey())).isSameAs(entry.getValue());
                }
            }
        }

        assertThat(live.size()).isEqualTo(expected.size());
        assertThat(live.all()).containsExactlyInAnyOrderElementsOf(expected.values());
    }

    @Test
    void removingATaskThatIsNotHereChangesNothing() {
        LiveTasks live = new LiveTasks();
        Task<?> kept = Task.ready("kept");
        live.add(kept);

        live.remove(Task.ready("never added").id().value());

        assertThat(live.size()).isEqualTo(1);
        assertThat((Object) live.get(kept.id().value())).isSameAs(kept);
    }
}
