package dev.scheduler.threads;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain Java program with no knowledge of the scheduler: clerks sell the last tickets of a show
 * from two platform threads, and the program checks, as its last act, that no seat was sold twice.
 * {@link #main} has the bug: it checks for a free seat and sells it in two steps.
 */
public final class TicketCounter {

    private final Object lock = new Object();
    private int seatsLeft;
    private final List<String> sold = new ArrayList<>();

    TicketCounter(int seats) {
        this.seatsLeft = seats;
    }

    /**
     * Sells two seats from two clerks and fails if more were sold than there were.
     *
     * @param args ignored
     * @throws InterruptedException if interrupted while waiting for the clerks
     */
    public static void main(String[] args) throws InterruptedException {
        run(false);
    }

    /**
     * The fixed program: the check and the sale hold the lock together.
     *
     * @param args ignored
     * @throws InterruptedException if interrupted while waiting for the clerks
     */
    public static void mainFixed(String[] args) throws InterruptedException {
        run(true);
    }

    private static void run(boolean fixed) throws InterruptedException {
        TicketCounter counter = new TicketCounter(1);
        Thread ada = new Thread(() -> counter.sell("Ada", fixed), "clerk-1");
        Thread grace = new Thread(() -> counter.sell("Grace", fixed), "clerk-2");
        ada.start();
        grace.start();
        ada.join();
        grace.join();
        if (counter.sold.size() > 1) {
            throw new IllegalStateException("one seat sold twice: " + counter.sold);
        }
    }

    private void sell(String customer, boolean fixed) {
        if (fixed) {
            synchronized (lock) {
                if (seatsLeft > 0) {
                    seatsLeft--;
                    sold.add(customer);
                }
            }
            return;
        }
        boolean free;
        synchronized (lock) {
            free = seatsLeft > 0;
        }
        if (free) {
            synchronized (lock) {
                seatsLeft--;
                sold.add(customer);
            }
        }
    }
}
