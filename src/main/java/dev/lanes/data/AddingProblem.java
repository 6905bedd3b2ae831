package dev.lanes.data;

import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;

/**
 * The adding problem of Hochreiter and Schmidhuber (1997), a test of long-range memory. Each
 * sequence has {@code T} steps of two features: a value drawn uniformly from [0, 1) and a marker.
 * Exactly two markers are 1, one at a uniformly chosen step of the first half
 * ({@code [0, T/2)}) and one in the second half ({@code [T/2, T)}), as in the common PyTorch
 * benchmarks; the target is the sum of the two marked values.
 *
 * <p>The target is the sum of two independent U(0, 1) values, so always predicting its mean, 1,
 * scores a mean squared error of {@code Var = 2 / 12 = 1/6 ≈ 0.167}: the baseline a model must
 * beat. Batches are F32, time-major ({@code [T, B, 2]}, feature 0 the value and 1 the marker)
 * as the recurrent layers take them, and depend only on the generator's state.
 */
public final class AddingProblem {

    /** The mean squared error of always predicting the target's mean: 2 / 12. */
    public static final double BASELINE_MSE = 2.0 / 12.0;

    private final int length;

    /**
     * One batch of sequences.
     *
     * @param inputs  {@code [T, B, 2]}: the values in feature 0, the markers in feature 1
     * @param targets {@code [B, 1]}: the sums of the two marked values
     */
    public record Batch(Tensor inputs, Tensor targets) {

        /** Checks that the parts are present and agree. */
        public Batch {
            if (inputs == null || targets == null) {
                throw new NullPointerException("AddingProblem.Batch: inputs and targets must not be null");
            }
            if (inputs.rank() != 3 || inputs.size(2) != 2 || targets.rank() != 2 || targets.size(1) != 1
                    || targets.size(0) != inputs.size(1)) {
                throw new IllegalArgumentException("AddingProblem.Batch: expected inputs [T, B, 2] and targets"
                        + " [B, 1], got " + inputs.shape() + " and " + targets.shape());
            }
        }

        /** @return the number of sequences B */
        public int size() {
            return targets.size(0);
        }
    }

    /**
     * @param length the number of steps T of every sequence, at least 2 (one per half)
     */
    public AddingProblem(int length) {
        if (length < 2) {
            throw new IllegalArgumentException("AddingProblem: the sequence length must be >= 2 (one marker in each"
                    + " half), got " + length);
        }
        this.length = length;
    }

    /** @return the number of steps T */
    public int length() {
        return length;
    }

    /**
     * Draws {@code batchSize} sequences. For each sequence, in order: the T values, then the
     * marker in the first half, then the one in the second half.
     *
     * @param gen       the source of randomness (advanced)
     * @param batchSize the number of sequences, at least 1
     * @return inputs {@code [T, B, 2]} and targets {@code [B, 1]}
     */
    public Batch sample(Generator gen, int batchSize) {
        if (gen == null) {
            throw new NullPointerException("AddingProblem.sample: generator is null");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("AddingProblem.sample: batch size must be >= 1, got " + batchSize);
        }
        int half = length / 2;
        float[] x = new float[length * batchSize * 2];
        float[] y = new float[batchSize];
        for (int b = 0; b < batchSize; b++) {
            for (int t = 0; t < length; t++) {
                x[(t * batchSize + b) * 2] = (float) gen.nextDouble();
            }
            int first = gen.nextInt(half);
            int second = half + gen.nextInt(length - half);
            x[(first * batchSize + b) * 2 + 1] = 1;
            x[(second * batchSize + b) * 2 + 1] = 1;
            y[b] = x[(first * batchSize + b) * 2] + x[(second * batchSize + b) * 2];
        }
        return new Batch(Tensor.of(x, length, batchSize, 2), Tensor.of(y, batchSize, 1));
    }

    /**
     * The mean squared error of predicting one constant for every target.
     *
     * @param targets  {@code [B, 1]} targets, as in a {@link Batch}
     * @param constant the prediction
     * @return {@code mean((target - constant)^2)}, computed in double
     */
    public static double constantMse(Tensor targets, double constant) {
        if (targets == null) {
            throw new NullPointerException("AddingProblem.constantMse: targets are null");
        }
        if (targets.numel() == 0) {
            throw new IllegalArgumentException("AddingProblem.constantMse: no targets");
        }
        double sum = 0;
        for (int i = 0; i < targets.numel(); i++) {
            double d = targets.getFlat(i) - constant;
            sum += d * d;
        }
        return sum / targets.numel();
    }

    /**
     * The mean of the targets, in double.
     *
     * @param targets the targets of a {@link Batch}
     * @return their mean
     */
    public static double mean(Tensor targets) {
        if (targets == null) {
            throw new NullPointerException("AddingProblem.mean: targets are null");
        }
        if (targets.numel() == 0) {
            throw new IllegalArgumentException("AddingProblem.mean: no targets");
        }
        double sum = 0;
        for (int i = 0; i < targets.numel(); i++) {
            sum += targets.getFlat(i);
        }
        return sum / targets.numel();
    }
}
