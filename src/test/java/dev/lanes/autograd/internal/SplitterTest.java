package dev.lanes.autograd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.Allocations;
import dev.lanes.kernel.internal.Parallel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A parallel session's splitter runs every tile once with the call's arguments, uses the workers
 * even under {@link Parallel#serially} (where sessions run), and allocates nothing on any thread.
 */
class SplitterTest {

    private int threads;

    @BeforeEach
    void saveThreads() {
        threads = Parallel.threads();
    }

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(threads);
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void everyTileRunsOnceWithTheCallsArgumentsOnTheWorkersToo() {
        Parallel.setThreads(3);
        AtomicIntegerArray seen = new AtomicIntegerArray(37);
        Set<String> names = ConcurrentHashMap.newKeySet();
        float[] arena = new float[1];
        Split s = new Split(0, 37, (mem, t, a, b) -> {
            assertTrue(mem == arena && a == 5 && b == 9, "the call's arena and arguments");
            seen.incrementAndGet(t);
            names.add(Thread.currentThread().getName());
            long until = System.nanoTime() + 20_000;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        });
        Splitter splitter = new Splitter.OverPool(new Split[] {s});
        int calls = 0;
        for (; calls < 200 && names.size() < 2; calls++) {
            Parallel.serially(() -> splitter.run(s, arena, 5, 9));
        }
        for (int t = 0; t < 37; t++) {
            assertEquals(calls, seen.get(t), "tile " + t);
        }
        assertTrue(names.stream().anyMatch(n -> n.startsWith("lanes-worker-")), "workers ran tiles: " + names);
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aCallAllocatesNothingOnAnyThread() {
        Parallel.setThreads(3);
        float[] out = new float[64];
        Split s = new Split(0, 16, (mem, t, a, b) -> {
            for (int i = 4 * t; i < 4 * t + 4; i++) {
                mem[i] += a;
            }
        });
        Splitter splitter = new Splitter.OverPool(new Split[] {s});
        Runnable run = () -> splitter.run(s, out, 1, 0);
        Runnable call = () -> Parallel.serially(run);
        assertEquals(0, Allocations.settledBytesWithWorkers(call, 20_000, 1000, 30), "bytes allocated by 1000 calls, all threads");
    }
}
