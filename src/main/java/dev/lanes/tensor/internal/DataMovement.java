package dev.lanes.tensor.internal;

import dev.lanes.kernel.internal.StridedMoves;
import dev.lanes.tensor.Shape;
import dev.lanes.tensor.Tensor;
import java.util.Arrays;

/**
 * Data movement on whole tensors, outside the graph: broadcasting, reducing broadcast
 * dimensions, permuting and summing over dimensions. Every result is new contiguous storage.
 */
public final class DataMovement {

    private DataMovement() {
    }

    /** Right-aligned sizes of {@code s} padded with leading 1s to {@code rank}. */
    private static int[] padded(Shape s, int rank) {
        int[] out = new int[rank];
        Arrays.fill(out, 1);
        int[] d = s.dims();
        System.arraycopy(d, 0, out, rank - d.length, d.length);
        return out;
    }

    /**
     * {@code t} broadcast to {@code to} (NumPy rules: sizes aligned at the end, 1 stretches), in
     * new storage; {@code t} itself when the shapes are equal.
     */
    public static Tensor expand(Tensor t, Shape to) {
        if (t.shape().equals(to)) {
            return t;
        }
        int rank = to.rank();
        int[] from = padded(t.shape(), rank);
        int[] dims = to.dims();
        int[] srcStride = new int[rank];
        int stride = 1;
        for (int i = rank - 1; i >= 0; i--) {
            srcStride[i] = from[i] == 1 ? 0 : stride;
            stride *= from[i];
        }
        return gather(t, dims, srcStride);
    }

    /**
     * The gradient of a broadcast: {@code g} (shaped like the broadcast result) summed over the
     * dimensions that {@code to} stretched, in {@code to}'s shape.
     */
    public static Tensor sumTo(Tensor g, Shape to) {
        if (g.shape().equals(to)) {
            return g;
        }
        int rank = g.rank();
        int[] target = padded(to, rank);
        boolean[] reduce = new boolean[rank];
        for (int i = 0; i < rank; i++) {
            reduce[i] = target[i] == 1 && g.size(i) != 1;
        }
        return sumDims(g, reduce).view(to.dims());
    }

    /**
     * {@code t} with its dimensions reordered: result dimension {@code i} is {@code t}'s dimension
     * {@code perm[i]}.
     */
    public static Tensor permute(Tensor t, int[] perm) {
        int rank = t.rank();
        int[] dims = t.dims();
        int[] strides = t.shape().strides();
        int[] outDims = new int[rank];
        int[] srcStride = new int[rank];
        boolean identity = true;
        for (int i = 0; i < rank; i++) {
            outDims[i] = dims[perm[i]];
            srcStride[i] = strides[perm[i]];
            identity &= perm[i] == i;
        }
        if (identity) {
            return StepArena.copy(t);
        }
        return gather(t, outDims, srcStride);
    }

    /**
     * A new tensor of shape {@code outDims} whose element at index {@code (i0, i1, ...)} is
     * {@code t}'s storage element {@code sum(ik * srcStride[k])}: the walk behind broadcasting
     * (stride 0 repeats) and permuting (strides reordered).
     */
    private static Tensor gather(Tensor t, int[] outDims, int[] srcStride) {
        Tensor out = StepArena.zeros(t.dtype(), outDims);
        gather(Dispatch.storage(t), 0, Dispatch.storage(out), 0, outDims, srcStride);
        return out;
    }

    /**
     * {@code dst[dstOff + o]}, for each output index {@code o} of {@code outDims} in row-major
     * order, becomes {@code src[srcOff + sum(ik * srcStride[k])]}, in arrays of one type
     * ({@code float[]} or {@code double[]}): {@link #permute}'s and broadcasting's walk.
     */
    public static void gather(Object src, int srcOff, Object dst, int dstOff, int[] outDims, int[] srcStride) {
        int rank = outDims.length;
        int n = 1;
        for (int d : outDims) {
            n *= d;
        }
        if (n == 0) {
            return;
        }
        if (rank == 0) {
            System.arraycopy(src, srcOff, dst, dstOff, 1);
            return;
        }
        // Rows of the last dimension at a time: a copy when it is contiguous in the source, a
        // fill when it is broadcast, a strided walk otherwise. Each row finds its source from its
        // own index, so the walk keeps no counters (and allocates nothing: plans run it per call).
        int last = rank - 1;
        int run = outDims[last];
        for (int o = 0; o < n; o += run) {
            int at = srcOff;
            int rest = o / run;
            for (int i = last - 1; i >= 0 && rest > 0; i--) {
                at += rest % outDims[i] * srcStride[i];
                rest /= outDims[i];
            }
            StridedMoves.copy(src, at, srcStride[last], dst, dstOff + o, 1, run);
        }
    }

    /**
     * The sum over the dimensions flagged in {@code reduce}, which are removed from the shape.
     * Each output element is a fixed-order sum ({@link dev.lanes.kernel.internal.Reductions}) of its
     * contiguous block once the reduced dimensions are moved last.
     */
    public static Tensor sumDims(Tensor t, boolean[] reduce) {
        int rank = t.rank();
        int[] perm = new int[rank];
        int k = 0;
        int kept = 0;
        int block = 1;
        for (int i = 0; i < rank; i++) {
            if (!reduce[i]) {
                perm[k++] = i;
                kept++;
            }
        }
        for (int i = 0; i < rank; i++) {
            if (reduce[i]) {
                perm[k++] = i;
                block *= t.size(i);
            }
        }
        int[] outDims = new int[kept];
        for (int i = 0; i < kept; i++) {
            outDims[i] = t.size(perm[i]);
        }
        boolean trailing = true;
        for (int i = 0; i < rank; i++) {
            trailing &= perm[i] == i;
        }
        // Reduced dimensions that are already the last ones (a mean over H and W) need no copy.
        Tensor moved = trailing ? t : permute(t, perm);
        Tensor out = StepArena.zeros(t.dtype(), outDims);
        int n = out.numel();
        for (int o = 0; o < n; o++) {
            out.setFlat(o, Dispatch.sum(moved, o * block, block));
        }
        return out;
    }
}
