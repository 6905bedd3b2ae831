package dev.lanes.autograd;

import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.DataMovement;
import dev.lanes.tensor.internal.Dispatch;
import dev.lanes.tensor.internal.GradFn;

/**
 * Sum or mean over all elements or over chosen dimensions, optionally keeping them as size 1.
 * Each output element is a fixed-order sum. Backward: the gradient broadcast back over the
 * reduced dimensions (divided by the count for the mean).
 */
final class Sum extends GradFn {

    private final int[] keptShape;
    private final double scale;

    private Sum(Tensor x, boolean mean, boolean all, int[] keptShape, double scale) {
        super(mean ? "mean" : "sum", (mean ? "Mean" : "Sum") + (all ? "Backward0" : "Backward1"), x);
        this.keptShape = keptShape;
        this.scale = scale;
    }

    /**
     * @param dims the dimensions to reduce (negative count from the end); none means all, and
     *             then the result is a scalar whatever {@code keepdim} says (as torch.sum(x))
     */
    static Tensor apply(Tensor x, boolean mean, boolean keepdim, int... dims) {
        String op = mean ? "mean" : "sum";
        boolean all = dims.length == 0;
        boolean[] reduce = new boolean[x.rank()];
        long count = 1;
        if (all) {
            java.util.Arrays.fill(reduce, true);
            count = x.numel();
        } else {
            for (int d : dims) {
                int k = x.shape().normalize(op, d);
                if (reduce[k]) {
                    throw new IllegalArgumentException(op + ": dimension " + d + " appears more than once in "
                            + java.util.Arrays.toString(dims));
                }
                reduce[k] = true;
                count *= x.size(k);
            }
        }
        int[] kept = x.dims();
        for (int i = 0; i < kept.length; i++) {
            if (reduce[i]) {
                kept[i] = 1;
            }
        }
        Tensor out = DataMovement.sumDims(x, reduce);
        double scale = mean ? 1.0 / count : 1.0;
        if (mean) {
            out = Dispatch.scaled(scale, out);
        }
        if (keepdim && !all) {
            out = out.view(kept);
        }
        Tensor y = out;
        return Tape.output(op, y, () -> new Sum(x, mean, all, kept, scale), x);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor x = input(0);
        Tensor expanded = DataMovement.expand(g.view(keptShape), x.shape());
        if (scale != 1.0) {
            expanded = Dispatch.scaled(scale, expanded);
        }
        return new Tensor[] {expanded};
    }
}
