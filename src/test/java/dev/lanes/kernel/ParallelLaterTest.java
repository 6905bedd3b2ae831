package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.internal.Parallel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Parallel#later}: background loops, their {@code then} step, failures, and forEach loops meanwhile. */
class ParallelLaterTest {

    @AfterEach
    void restore() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @Test
    @Timeout(60)
    void runsEveryTileOnceThenTheFinalStepOnceForAnyPoolSize() {
        for (int threads = 1; threads <= 4; threads++) {
            Parallel.setThreads(threads);
            for (int tiles : new int[] {0, 1, 3, 17, 200}) {
                AtomicIntegerArray seen = new AtomicIntegerArray(tiles);
                AtomicInteger finals = new AtomicInteger();
                AtomicInteger tilesAtFinal = new AtomicInteger(-1);
                Parallel.Pending p = Parallel.later(tiles, seen::incrementAndGet, () -> {
                    int done = 0;
                    for (int t = 0; t < tiles; t++) {
                        done += seen.get(t);
                    }
                    tilesAtFinal.set(done);
                    finals.incrementAndGet();
                });
                // forEach loops posted meanwhile run to the end as usual.
                AtomicIntegerArray other = new AtomicIntegerArray(50);
                Parallel.forEach(50, other::incrementAndGet);
                for (int t = 0; t < 50; t++) {
                    assertEquals(1, other.get(t));
                }
                p.await();
                p.await();
                for (int t = 0; t < tiles; t++) {
                    assertEquals(1, seen.get(t), "tile " + t + " of " + tiles + " with " + threads + " threads");
                }
                assertEquals(1, finals.get(), "the final step runs once");
                assertEquals(tiles, tilesAtFinal.get(), "the final step runs after every tile");
            }
        }
    }

    @Test
    void onOneThreadEverythingRunsBeforeLaterReturns() {
        Parallel.setThreads(1);
        AtomicInteger tiles = new AtomicInteger();
        AtomicInteger finals = new AtomicInteger();
        Parallel.Pending p = Parallel.later(5, t -> tiles.incrementAndGet(), finals::incrementAndGet);
        assertEquals(5, tiles.get());
        assertEquals(1, finals.get());
        p.await();
        assertEquals(1, finals.get());
    }

    @Test
    void insideATileALaterLoopRunsAtOnce() {
        Parallel.setThreads(2);
        AtomicIntegerArray done = new AtomicIntegerArray(4);
        Parallel.forEach(4, outer -> {
            Parallel.later(3, t -> done.incrementAndGet(outer), null);
            assertEquals(3, done.get(outer), "ran before later returned");
        });
    }

    @Test
    @Timeout(60)
    void idleWorkersRunTheTilesWithoutBeingAwaited() throws InterruptedException {
        Parallel.setThreads(3);
        Set<String> names = ConcurrentHashMap.newKeySet();
        AtomicInteger done = new AtomicInteger();
        Parallel.Pending p = Parallel.later(12, t -> {
            names.add(Thread.currentThread().getName());
            done.incrementAndGet();
        }, null);
        while (done.get() < 12) {
            Thread.sleep(1);
        }
        assertTrue(names.stream().allMatch(n -> n.startsWith("lanes-worker-")), names.toString());
        p.await();
    }

    @Test
    @Timeout(60)
    void awaitRethrowsTheFailureOfATileAndSkipsTheFinalStep() {
        for (int threads = 1; threads <= 2; threads++) {
            Parallel.setThreads(threads);
            IllegalStateException boom = new IllegalStateException("tile 3");
            AtomicInteger finals = new AtomicInteger();
            Parallel.Pending p = Parallel.later(8, t -> {
                if (t == 3) {
                    throw boom;
                }
            }, finals::incrementAndGet);
            assertSame(boom, assertThrows(IllegalStateException.class, p::await));
            assertSame(boom, assertThrows(IllegalStateException.class, p::await), "every time");
            assertEquals(0, finals.get());
        }
    }

    @Test
    void aFailingFinalStepIsRethrown() {
        Parallel.setThreads(2);
        Parallel.Pending p = Parallel.later(4, t -> { }, () -> {
            throw new ArithmeticException("final");
        });
        ArithmeticException e = assertThrows(ArithmeticException.class, p::await);
        assertEquals("final", e.getMessage());
    }

    @Test
    void rejectsANegativeTileCount() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Parallel.later(-1, t -> { },
                null));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
    }
}
