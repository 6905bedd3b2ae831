package dev.lanes.autograd;

import dev.lanes.autograd.internal.Lowerable;
import dev.lanes.autograd.internal.Lowering;
import dev.lanes.autograd.internal.Slot;
import dev.lanes.kernel.internal.StridedMoves;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.Dispatch;
import dev.lanes.tensor.internal.GradFn;
import dev.lanes.tensor.internal.StepArena;

/**
 * Every {@code step}-th index from {@code start} below {@code end} along one dimension, copied;
 * backward scatters the gradient into zeros.
 */
final class Slice extends GradFn implements Lowerable {

    private final int dim;
    private final int start;
    private final int step;

    private Slice(Tensor x, int dim, int start, int step) {
        super("slice", "SliceBackward0", x);
        this.dim = dim;
        this.start = start;
        this.step = step;
    }

    /** Python slice semantics: negative bounds count from the end, then clamp to [0, size]. */
    static Tensor apply(Tensor x, int dim, int start, int end, int step) {
        int d = x.shape().normalize("slice", dim);
        if (step <= 0) {
            throw new IllegalArgumentException("slice: step must be positive, got " + step);
        }
        int size = x.size(d);
        int s = clamp(start < 0 ? start + size : start, size);
        int e = clamp(end < 0 ? end + size : end, size);
        int count = e <= s ? 0 : (e - s + step - 1) / step;
        return take(x, d, s, count, step);
    }

    /** {@code torch.narrow}: {@code length} indices from {@code start}, which must fit. */
    static Tensor narrow(Tensor x, int dim, int start, int length) {
        int d = x.shape().normalize("narrow", dim);
        int size = x.size(d);
        int s = start < 0 ? start + size : start;
        if (s < 0 || s > size || length < 0 || s + length > size) {
            throw new IllegalArgumentException("narrow: start " + start + " and length " + length
                    + " do not fit dimension " + dim + " of shape " + x.shape());
        }
        return take(x, d, s, length, 1);
    }

    private static int clamp(int v, int size) {
        return Math.max(0, Math.min(size, v));
    }

    private static Tensor take(Tensor x, int d, int start, int count, int step) {
        int[] dims = x.dims();
        int size = dims[d];
        int outer = 1;
        for (int i = 0; i < d; i++) {
            outer *= dims[i];
        }
        int inner = size == 0 ? 0 : x.numel() / outer / size;
        dims[d] = count;
        Tensor y = StepArena.zeros(x.dtype(), dims);
        runs(Dispatch.storage(x), 0, size, start, step, Dispatch.storage(y), 0, count, 0, 1, outer, count, inner);
        return Tape.output("slice", y, () -> new Slice(x, d, start, step), x);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor x = input(0);
        Tensor dx = StepArena.zeros(x.dtype(), x.shape());
        int size = x.size(dim);
        int count = g.size(dim);
        int outer = 1;
        for (int i = 0; i < dim; i++) {
            outer *= x.size(i);
        }
        int inner = size == 0 ? 0 : x.numel() / outer / size;
        runs(Dispatch.storage(g), 0, count, 0, 1, Dispatch.storage(dx), 0, size, start, step, outer, count, inner);
        return new Tensor[] {dx};
    }

    /**
     * For each outer index {@code o} and {@code j < count}, copies the run of {@code inner}
     * elements at index {@code o * srcSize + srcStart + j * srcStep} of the sliced dimension of
     * {@code src} to index {@code o * dstSize + dstStart + j * dstStep} of {@code dst}'s. Runs of
     * one element (a stepped slice of the last dimension) are copied in one strided loop per
     * outer index rather than one call each.
     */
    private static void runs(Object src, int srcOff, int srcSize, int srcStart, int srcStep, Object dst, int dstOff,
                             int dstSize, int dstStart, int dstStep, int outer, int count, int inner) {
        for (int o = 0; o < outer; o++) {
            if (inner == 1) {
                StridedMoves.copy(src, srcOff + o * srcSize + srcStart, srcStep, dst, dstOff + o * dstSize + dstStart,
                        dstStep, count);
                continue;
            }
            for (int j = 0; j < count; j++) {
                System.arraycopy(src, srcOff + (o * srcSize + srcStart + j * srcStep) * inner, dst,
                        dstOff + (o * dstSize + dstStart + j * dstStep) * inner, inner);
            }
        }
    }

    /** The eager copies ({@link #runs}) on the arena. */
    @Override
    public void lower(Lowering l) {
        Tensor x0 = input(0);
        int size = x0.size(dim);
        int outer = 1;
        for (int i = 0; i < dim; i++) {
            outer *= x0.size(i);
        }
        int inner = size == 0 ? 0 : x0.numel() / outer / size;
        Slot x = l.in(x0);
        Slot y = l.out();
        int count = y.dims()[dim];
        int rows = outer;
        l.step(mem -> runs(mem, x.at(), size, start, step, mem, y.at(), count, 0, 1, rows, count, inner));
    }
}
