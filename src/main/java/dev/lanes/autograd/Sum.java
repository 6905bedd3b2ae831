package dev.lanes.autograd;

import dev.lanes.autograd.internal.Lowerable;
import dev.lanes.autograd.internal.Lowering;
import dev.lanes.autograd.internal.Slot;
import dev.lanes.kernel.internal.Elementwise;
import dev.lanes.kernel.internal.Reductions;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.DataMovement;
import dev.lanes.tensor.internal.Dispatch;
import dev.lanes.tensor.internal.GradFn;

/**
 * Sum or mean over all elements or over chosen dimensions, optionally keeping them as size 1.
 * Each output element is a fixed-order sum. Backward: the gradient broadcast back over the
 * reduced dimensions (divided by the count for the mean).
 */
final class Sum extends GradFn implements Lowerable {

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

    /**
     * Over trailing dimensions only (a mean over H and W): each output the eager fixed-order sum
     * of its contiguous run, rounded to float, then scaled as the eager mean scales.
     */
    @Override
    public void lower(Lowering l) {
        Tensor x0 = input(0);
        int first = 0;
        while (first < x0.rank() && (keptShape[first] != 1 || x0.size(first) == 1)) {
            first++;
        }
        for (int i = first; i < x0.rank(); i++) {
            if (keptShape[i] != 1) {
                throw l.refuse("reduces " + x0.shape() + " to " + java.util.Arrays.toString(keptShape)
                        + "; plans reduce trailing dimensions only");
            }
        }
        Slot x = l.in(x0);
        Slot y = l.out();
        int n = y.size();
        int block = n == 0 ? 0 : x.size() / n;
        float s = (float) scale;
        boolean mean = scale != 1.0;
        l.step(mem -> {
            int xOff = x.at();
            int yOff = y.at();
            for (int o = 0; o < n; o++) {
                mem[yOff + o] = (float) Reductions.sum(mem, xOff + o * block, block);
            }
            if (mean) {
                Elementwise.scale(s, mem, yOff, mem, yOff, n);
            }
        });
    }
}
