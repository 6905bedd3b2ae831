package dev.lanes.data;

import static dev.lanes.data.Datasets.all;
import static dev.lanes.data.Datasets.assertSameBatches;
import static dev.lanes.data.Datasets.imageIndices;
import static dev.lanes.data.Datasets.indexed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.tensor.DType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

/** Batching, seeded shuffling, determinism and resuming of {@link DataLoader}. */
class DataLoaderTest {

    private static int[] sizes(List<Batch> batches) {
        return batches.stream().mapToInt(Batch::size).toArray();
    }

    @Test
    void batchCountsAndSizesWithAndWithoutDropLast() {
        ImageDataset ten = indexed(10, 1, 2, 2, 3);
        for (int prefetch : new int[] {0, 2}) {
            DataLoader keep = DataLoader.builder(ten).batchSize(3).prefetch(prefetch).build();
            assertEquals(4, keep.batchesPerEpoch());
            assertArrayEquals(new int[] {3, 3, 3, 1}, sizes(all(keep.epoch(0))));
            DataLoader drop = DataLoader.builder(ten).batchSize(3).dropLast(true).prefetch(prefetch).build();
            assertEquals(3, drop.batchesPerEpoch());
            assertArrayEquals(new int[] {3, 3, 3}, sizes(all(drop.epoch(0))));
            DataLoader exact = DataLoader.builder(indexed(9, 1, 1, 1, 3)).batchSize(3).prefetch(prefetch).build();
            assertArrayEquals(new int[] {3, 3, 3}, sizes(all(exact.epoch(0))));
            DataLoader none = DataLoader.builder(indexed(2, 1, 1, 1, 3)).batchSize(3).dropLast(true)
                    .prefetch(prefetch).build();
            assertEquals(0, none.batchesPerEpoch());
            try (Epoch e = none.epoch(0)) {
                assertFalse(e.hasNext());
                assertThrows(NoSuchElementException.class, e::next);
            }
        }
    }

    @Test
    void batchesHoldTheImagesAndLabelsInOrderWithoutShuffling() {
        ImageDataset d = indexed(7, 2, 3, 2, 4);
        List<Batch> batches = all(DataLoader.builder(d).batchSize(4).build().epoch(5));
        assertArrayEquals(new int[] {0, 1, 2, 3}, imageIndices(batches.get(0)));
        assertArrayEquals(new int[] {4, 5, 6}, imageIndices(batches.get(1)));
        assertArrayEquals(new int[] {0, 1, 2, 3}, batches.get(0).labels());
        assertArrayEquals(new int[] {0, 1, 2}, batches.get(1).labels());
        assertArrayEquals(new int[] {3, 2, 3, 2}, batches.get(1).images().dims());
        assertArrayEquals(Arrays.copyOfRange(d.images().f32(), 48, 84), batches.get(1).images().f32());
    }

    @Test
    void everyImageExactlyOncePerShuffledEpoch() {
        ImageDataset d = indexed(103, 1, 2, 3, 7);
        DataLoader loader = DataLoader.builder(d).batchSize(10).shuffle(true).seed(3).build();
        for (int epoch = 0; epoch < 5; epoch++) {
            List<Integer> seen = new ArrayList<>();
            for (Batch b : all(loader.epoch(epoch))) {
                int[] idx = imageIndices(b);
                for (int k = 0; k < b.size(); k++) {
                    assertEquals(idx[k] % 7, b.labels()[k], "label travels with its image");
                    seen.add(idx[k]);
                }
            }
            int[] sorted = seen.stream().mapToInt(Integer::intValue).sorted().toArray();
            int[] expected = new int[103];
            Arrays.setAll(expected, i -> i);
            assertArrayEquals(expected, sorted, "epoch " + epoch);
        }
    }

    @Test
    void theSeedAndTheEpochDecideTheOrder() {
        ImageDataset d = indexed(50, 1, 1, 1, 2);
        DataLoader a = DataLoader.builder(d).batchSize(8).shuffle(true).seed(11).build();
        DataLoader b = DataLoader.builder(d).batchSize(8).shuffle(true).seed(11).prefetch(0).build();
        DataLoader other = DataLoader.builder(d).batchSize(8).shuffle(true).seed(12).build();
        int[] identity = new int[50];
        Arrays.setAll(identity, i -> i);
        for (int epoch = 0; epoch < 4; epoch++) {
            assertArrayEquals(a.order(epoch), b.order(epoch));
            assertSameBatches(all(a.epoch(epoch)), all(b.epoch(epoch)));
            assertFalse(Arrays.equals(a.order(epoch), other.order(epoch)), "another seed, another order");
            assertFalse(Arrays.equals(a.order(epoch), a.order(epoch + 1)), "another epoch, another order");
            assertFalse(Arrays.equals(identity, a.order(epoch)));
        }
        assertArrayEquals(identity, DataLoader.builder(d).seed(11).build().order(3), "no shuffling");
    }

    @Test
    void shufflesAreUniform() {
        DataLoader loader = DataLoader.builder(indexed(4, 1, 1, 1, 1)).shuffle(true).seed(7).build();
        int[][] counts = new int[4][4];
        int epochs = 8000;
        for (int e = 0; e < epochs; e++) {
            int[] order = loader.order(e);
            for (int p = 0; p < 4; p++) {
                counts[p][order[p]]++;
            }
        }
        for (int[] row : counts) {
            for (int c : row) {
                assertTrue(Math.abs(c - epochs / 4) < 150, Arrays.deepToString(counts));
            }
        }
    }

    @Test
    void theSameSeedGivesTheSameAugmentedBatches() {
        ImageDataset d = indexed(40, 2, 5, 5, 3);
        List<List<Batch>> runs = new ArrayList<>();
        for (int prefetch : new int[] {0, 1, 2, 7}) {
            DataLoader loader = DataLoader.builder(d).batchSize(6).shuffle(true).seed(99).prefetch(prefetch)
                    .randomCrop(2).horizontalFlip().normalize(new float[] {100, 200}, new float[] {50, 60}).build();
            runs.add(all(loader.epoch(2)));
        }
        for (List<Batch> run : runs) {
            assertSameBatches(runs.get(0), run);
        }
        DataLoader otherSeed = DataLoader.builder(d).batchSize(6).shuffle(true).seed(98).randomCrop(2)
                .horizontalFlip().normalize(new float[] {100, 200}, new float[] {50, 60}).build();
        assertNotEquals(Arrays.toString(runs.get(0).get(0).images().f32()),
                Arrays.toString(all(otherSeed.epoch(2)).get(0).images().f32()));
    }

    @Test
    void augmentationDoesNotDependOnTheBatchSize() {
        ImageDataset d = indexed(12, 1, 4, 4, 3);
        float[] small = concat(all(DataLoader.builder(d).batchSize(5).shuffle(true).seed(4).randomCrop(1)
                .horizontalFlip().build().epoch(1)));
        float[] large = concat(all(DataLoader.builder(d).batchSize(12).shuffle(true).seed(4).randomCrop(1)
                .horizontalFlip().build().epoch(1)));
        assertArrayEquals(small, large);
    }

    private static float[] concat(List<Batch> batches) {
        return batches.stream().map(b -> b.images().f32()).reduce(new float[0], (x, y) -> {
            float[] z = Arrays.copyOf(x, x.length + y.length);
            System.arraycopy(y, 0, z, x.length, y.length);
            return z;
        });
    }

    @Test
    void resumingAtBatchKYieldsTheRemainingBatches() {
        ImageDataset d = indexed(23, 1, 3, 3, 5);
        for (int prefetch : new int[] {0, 2}) {
            DataLoader.Builder settings = DataLoader.builder(d).batchSize(4).shuffle(true).seed(-5L)
                    .prefetch(prefetch).randomCrop(1).horizontalFlip();
            DataLoader first = settings.build();
            int epoch = 3;
            List<Batch> whole = all(first.epoch(epoch));
            assertEquals(6, whole.size());
            for (int k = 0; k <= whole.size(); k++) {
                LoaderPosition saved;
                try (Epoch running = first.epoch(epoch)) {
                    for (int i = 0; i < k; i++) {
                        running.next();
                    }
                    saved = running.position();
                }
                assertEquals(new LoaderPosition(-5L, epoch, k), saved);
                DataLoader restarted = settings.build();
                assertSameBatches(whole.subList(k, whole.size()), all(restarted.resume(saved)));
            }
        }
    }

    @Test
    void resumeChecksThePosition() {
        DataLoader loader = DataLoader.builder(indexed(10, 1, 1, 1, 2)).batchSize(3).seed(1).build();
        assertThrows(IllegalArgumentException.class, () -> loader.resume(new LoaderPosition(2, 0, 0)));
        assertThrows(IllegalArgumentException.class, () -> loader.resume(new LoaderPosition(1, 0, 5)));
        assertThrows(IllegalArgumentException.class, () -> new LoaderPosition(1, -1, 0));
        try (Epoch rest = loader.resume(new LoaderPosition(1, 0, 4))) {
            assertFalse(rest.hasNext());
        }
    }

    @Test
    void anEpochIsIteratedOnce() {
        try (Epoch e = DataLoader.builder(indexed(3, 1, 1, 1, 1)).build().epoch(0)) {
            e.iterator();
            assertThrows(IllegalStateException.class, e::iterator);
        }
    }

    @Test
    void batchesMayBeF64() {
        ImageDataset d = indexed(5, 1, 2, 2, 2);
        List<Batch> f32 = all(DataLoader.builder(d).batchSize(2).shuffle(true).seed(8).randomCrop(1).build().epoch(0));
        List<Batch> f64 = all(DataLoader.builder(d).batchSize(2).shuffle(true).seed(8).randomCrop(1).dtype(DType.F64)
                .build().epoch(0));
        for (int i = 0; i < f32.size(); i++) {
            assertEquals(DType.F64, f64.get(i).images().dtype());
            assertArrayEquals(f32.get(i).images().toDoubleArray(), f64.get(i).images().f64());
        }
    }

    @Test
    void theBuilderChecksItsSettings() {
        ImageDataset d = indexed(3, 2, 1, 1, 1);
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(d).batchSize(0));
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(d).prefetch(-1));
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(d).prefetch(17));
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(d).randomCrop(-1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DataLoader.builder(d).normalize(new float[] {0}, new float[] {1}).build());
        assertEquals("DataLoader: Normalize(mean=[0.0], std=[1.0]) is for 1 channels, the images have 2",
                e.getMessage());
    }
}
