package dev.lanes.spark;

import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The examples of one logical shard and its micro-batches. Example {@code i} of the data set
 * (its index in the input) belongs to shard {@code i mod shards}, for the whole run; each epoch
 * the shard shuffles its own examples with a generator seeded by the run's seed, the epoch and
 * the shard, and step {@code t} takes the shard's micro-batch {@code t}. So a shard's batches
 * depend on the data, the seed and the shard count only, not on where the shard is computed.
 */
final class ShardBatches {

    private final int shard;
    private final List<Indexed> examples;
    private final int[] inputShape;
    private final int inputSize;

    /** An example and its index in the data set. */
    record Indexed(long index, Example example) implements java.io.Serializable {
    }

    /**
     * @param shard      the shard
     * @param examples   the shard's examples, any order
     * @param inputShape the shape of one example's features
     * @throws IllegalArgumentException when an example's features do not match the shape
     */
    ShardBatches(int shard, List<Indexed> examples, int[] inputShape) {
        this.shard = shard;
        this.examples = new ArrayList<>(examples);
        this.examples.sort(Comparator.comparingLong(Indexed::index));
        this.inputShape = inputShape.clone();
        int size = 1;
        for (int d : inputShape) {
            size = Math.multiplyExact(size, d);
        }
        this.inputSize = size;
        for (Indexed e : this.examples) {
            if (e.example().features().length != inputSize) {
                throw new IllegalArgumentException("SparkTrainer: example " + e.index() + " has "
                        + e.example().features().length + " features, the input shape holds " + inputSize);
            }
        }
    }

    /** @return the micro-batches of {@code perShard} examples the shard has per epoch */
    int steps(int perShard) {
        return examples.size() / perShard;
    }

    /** The examples of epoch {@code epoch} in the shard's shuffled order. */
    List<Example> epoch(long seed, int epoch, int shards) {
        List<Example> order = new ArrayList<>(examples.size());
        examples.forEach(e -> order.add(e.example()));
        SplittableRandom r = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * ((long) epoch * shards + shard + 1)));
        for (int i = order.size() - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            Example t = order.get(i);
            order.set(i, order.get(j));
            order.set(j, t);
        }
        return order;
    }

    /** @return the inputs {@code [n, inputShape...]} of examples {@code [from, from + n)} of {@code order} */
    Tensor inputs(List<Example> order, int from, int n) {
        int[] dims = new int[inputShape.length + 1];
        dims[0] = n;
        System.arraycopy(inputShape, 0, dims, 1, inputShape.length);
        Tensor x = Tensor.zeros(DType.F32, dims);
        float[] xs = x.f32();
        for (int i = 0; i < n; i++) {
            System.arraycopy(order.get(from + i).features(), 0, xs, i * inputSize, inputSize);
        }
        return x;
    }

    /** @return the labels of examples {@code [from, from + n)} of {@code order} */
    static int[] labels(List<Example> order, int from, int n) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = order.get(from + i).label();
        }
        return y;
    }
}
