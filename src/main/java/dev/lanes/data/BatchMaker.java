package dev.lanes.data;

import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.List;

/**
 * Makes any batch of any epoch from the loader's settings alone: the epoch's order, then for each
 * sample a copy of its image, transformed with a generator seeded from (seed, epoch, position).
 * Immutable; batches may be made on any thread.
 */
final class BatchMaker {

    private final ImageDataset data;
    private final int batchSize;
    private final boolean dropLast;
    private final boolean shuffle;
    private final long seed;
    private final List<Transform> transforms;
    private final DType dtype;

    BatchMaker(ImageDataset data, int batchSize, boolean dropLast, boolean shuffle, long seed,
            List<Transform> transforms, DType dtype) {
        this.data = data;
        this.batchSize = batchSize;
        this.dropLast = dropLast;
        this.shuffle = shuffle;
        this.seed = seed;
        this.transforms = List.copyOf(transforms);
        this.dtype = dtype;
    }

    long seed() {
        return seed;
    }

    /** @return the number of batches in an epoch */
    int batches() {
        int n = data.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /**
     * The order of the samples in {@code epoch}: 0..N-1 without shuffling, else a Fisher-Yates
     * shuffle driven by a generator seeded from (seed, epoch).
     */
    int[] order(int epoch) {
        int n = data.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (shuffle) {
            Generator gen = new Generator(Seeds.derive(seed, Seeds.SHUFFLE, epoch, 0));
            for (int i = n - 1; i > 0; i--) {
                int j = gen.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    /**
     * Makes batch {@code index} of {@code epoch}.
     *
     * @param order the epoch's {@link #order(int)}
     * @param gen   a generator to reseed for each sample (its state on entry does not matter)
     */
    Batch make(int epoch, int[] order, int index, Generator gen) {
        int from = index * batchSize;
        int size = Math.min(batchSize, data.size() - from);
        int c = data.channels();
        int h = data.height();
        int w = data.width();
        int sample = c * h * w;
        Tensor images = Tensor.zeros(DType.F32, size, c, h, w);
        float[] dst = images.f32();
        float[] src = data.images().f32();
        int[] labels = new int[size];
        for (int k = 0; k < size; k++) {
            int i = order[from + k];
            System.arraycopy(src, i * sample, dst, k * sample, sample);
            labels[k] = data.label(i);
            gen.restore(Seeds.derive(seed, Seeds.TRANSFORM, epoch, from + k));
            for (Transform t : transforms) {
                t.apply(dst, k * sample, c, h, w, gen);
            }
        }
        return new Batch(images.to(dtype), labels);
    }
}
