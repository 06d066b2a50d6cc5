package dev.scheduler.threads;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A plain Java program that blocks its main thread the usual ways: a thread pool's futures, a
 * latch, {@code awaitTermination}. It knows nothing of the scheduler.
 */
public final class PoolProgram {

    private PoolProgram() {
    }

    /**
     * Squares four numbers on a pool of two, each after a pause, and checks the sum.
     *
     * @param args ignored
     * @throws Exception if the program's own check fails
     */
    public static void main(String[] args) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch started = new CountDownLatch(4);
        List<Future<Integer>> squares = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            int n = i;
            squares.add(pool.submit(() -> {
                started.countDown();
                Thread.sleep(n * 1000L);
                return n * n;
            }));
        }
        int sum = 0;
        for (Future<Integer> square : squares) {
            sum += square.get();
        }
        started.await();
        pool.shutdown();
        if (!pool.awaitTermination(1, TimeUnit.MINUTES)) {
            throw new IllegalStateException("the pool did not stop");
        }
        if (sum != 30) {
            throw new IllegalStateException("sum " + sum);
        }
    }
}
