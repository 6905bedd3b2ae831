package dev.lanes.autograd;

import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.GradFn;
import dev.lanes.tensor.internal.StepArena;

/**
 * The maximum along one dimension and where it is (the first occurrence; NaN counts as the
 * largest, as in PyTorch). Backward: the gradient goes to that position only.
 */
final class Max extends GradFn {

    private final int dim;
    private final int[] indices;
    private final int[] keptShape;

    private Max(Tensor x, int dim, int[] indices, int[] keptShape) {
        super("max", "MaxBackward0", x);
        this.dim = dim;
        this.indices = indices;
        this.keptShape = keptShape;
    }

    static Ops.MaxResult apply(Tensor x, int dim, boolean keepdim) {
        int d = x.shape().normalize("max", dim);
        int size = x.size(d);
        if (size == 0) {
            throw new IllegalArgumentException("max: dimension " + dim + " of shape " + x.shape()
                    + " is empty; the maximum of nothing is undefined");
        }
        int[] dims = x.dims();
        int outer = 1;
        for (int i = 0; i < d; i++) {
            outer *= dims[i];
        }
        int inner = x.numel() / outer / size;
        int[] kept = dims.clone();
        kept[d] = 1;
        Tensor values = StepArena.zeros(x.dtype(), kept);
        int[] indices = new int[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int in = 0; in < inner; in++) {
                int base = o * size * inner + in;
                double best = x.getFlat(base);
                int at = 0;
                for (int j = 1; j < size && !Double.isNaN(best); j++) {
                    double v = x.getFlat(base + j * inner);
                    if (v > best || Double.isNaN(v)) {
                        best = v;
                        at = j;
                    }
                }
                values.setFlat(o * inner + in, best);
                indices[o * inner + in] = at;
            }
        }
        Tensor out = keepdim ? values : values.view(x.shape().without(d).dims());
        Tensor recorded = Tape.output("max", out, () -> new Max(x, d, indices, kept), x);
        return new Ops.MaxResult(recorded, indices.clone());
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor x = input(0);
        Tensor dx = StepArena.zeros(x.dtype(), x.shape());
        int size = x.size(dim);
        int inner = 1;
        for (int i = dim + 1; i < x.rank(); i++) {
            inner *= x.size(i);
        }
        Tensor gk = g.view(keptShape);
        for (int k = 0; k < indices.length; k++) {
            int o = k / inner;
            int in = k % inner;
            dx.setFlat(o * size * inner + indices[k] * inner + in, gk.getFlat(k));
        }
        return new Tensor[] {dx};
    }
}
