package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.internal.KernelProvider;
import dev.lanes.kernel.internal.Parallel;
import dev.lanes.kernel.internal.Providers;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ParallelTest {

    @AfterEach
    void restore() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void runsEveryTileExactlyOnceForAnyPoolSize() {
        for (int threads = 1; threads <= 4; threads++) {
            Parallel.setThreads(threads);
            assertEquals(threads, Parallel.threads());
            for (int tiles : new int[] {0, 1, 2, 3, 17, 1000}) {
                AtomicIntegerArray seen = new AtomicIntegerArray(tiles);
                Parallel.forEach(tiles, seen::incrementAndGet);
                for (int t = 0; t < tiles; t++) {
                    assertEquals(1, seen.get(t), "tile " + t + " of " + tiles + " with " + threads + " threads");
                }
            }
        }
    }

    @Test
    void forRangesVisitsEveryIndexOnceInContiguousRanges() {
        for (int threads = 1; threads <= 3; threads++) {
            Parallel.setThreads(threads);
            for (int n : new int[] {0, 1, 5, 100, 1000, 4097}) {
                for (int grain : new int[] {1, 7, 1000, 1 << 20}) {
                    AtomicIntegerArray seen = new AtomicIntegerArray(n);
                    Set<Integer> starts = ConcurrentHashMap.newKeySet();
                    Parallel.forRanges(n, grain, (from, to) -> {
                        assertTrue(from < to && to - from >= Math.min(n, grain), from + ".." + to + " of " + n);
                        starts.add(from);
                        for (int i = from; i < to; i++) {
                            seen.incrementAndGet(i);
                        }
                    });
                    for (int i = 0; i < n; i++) {
                        assertEquals(1, seen.get(i), "index " + i + " of " + n + ", grain " + grain);
                    }
                    int most = n == 0 ? 0 : Math.max(1, Math.min(2 * threads, n / grain));
                    assertTrue(starts.size() <= most, starts.size() + " ranges for n=" + n + ", grain " + grain);
                    if (threads > 1 && n / grain >= 2 * threads) {
                        assertEquals(2 * threads, starts.size(), "split of n=" + n + ", grain " + grain);
                    }
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Parallel.forRanges(-1, 1, (a, b) -> { }));
        assertThrows(IllegalArgumentException.class, () -> Parallel.forRanges(10, 0, (a, b) -> { }));
    }

    @Test
    void usesWorkerThreads() {
        Parallel.setThreads(3);
        Set<String> names = ConcurrentHashMap.newKeySet();
        Parallel.forEach(64, t -> {
            names.add(Thread.currentThread().getName());
            long until = System.nanoTime() + 2_000_000;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        });
        assertTrue(names.stream().anyMatch(n -> n.startsWith("lanes-worker-")), names.toString());
    }

    /** A {@code Kernels.use} scope reaches the pool's workers for the tiles of its loops only. */
    @Test
    void tilesRunOnTheCallersProvider() {
        Parallel.setThreads(2);
        KernelProvider scalar = Providers.scalar();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        Set<String> threads = ConcurrentHashMap.newKeySet();
        for (int round = 0; round < 50 && threads.size() < 2; round++) {
            try (Kernels.Scope s = Kernels.use(Kernels.Provider.SCALAR)) {
                Parallel.forEach(64, t -> {
                    threads.add(Thread.currentThread().getName());
                    seen.add(Providers.provider() == scalar ? "scalar" : "other");
                    spin();
                });
            }
        }
        assertEquals(2, threads.size(), "both threads ran tiles");
        assertEquals(Set.of("scalar"), seen);
        // Outside the scope the workers are back on the JVM's provider.
        Set<KernelProvider> after = ConcurrentHashMap.newKeySet();
        Parallel.forEach(64, t -> {
            after.add(Providers.provider());
            spin();
        });
        assertEquals(Set.of(Providers.provider()), after);
    }

    private static void spin() {
        long end = System.nanoTime() + 20_000;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    @Test
    void nestedLoopsRunWithoutDeadlock() {
        Parallel.setThreads(2);
        AtomicIntegerArray seen = new AtomicIntegerArray(8 * 8);
        Parallel.forEach(8, outer -> Parallel.forEach(8, inner -> seen.incrementAndGet(outer * 8 + inner)));
        for (int i = 0; i < 64; i++) {
            assertEquals(1, seen.get(i));
        }
    }

    @Test
    void rethrowsTheFailureOfATile() {
        Parallel.setThreads(2);
        IllegalStateException boom = new IllegalStateException("boom");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.forEach(10, t -> {
            if (t == 7) {
                throw boom;
            }
        }));
        assertSame(boom, e);
        // The pool still works afterwards.
        AtomicIntegerArray seen = new AtomicIntegerArray(5);
        Parallel.forEach(5, seen::incrementAndGet);
        assertEquals(1, seen.get(4));
    }

    @Test
    void rejectsBadArguments() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
        assertTrue(e.getMessage().contains("threads must be in [1, 1024], got 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(Parallel.MAX_THREADS + 1));
        assertThrows(IllegalArgumentException.class, () -> Parallel.forEach(-1, t -> { }));
        assertThrows(IllegalArgumentException.class, () -> Parallel.forEach(Integer.MAX_VALUE, t -> { }));
    }

    @Test
    void keepsAllFailuresOfTiles() {
        Parallel.setThreads(1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.forEach(3, t -> {
            throw new IllegalStateException("tile " + t);
        }));
        assertEquals("tile 0", e.getMessage());
        // Later tiles are skipped once one has failed.
        assertEquals(0, e.getSuppressed().length);
    }

    /** Parked workers, concurrent callers and pool resizes, in a JVM where nothing spins. */
    @Test
    @Timeout(120)
    void survivesStressWithAndWithoutSpinning() throws Exception {
        for (String spin : new String[] {"0", "2000"}) {
            String java = ProcessHandle.current().info().command().orElseThrow();
            Process p = new ProcessBuilder(java, "-Dlanes.spinMicros=" + spin, "-cp",
                    System.getProperty("java.class.path"), ParallelStress.class.getName())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);
            assertTrue(out.contains("ParallelStress: ok"), out);
        }
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aLoopRunsEveryTileOnceOnEveryRunForAnyPoolSize() {
        for (int threads = 1; threads <= 4; threads++) {
            Parallel.setThreads(threads);
            for (int tiles : new int[] {0, 1, 2, 17, 300}) {
                AtomicIntegerArray seen = new AtomicIntegerArray(tiles);
                Parallel.Loop loop = new Parallel.Loop(tiles, seen::incrementAndGet);
                for (int run = 0; run < 40; run++) {
                    loop.run();
                }
                for (int t = 0; t < tiles; t++) {
                    assertEquals(40, seen.get(t), "tile " + t + " of " + tiles + " with " + threads + " threads");
                }
            }
        }
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aLoopUsesTheWorkersEvenUnderSeriallyAndRunsOnTheCallerInsideATile() {
        Parallel.setThreads(3);
        Set<String> names = ConcurrentHashMap.newKeySet();
        Parallel.Loop loop = new Parallel.Loop(64, t -> {
            names.add(Thread.currentThread().getName());
            spin();
        });
        for (int run = 0; run < 20 && names.size() < 2; run++) {
            loop.run();
        }
        assertTrue(names.stream().anyMatch(n -> n.startsWith("lanes-worker-")), names.toString());
        names.clear();
        boolean[] serialInside = new boolean[1];
        Parallel.serially(() -> {
            for (int run = 0; run < 20 && names.size() < 2; run++) {
                loop.run();
            }
            serialInside[0] = !Parallel.canSplit();
        });
        assertTrue(names.stream().anyMatch(n -> n.startsWith("lanes-worker-")), names.toString());
        assertTrue(serialInside[0], "serially still holds after a loop ran across the pool");
        assertTrue(Parallel.canSplit(), "serially ended");
        names.clear();
        String[] tileThread = new String[1];
        Parallel.forEach(2, t -> {
            if (t == 0) {
                tileThread[0] = Thread.currentThread().getName();
                loop.run();
            }
        });
        assertEquals(Set.of(tileThread[0]), names, "inside a tile the loop stays on the tile's thread");
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aLoopRunAllocatesNothing() {
        Parallel.setThreads(3);
        float[] out = new float[64];
        Parallel.Loop loop = new Parallel.Loop(8, t -> {
            for (int i = t * 8; i < t * 8 + 8; i++) {
                out[i] += 1;
            }
        });
        assertEquals(0, dev.lanes.Allocations.settledBytes(loop::run, 5000, 1000, 30), "bytes allocated by 1000 runs");
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aLoopRethrowsATilesFailureAndRunsAgain() {
        Parallel.setThreads(2);
        IllegalStateException boom = new IllegalStateException("boom");
        boolean[] fail = {true};
        AtomicIntegerArray seen = new AtomicIntegerArray(10);
        Parallel.Loop loop = new Parallel.Loop(10, t -> {
            if (fail[0] && t == 7) {
                throw boom;
            }
            seen.incrementAndGet(t);
        });
        assertSame(boom, assertThrows(IllegalStateException.class, loop::run));
        fail[0] = false;
        AtomicIntegerArray before = new AtomicIntegerArray(10);
        for (int t = 0; t < 10; t++) {
            before.set(t, seen.get(t));
        }
        loop.run();
        for (int t = 0; t < 10; t++) {
            assertEquals(before.get(t) + 1, seen.get(t), "tile " + t);
        }
    }
}
