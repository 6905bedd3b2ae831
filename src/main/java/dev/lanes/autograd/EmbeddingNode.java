package dev.lanes.autograd;

import dev.lanes.autograd.internal.Lowerable;
import dev.lanes.autograd.internal.Lowering;
import dev.lanes.autograd.internal.Slot;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.Dispatch;
import dev.lanes.tensor.internal.GradFn;
import dev.lanes.tensor.internal.StepArena;

/**
 * {@code torch.nn.functional.embedding}: row {@code ids[i]} of the weight for each id, the ids
 * given as a tensor of whole numbers (of either dtype; F32 holds every id below 2^24 exactly).
 * Backward adds each output row's gradient into its id's row, ids in order, so repeated ids sum
 * in a fixed order; the ids get no gradient.
 */
final class EmbeddingNode extends GradFn implements Lowerable {

    private final int[] rows;

    private EmbeddingNode(Tensor ids, Tensor w, int[] rows) {
        super("embedding", "EmbeddingBackward0", ids, w);
        this.rows = rows;
    }

    static Tensor apply(Tensor ids, Tensor w) {
        if (w.rank() != 2) {
            throw new IllegalArgumentException("embedding: expected a weight [num_embeddings, dim], got " + w.shape());
        }
        int count = w.size(0);
        int dim = w.size(1);
        int n = ids.numel();
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) {
            rows[i] = id(ids.getFlat(i), i, count);
        }
        int[] dims = java.util.Arrays.copyOf(ids.dims(), ids.rank() + 1);
        dims[ids.rank()] = dim;
        Tensor y = StepArena.empty(w.dtype(), dims); // every row is written
        for (int i = 0; i < n; i++) {
            Dispatch.copy(w, rows[i] * dim, y, i * dim, dim);
        }
        return Tape.output("embedding", y, () -> new EmbeddingNode(ids, w, rows), ids, w);
    }

    /** @return {@code v} as a row index, checked to be a whole number in {@code [0, count)} */
    private static int id(double v, int position, int count) {
        if (!(v >= 0 && v < count) || v != Math.rint(v)) {
            throw new IllegalArgumentException("embedding: id " + v + " at position " + position
                    + " is not a whole number in [0, " + count + ")");
        }
        return (int) v;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor w = input(1);
        if (!needsGrad(1)) {
            return new Tensor[] {null, null};
        }
        int dim = w.size(1);
        Tensor dw = StepArena.zeros(w.dtype(), w.shape());
        if (w.dtype() == DType.F32) {
            float[] gs = g.f32();
            float[] d = dw.f32();
            for (int i = 0; i < rows.length; i++) {
                for (int j = 0; j < dim; j++) {
                    d[rows[i] * dim + j] += gs[i * dim + j];
                }
            }
        } else {
            double[] gs = g.f64();
            double[] d = dw.f64();
            for (int i = 0; i < rows.length; i++) {
                for (int j = 0; j < dim; j++) {
                    d[rows[i] * dim + j] += gs[i * dim + j];
                }
            }
        }
        return new Tensor[] {null, dw};
    }

    /** The ids are an operand of the plan (usually its input): checked and looked up on every call. */
    @Override
    public void lower(Lowering l) {
        Tensor w0 = input(1);
        int count = w0.size(0);
        int dim = w0.size(1);
        float[] w = l.constant(w0);
        Slot ids = l.in(input(0));
        Slot y = l.out();
        int n = ids.size();
        l.step(mem -> {
            for (int i = 0; i < n; i++) {
                int row = id(mem[ids.at() + i], i, count);
                System.arraycopy(w, row * dim, mem, y.at() + i * dim, dim);
            }
        });
    }
}
