package dev.lanes.kernel;

import dev.lanes.kernel.internal.Parallel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Exercises the pool's slow paths in a fresh JVM (so that {@code -Dlanes.spinMicros=0} makes
 * every idle thread park at once): tiles that sleep on workers, several threads posting jobs at
 * the same time, and the pool being replaced while jobs run. Exits with status 1 and a message
 * on the first wrong count.
 */
public final class ParallelStress {

    private ParallelStress() {
    }

    public static void main(String[] args) throws Exception {
        Parallel.setThreads(3);
        for (int round = 0; round < 200; round++) {
            checkOnce(7, round % 3 == 0);
        }
        List<Thread> callers = new ArrayList<>();
        AtomicLong failures = new AtomicLong();
        for (int c = 0; c < 4; c++) {
            Thread t = new Thread(() -> {
                for (int round = 0; round < 300; round++) {
                    try {
                        checkOnce(1 + round % 9, false);
                    } catch (AssertionError e) {
                        failures.incrementAndGet();
                    }
                }
            });
            callers.add(t);
            t.start();
        }
        for (int resize = 0; resize < 50; resize++) {
            Parallel.setThreads(1 + resize % 4);
            Thread.sleep(1);
        }
        for (Thread t : callers) {
            t.join();
        }
        if (failures.get() > 0) {
            System.err.println("ParallelStress: " + failures.get() + " concurrent loops lost or repeated tiles");
            System.exit(1);
        }
        System.out.println("ParallelStress: ok");
    }

    private static void checkOnce(int tiles, boolean sleep) {
        AtomicIntegerArray seen = new AtomicIntegerArray(tiles);
        Parallel.forEach(tiles, t -> {
            if (sleep) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            seen.incrementAndGet(t);
        });
        for (int t = 0; t < tiles; t++) {
            if (seen.get(t) != 1) {
                System.err.println("ParallelStress: tile " + t + " of " + tiles + " ran " + seen.get(t) + " times");
                throw new AssertionError();
            }
        }
    }
}
