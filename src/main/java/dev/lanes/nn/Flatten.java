package dev.lanes.nn;

import dev.lanes.autograd.Ops;
import dev.lanes.tensor.Tensor;

/**
 * {@code torch.nn.Flatten}: merges dimensions {@code startDim} to {@code endDim} (inclusive,
 * negative counts from the end) into one, through {@code Ops.reshape}. Defaults 1 and -1.
 */
public final class Flatten extends Layer {

    private final int startDim;
    private final int endDim;

    /**
     * @param startDim the first dimension merged
     * @param endDim   the last dimension merged
     */
    public Flatten(int startDim, int endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    /** {@code Flatten(1, -1)}: keeps the batch dimension. */
    public Flatten() {
        this(1, -1);
    }

    @Override
    public Tensor forward(Tensor input) {
        int rank = input.rank();
        int r = Math.max(rank, 1);
        int s = startDim < 0 ? startDim + r : startDim;
        int e = endDim < 0 ? endDim + r : endDim;
        if (s < 0 || s >= r || e < 0 || e >= r) {
            throw new IllegalArgumentException("Flatten: dimensions " + startDim + " to " + endDim
                    + " are out of range for an input of shape " + input.shape());
        }
        if (s > e) {
            throw new IllegalArgumentException("Flatten: start_dim " + startDim + " comes after end_dim " + endDim
                    + " for an input of shape " + input.shape());
        }
        if (rank == 0) {
            return Ops.reshape(input, 1);
        }
        int[] dims = new int[rank - (e - s)];
        int k = 0;
        for (int i = 0; i < s; i++) {
            dims[k++] = input.size(i);
        }
        int merged = 1;
        for (int i = s; i <= e; i++) {
            merged *= input.size(i);
        }
        dims[k++] = merged;
        for (int i = e + 1; i < rank; i++) {
            dims[k++] = input.size(i);
        }
        return Ops.reshape(input, dims);
    }

    @Override
    protected String extraRepr() {
        return "start_dim=" + startDim + ", end_dim=" + endDim;
    }
}
