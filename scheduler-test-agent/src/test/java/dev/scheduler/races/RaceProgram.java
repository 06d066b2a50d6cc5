package dev.scheduler.races;

import dev.scheduler.Executor;
import dev.scheduler.Task;
import dev.scheduler.TaskLabel;
import dev.scheduler.test.TestScheduler;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A catalogue of programs with one concurrency bug each, from the classes the literature names
 * (Lu, Park, Seo and Zhou, "Learning from mistakes", ASPLOS 2008): atomicity violations, order
 * violations, a lock-order deadlock, a missed signal and unsafe publication. Each runs two tasks, or
 * two plain threads, on a {@link TestScheduler} and throws when the bug shows: an {@link AssertionError} for a broken
 * invariant, the scheduler's "Parking forbidden" report for a deadlock.
 */
enum RaceProgram {

    /** Atomicity violation: {@code count++} of a volatile field, a read and a write. */
    LOST_UPDATE_OF_A_VOLATILE("atomicity violation", "count++ of a volatile int, from both sides", false, (scheduler, form) -> {
        VolatileCounter counter = new VolatileCounter();
        both(scheduler, form, counter::increment, counter::increment);
        check(counter.count == 2, "lost update: two increments left count at " + counter.count);
    }),

    /** Atomicity violation: {@code count++} of a plain field, found by thorough points only. */
    LOST_UPDATE_OF_A_PLAIN_FIELD("atomicity violation", "count++ of a plain int, from both sides", true, (scheduler, form) -> {
        PlainCounter counter = new PlainCounter();
        both(scheduler, form, counter::increment, counter::increment);
        check(counter.count == 2, "lost update: two increments left count at " + counter.count);
    }),

    /** Atomicity violation: a check-then-act on a {@code ConcurrentHashMap}, each call atomic, the pair not. */
    CHECK_THEN_ACT_ON_A_CONCURRENT_MAP("atomicity violation", "containsKey, then put, on a ConcurrentHashMap", false,
            (scheduler, form) -> {
                Cache cache = new Cache();
                both(scheduler, form, () -> cache.get("key"), () -> cache.get("key"));
                check(cache.loads.get() == 1, "the value of one key was loaded " + cache.loads.get() + " times");
            }),

    /** Atomicity violation: the check and the act each hold the lock, but not across both. */
    CHECK_AND_ACT_IN_TWO_LOCK_SECTIONS("atomicity violation", "a balance check and a withdrawal, each synchronized",
            false, (scheduler, form) -> {
                Account account = new Account(100);
                both(scheduler, form, () -> account.withdraw(60), () -> account.withdraw(60));
                check(account.balance >= 0, "two withdrawals of 60 from 100 left a balance of " + account.balance);
            }),

    /** Deadlock: two transfers take the same two locks in opposite orders, back to back. */
    LOCK_ORDER_DEADLOCK("deadlock", "two transfers lock two accounts in opposite orders", false, (scheduler, form) -> {
        Account first = new Account(100);
        Account second = new Account(100);
        both(scheduler, form, () -> Account.transfer(first, second, 10), () -> Account.transfer(second, first, 10));
        check(first.balance + second.balance == 200, "transfers lost money");
    }),

    /** Missed signal: the waiter checks its condition outside the lock, the signal falls in between. */
    MISSED_SIGNAL("missed signal", "a condition checked outside the monitor it is waited for on", false, (scheduler, form) -> {
        Gate gate = new Gate();
        both(scheduler, form, gate::await, gate::open);
    }),

    /** Order violation: one task uses what another initializes, assuming it ran first. */
    USE_BEFORE_INITIALIZATION("order violation", "one side reads a field the other initializes", false, (scheduler, form) -> {
        Service service = new Service();
        both(scheduler, form, service::start, () -> check(service.port() == 8080, "wrong port"));
    }),

    /** Unsafe publication: a constructor registers {@code this} before it sets its fields. */
    THIS_ESCAPES_ITS_CONSTRUCTOR("unsafe publication", "a constructor publishes this before it sets a field", true,
            (scheduler, form) -> {
                List<Widget> registry = new CopyOnWriteArrayList<>();
                both(scheduler, form, () -> new Widget(registry), () -> {
                    for (Widget widget : registry) {
                        check(widget.size == 42, "a registered widget had size " + widget.size);
                    }
                });
            });

    /** How a program runs its two parts. */
    enum Form {

        /** As two tasks of the scheduler's background executor, joined from the test. */
        TASKS,

        /** As two plain platform threads, started and joined from the test, as a program's main would. */
        THREADS
    }

    /** A program's code, in either form. */
    @FunctionalInterface
    interface Code {
        void run(TestScheduler scheduler, Form form) throws Exception;
    }

    private final String bugClass;
    private final String description;
    private final boolean needsThoroughPoints;
    private final Code body;

    RaceProgram(String bugClass, String description, boolean needsThoroughPoints, Code body) {
        this.bugClass = bugClass;
        this.description = description;
        this.needsThoroughPoints = needsThoroughPoints;
        this.body = body;
    }

    String bugClass() {
        return bugClass;
    }

    String description() {
        return description;
    }

    /** {@return whether its race is only between plain field accesses, so only thorough points find it} */
    boolean needsThoroughPoints() {
        return needsThoroughPoints;
    }

    /** {@return the program as a test body, in {@code form}} */
    TestScheduler.Body body(Form form) {
        return scheduler -> body.run(scheduler, form);
    }

    /**
     * Runs {@code first} and {@code second} as two tasks, or as two platform threads, and joins
     * both. A thread's failure escapes it, to its handler and, under the scheduler, to the test.
     */
    private static void both(TestScheduler scheduler, Form form, ThrowingRunnable first, ThrowingRunnable second)
            throws InterruptedException {
        if (form == Form.TASKS) {
            Executor executor = scheduler.background();
            Task<Void> a = executor.spawnLabeled(TaskLabel.of("first"), first::runUnchecked);
            Task<Void> b = executor.spawnLabeled(TaskLabel.of("second"), second::runUnchecked);
            a.join();
            b.join();
            return;
        }
        Thread a = new Thread(first::runUnchecked, "first");
        Thread b = new Thread(second::runUnchecked, "second");
        a.setUncaughtExceptionHandler((thread, failure) -> { }); // the scheduler reports it
        b.setUncaughtExceptionHandler((thread, failure) -> { });
        a.start();
        b.start();
        a.join();
        b.join();
    }

    private static void check(boolean holds, String broken) {
        if (!holds) {
            throw new AssertionError(broken);
        }
    }

    /** A task body that may throw a checked exception. */
    @FunctionalInterface
    interface ThrowingRunnable {

        void run() throws Exception;

        default void runUnchecked() {
            try {
                run();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    // ---------------------------------------------------------------- the code under test

    static final class VolatileCounter {
        volatile int count;

        void increment() {
            count++;
        }
    }

    static final class PlainCounter {
        int count;

        void increment() {
            count++;
        }
    }

    static final class Cache {
        final ConcurrentHashMap<String, Object> map = new ConcurrentHashMap<>();
        final AtomicInteger loads = new AtomicInteger();

        Object get(String key) {
            if (!map.containsKey(key)) {
                loads.incrementAndGet();
                map.put(key, new Object());
            }
            return map.get(key);
        }
    }

    static final class Account {
        int balance;

        Account(int balance) {
            this.balance = balance;
        }

        boolean withdraw(int amount) {
            boolean enough;
            synchronized (this) {
                enough = balance >= amount;
            }
            if (enough) {
                synchronized (this) {
                    balance -= amount;
                }
            }
            return enough;
        }

        static void transfer(Account from, Account to, int amount) {
            synchronized (from) {
                synchronized (to) {
                    from.balance -= amount;
                    to.balance += amount;
                }
            }
        }
    }

    static final class Gate {
        private final Object lock = new Object();
        private boolean open;

        void await() throws InterruptedException {
            if (!open) {
                synchronized (lock) {
                    lock.wait();
                }
            }
        }

        void open() {
            synchronized (lock) {
                open = true;
                lock.notifyAll();
            }
        }
    }

    static final class Service {
        private Config config;

        void start() {
            config = new Config(8080);
        }

        int port() {
            return config.port();
        }
    }

    record Config(int port) {
    }

    static final class Widget {
        int size;

        Widget(List<Widget> registry) {
            registry.add(this);
            size = 42;
        }
    }
}
