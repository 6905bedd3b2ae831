package dev.lanes.data;

import dev.lanes.tensor.DType;
import java.util.ArrayList;
import java.util.List;

/**
 * Batches of an {@link ImageDataset}, epoch after epoch, shuffled and augmented from a seed.
 *
 * <pre>{@code
 * DataLoader loader = DataLoader.builder(train)
 *         .batchSize(128).shuffle(true).seed(42)
 *         .randomCrop(2).horizontalFlip().normalize(Normalize.fit(train))
 *         .build();
 * for (int e = 0; e < epochs; e++) {
 *     try (Epoch batches = loader.epoch(e)) {
 *         for (Batch b : batches) {
 *             // b.images() F32 [B, C, H, W], b.labels() int[B]
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p><b>Determinism.</b> Everything random is derived from the seed: the order of epoch
 * {@code e} is a Fisher-Yates shuffle driven by a {@link dev.lanes.tensor.Generator} seeded from
 * (seed, e), and the transforms of the sample at position {@code p} of epoch {@code e} draw
 * from a generator seeded from (seed, e, p). So the same seed gives the same batches, bit for
 * bit, with or without prefetching and whatever the thread timing; a different epoch gives a
 * different order.
 *
 * <p><b>Checkpoints.</b> For the same reason a {@link LoaderPosition} (seed, epoch, next batch)
 * is the loader's whole state: save {@link Epoch#position()} with the model and continue with
 * {@link #resume(LoaderPosition)}, which yields exactly the batches the interrupted epoch had left,
 * provided the loader is built with the same dataset and settings.
 *
 * <p><b>Prefetching.</b> With {@code prefetch(n)}, n > 0 (the default is 2), each epoch makes
 * up to n batches ahead on a daemon thread; see {@link Epoch}. {@link #close()} stops the
 * threads of every open epoch. The loader itself is immutable and may be shared by threads.
 */
public final class DataLoader implements AutoCloseable {

    private final ImageDataset data;
    private final int batchSize;
    private final boolean dropLast;
    private final boolean shuffle;
    private final long seed;
    private final int prefetch;
    private final DType dtype;
    private final List<Transform> transforms;
    private final BatchMaker maker;
    private final LoaderThreads threads = new LoaderThreads();

    private DataLoader(Builder b) {
        this.data = b.data;
        this.batchSize = b.batchSize;
        this.dropLast = b.dropLast;
        this.shuffle = b.shuffle;
        this.seed = b.seed;
        this.prefetch = b.prefetch;
        this.dtype = b.dtype;
        this.transforms = List.copyOf(b.transforms);
        for (Transform t : transforms) {
            if (t instanceof Normalize n && n.mean().length != data.channels()) {
                throw new IllegalArgumentException("DataLoader: " + n + " is for " + n.mean().length
                        + " channels, the images have " + data.channels());
            }
        }
        this.maker = new BatchMaker(data, batchSize, dropLast, shuffle, seed, transforms, dtype);
    }

    /**
     * @param data the images and labels
     * @return a builder with batch size 1, no drop-last, no shuffling, seed 0, prefetch 2, F32
     *         batches and no transforms
     */
    public static Builder builder(ImageDataset data) {
        return new Builder(data);
    }

    /**
     * The batches of epoch {@code epoch}, from the first.
     *
     * @param epoch the epoch, >= 0
     * @return the epoch's batches; close it when done
     * @throws IllegalStateException if the loader is closed
     */
    public Epoch epoch(int epoch) {
        return resume(new LoaderPosition(seed, epoch, 0));
    }

    /**
     * The batches of {@code position}'s epoch from its batch on: the same batches, bit for bit,
     * that the epoch would have given from there.
     *
     * @param position a position from {@link Epoch#position()} of a loader with the same seed
     * @return the rest of the epoch's batches; close it when done
     * @throws IllegalArgumentException if the seed differs or the batch is past the epoch's end
     * @throws IllegalStateException    if the loader is closed
     */
    public Epoch resume(LoaderPosition position) {
        if (threads.isClosed()) {
            throw new IllegalStateException("DataLoader: closed");
        }
        if (position.seed() != seed) {
            throw new IllegalArgumentException("DataLoader.resume: the position is for seed " + position.seed()
                    + ", this loader's seed is " + seed);
        }
        if (position.batch() > batchesPerEpoch()) {
            throw new IllegalArgumentException("DataLoader.resume: batch " + position.batch() + " is past the "
                    + batchesPerEpoch() + " batches of an epoch");
        }
        return new Epoch(maker, position.epoch(), position.batch(), prefetch, threads);
    }

    /**
     * The order in which epoch {@code epoch} visits the samples.
     *
     * @param epoch the epoch, >= 0
     * @return a permutation of 0..N-1 (the identity without shuffling)
     */
    public int[] order(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("DataLoader.order: epoch must be >= 0, got " + epoch);
        }
        return maker.order(epoch);
    }

    /** @return the number of batches in an epoch */
    public int batchesPerEpoch() {
        return maker.batches();
    }

    /** @return the dataset */
    public ImageDataset dataset() {
        return data;
    }

    /** @return the batch size */
    public int batchSize() {
        return batchSize;
    }

    /** @return true if a last, smaller batch is dropped */
    public boolean dropLast() {
        return dropLast;
    }

    /** @return true if each epoch visits the samples in its own shuffled order */
    public boolean shuffle() {
        return shuffle;
    }

    /** @return the seed */
    public long seed() {
        return seed;
    }

    /** @return the batches made ahead on a thread, 0 for none */
    public int prefetch() {
        return prefetch;
    }

    /** @return the element type of the batches' images */
    public DType dtype() {
        return dtype;
    }

    /** @return the transforms, in the order they are applied */
    public List<Transform> transforms() {
        return transforms;
    }

    /** @return how many epochs have a prefetch thread open (for monitoring and tests) */
    public int openPrefetchThreads() {
        return threads.running();
    }

    /** Stops the prefetch threads of every open epoch and waits for them; later calls to {@link #epoch} fail. */
    @Override
    public void close() {
        threads.closeAll();
    }

    /** Settings of a {@link DataLoader}. */
    public static final class Builder {

        private final ImageDataset data;
        private int batchSize = 1;
        private boolean dropLast;
        private boolean shuffle;
        private long seed;
        private int prefetch = 2;
        private DType dtype = DType.F32;
        private final List<Transform> transforms = new ArrayList<>();

        private Builder(ImageDataset data) {
            if (data == null) {
                throw new NullPointerException("DataLoader: dataset is null");
            }
            this.data = data;
        }

        /** @param batchSize the images per batch, >= 1 */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("DataLoader: batch size must be >= 1, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** @param dropLast true to drop a last batch smaller than the batch size */
        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /** @param shuffle true to visit the samples in a new seeded order each epoch */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** @param seed the seed of the shuffles and the random transforms */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** @param batches the batches made ahead on a daemon thread, 0 (none) to 16 */
        public Builder prefetch(int batches) {
            if (batches < 0 || batches > 16) {
                throw new IllegalArgumentException("DataLoader: prefetch must be in 0..16, got " + batches);
            }
            this.prefetch = batches;
            return this;
        }

        /** @param dtype the element type of the batches' images (F32 by default) */
        public Builder dtype(DType dtype) {
            if (dtype == null) {
                throw new NullPointerException("DataLoader: dtype is null");
            }
            this.dtype = dtype;
            return this;
        }

        /** Appends a transform; transforms run in the order they were added. */
        public Builder transform(Transform transform) {
            if (transform == null) {
                throw new NullPointerException("DataLoader: transform is null");
            }
            transforms.add(transform);
            return this;
        }

        /** Appends a {@link RandomCrop} with {@code padding} zeros on each side. */
        public Builder randomCrop(int padding) {
            return transform(new RandomCrop(padding));
        }

        /** Appends a {@link RandomHorizontalFlip} with p = 0.5. */
        public Builder horizontalFlip() {
            return transform(new RandomHorizontalFlip());
        }

        /** Appends a {@link Normalize} with these per-channel means and standard deviations. */
        public Builder normalize(float[] mean, float[] std) {
            return transform(new Normalize(mean, std));
        }

        /** Appends {@code normalize}. */
        public Builder normalize(Normalize normalize) {
            return transform(normalize);
        }

        /** @return the loader */
        public DataLoader build() {
            return new DataLoader(this);
        }
    }
}
