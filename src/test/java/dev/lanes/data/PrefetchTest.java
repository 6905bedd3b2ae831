package dev.lanes.data;

import static dev.lanes.data.Datasets.all;
import static dev.lanes.data.Datasets.assertSameBatches;
import static dev.lanes.data.Datasets.imageIndices;
import static dev.lanes.data.Datasets.indexed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The prefetch thread: same batches as without it, failures handed on, clean shutdown. */
class PrefetchTest {

    /** Live prefetch threads in this JVM. */
    static long prefetchThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(Prefetcher.THREAD_NAME)).count();
    }

    @AfterEach
    void noThreadLeft() {
        assertEquals(0, prefetchThreads(), "a prefetch thread outlived its test");
    }

    /** Sleeps a random, unseeded while: the thread timing changes from run to run. */
    static final Transform JITTER = (image, offset, c, h, w, gen) -> {
        try {
            Thread.sleep(0, ThreadLocalRandom.current().nextInt(300_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    };

    /** Fails on the image whose pixels start at {@code 25 * sample} of an indexed dataset. */
    static Transform failingOn(int image) {
        return (x, offset, c, h, w, gen) -> {
            if ((int) x[offset] / (c * h * w) == image) {
                throw new IllegalStateException("boom on image " + image);
            }
        };
    }

    @Test
    void prefetchingGivesTheSameBatchesWhateverTheTiming() throws InterruptedException {
        ImageDataset d = indexed(64, 1, 4, 4, 5);
        List<Batch> reference = null;
        for (int prefetch : new int[] {0, 1, 2, 3, 1, 2}) {
            DataLoader loader = DataLoader.builder(d).batchSize(5).shuffle(true).seed(17).prefetch(prefetch)
                    .transform(JITTER).randomCrop(1).transform(JITTER).horizontalFlip().build();
            List<Batch> run = new java.util.ArrayList<>();
            try (Epoch epoch = loader.epoch(1)) {
                for (Batch b : epoch) {
                    Thread.sleep(0, ThreadLocalRandom.current().nextInt(500_000));
                    run.add(b);
                }
            }
            if (reference == null) {
                reference = run;
            } else {
                assertSameBatches(reference, run);
            }
        }
    }

    @Test
    void aFailingTransformReachesTheConsumerAfterTheBatchesBeforeIt() {
        ImageDataset d = indexed(60, 1, 2, 2, 3);
        for (int prefetch : new int[] {0, 2}) {
            DataLoader loader = DataLoader.builder(d).batchSize(10).prefetch(prefetch).transform(failingOn(25)).build();
            Epoch epoch = loader.epoch(0);
            assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, imageIndices(epoch.next()));
            epoch.next();
            DataLoaderException e = assertThrows(DataLoaderException.class, epoch::next);
            assertEquals("epoch 0: making batch 2 failed: java.lang.IllegalStateException: boom on image 25",
                    e.getMessage());
            assertInstanceOf(IllegalStateException.class, e.getCause());
            assertFalse(epoch.hasNext());
            assertThrows(NoSuchElementException.class, epoch::next);
            assertEquals(0, prefetchThreads());
            assertEquals(0, loader.openPrefetchThreads());
            epoch.close();
        }
    }

    @Test
    void closingMidEpochStopsTheThread() {
        DataLoader loader = DataLoader.builder(indexed(500, 1, 3, 3, 2)).batchSize(5).prefetch(2)
                .transform(JITTER).build();
        Epoch epoch = loader.epoch(0);
        epoch.next();
        assertEquals(1, prefetchThreads());
        assertEquals(1, loader.openPrefetchThreads());
        epoch.close();
        assertEquals(0, prefetchThreads(), "close waits for the thread to end");
        assertEquals(0, loader.openPrefetchThreads());
        assertFalse(epoch.hasNext());
        assertThrows(NoSuchElementException.class, epoch::next);
        epoch.close();
    }

    @Test
    void theThreadEndsWithTheEpoch() throws InterruptedException {
        DataLoader loader = DataLoader.builder(indexed(30, 1, 1, 1, 2)).batchSize(4).prefetch(2).build();
        assertEquals(8, all(loader.epoch(0)).size());
        Epoch epoch = loader.epoch(1);
        while (epoch.hasNext()) {
            epoch.next();
        }
        assertEquals(0, prefetchThreads(), "used up without close");
        assertEquals(0, loader.openPrefetchThreads());
    }

    @Test
    void closingTheLoaderStopsItsEpochs() {
        DataLoader loader = DataLoader.builder(indexed(200, 1, 2, 2, 2)).batchSize(3).prefetch(2).build();
        Epoch a = loader.epoch(0);
        Epoch b = loader.epoch(1);
        a.next();
        assertEquals(2, prefetchThreads());
        loader.close();
        assertEquals(0, prefetchThreads());
        assertFalse(a.hasNext());
        assertFalse(b.hasNext());
        assertThrows(IllegalStateException.class, () -> loader.epoch(2));
        DataLoader sync = DataLoader.builder(indexed(20, 1, 1, 1, 2)).batchSize(3).prefetch(0).build();
        Epoch s = sync.epoch(0);
        s.next();
        sync.close();
        assertFalse(s.hasNext(), "closing the loader also ends epochs without a thread");
    }

    @Test
    void aConsumerWaitingWhileTheLoaderClosesIsReleased() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        Transform blockOnImage3 = (x, offset, c, h, w, gen) -> {
            if ((int) x[offset] == 3) {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException("interrupted", e);
                }
            }
        };
        DataLoader loader = DataLoader.builder(indexed(10, 1, 1, 1, 2)).batchSize(2).prefetch(1)
                .transform(blockOnImage3).build();
        Epoch epoch = loader.epoch(0);
        epoch.next();
        AtomicReference<Thread> consumer = new AtomicReference<>();
        CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
            consumer.set(Thread.currentThread());
            try {
                epoch.next();
                return null;
            } catch (RuntimeException e) {
                return e;
            }
        });
        waitUntilWaiting(consumer);
        loader.close();
        Throwable t = outcome.get(10, TimeUnit.SECONDS);
        assertTrue(t instanceof IllegalStateException || t instanceof DataLoaderException, String.valueOf(t));
        assertFalse(epoch.hasNext());
    }

    @Test
    void interruptingAWaitingConsumerEndsTheEpoch() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        Transform block = (x, offset, c, h, w, gen) -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException("interrupted", e);
            }
        };
        DataLoader loader = DataLoader.builder(indexed(4, 1, 1, 1, 2)).prefetch(1).transform(block).build();
        Epoch epoch = loader.epoch(0);
        AtomicReference<Thread> consumer = new AtomicReference<>();
        CompletableFuture<Object[]> outcome = CompletableFuture.supplyAsync(() -> {
            consumer.set(Thread.currentThread());
            try {
                epoch.next();
                return new Object[] {null, false};
            } catch (RuntimeException e) {
                return new Object[] {e, Thread.interrupted()};
            }
        });
        waitUntilWaiting(consumer);
        consumer.get().interrupt();
        Object[] r = outcome.get(10, TimeUnit.SECONDS);
        DataLoaderException e = assertInstanceOf(DataLoaderException.class, r[0]);
        assertEquals("epoch 0: interrupted while waiting for batch 0", e.getMessage());
        assertEquals(true, r[1], "the interrupt flag stays set");
        assertFalse(epoch.hasNext());
        assertEquals(0, prefetchThreads());
    }

    private static void waitUntilWaiting(AtomicReference<Thread> thread) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (thread.get() == null || thread.get().getState() != Thread.State.WAITING) {
            assertTrue(System.nanoTime() < deadline, "the consumer never waited");
            Thread.sleep(1);
        }
    }

    @Test
    void anAbandonedEpochIsClosedWhenCollected() throws InterruptedException, ExecutionException {
        DataLoader loader = DataLoader.builder(indexed(100, 1, 2, 2, 2)).batchSize(2).prefetch(2).build();
        startAndAbandon(loader);
        assertEquals(1, prefetchThreads());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (prefetchThreads() > 0 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(0, prefetchThreads(), "the cleaner stopped the thread of the unreachable epoch");
        assertEquals(0, loader.openPrefetchThreads());
    }

    private static void startAndAbandon(DataLoader loader) {
        Epoch epoch = loader.epoch(0);
        epoch.next();
    }
}
