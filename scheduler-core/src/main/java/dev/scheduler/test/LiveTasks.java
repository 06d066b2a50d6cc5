package dev.scheduler.test;

import dev.scheduler.Task;
import java.util.ArrayList;
import java.util.List;

/**
 * The tasks a {@link TestScheduler} has spawned and whose bodies have not finished, by id: what its
 * deadlock and leak reports list. Not thread-safe; {@link Diagnostics} guards it.
 */
/*
 * Implementation Overview
 * =======================
 *
 * Open addressing with linear probing over two parallel arrays, ids and tasks, keyed by the id's
 * long value: a task costs no node and no identity hash (which the JVM computes and stores on first
 * use), and tasks that finish in random order touch only their own probe run. Removal shifts the
 * rest of that run back instead of leaving a tombstone, so a table that churns through millions of
 * tasks never fills with dead slots. The table doubles at half full. Ids are positive, so 0 marks a
 * free slot.
 */
final class LiveTasks {

    private static final int INITIAL_CAPACITY = 64;

    private long[] ids = new long[INITIAL_CAPACITY];
    private Task<?>[] tasks = new Task<?>[INITIAL_CAPACITY];
    private int size;

    /** Adds {@code task}, which must not be here yet. */
    void add(Task<?> task) {
        if (2 * (size + 1) > ids.length) {
            grow();
        }
        insert(task.id().value(), task);
        size++;
    }

    /** Removes the task with {@code id}, if it is here. */
    void remove(long id) {
        int mask = ids.length - 1;
        int slot = slotOf(id, mask);
        while (ids[slot] != id) {
            if (ids[slot] == 0) {
                return;
            }
            slot = (slot + 1) & mask;
        }
        // Shift back every later entry of the run that may not stay behind the hole.
        int hole = slot;
        for (int next = (hole + 1) & mask; ids[next] != 0; next = (next + 1) & mask) {
            int home = slotOf(ids[next], mask);
            if (((next - home) & mask) >= ((next - hole) & mask)) {
                ids[hole] = ids[next];
                tasks[hole] = tasks[next];
                hole = next;
            }
        }
        ids[hole] = 0;
        tasks[hole] = null;
        size--;
    }

    /** {@return the task with {@code id}, or null if it is not here} */
    Task<?> get(long id) {
        int mask = ids.length - 1;
        for (int slot = slotOf(id, mask); ids[slot] != 0; slot = (slot + 1) & mask) {
            if (ids[slot] == id) {
                return tasks[slot];
            }
        }
        return null;
    }

    /** {@return every task here, in no particular order} */
    List<Task<?>> all() {
        List<Task<?>> all = new ArrayList<>(size);
        for (Task<?> task : tasks) {
            if (task != null) {
                all.add(task);
            }
        }
        return all;
    }

    int size() {
        return size;
    }

    private void grow() {
        long[] oldIds = ids;
        Task<?>[] oldTasks = tasks;
        ids = new long[oldIds.length * 2];
        tasks = new Task<?>[oldIds.length * 2];
        for (int i = 0; i < oldIds.length; i++) {
            if (oldIds[i] != 0) {
                insert(oldIds[i], oldTasks[i]);
            }
        }
    }

    private void insert(long id, Task<?> task) {
        int mask = ids.length - 1;
        int slot = slotOf(id, mask);
        while (ids[slot] != 0) {
            slot = (slot + 1) & mask;
        }
        ids[slot] = id;
        tasks[slot] = task;
    }

    /** Fibonacci hashing: consecutive ids, the common case, spread over the whole table. */
    private static int slotOf(long id, int mask) {
        return (int) ((id * 0x9E3779B97F4A7C15L) >>> 32) & mask;
    }
}
