package dev.lanes.autograd;

import dev.lanes.autograd.internal.Lowerable;
import dev.lanes.autograd.internal.Lowering;
import dev.lanes.autograd.internal.Slot;
import dev.lanes.kernel.internal.Parallel;
import dev.lanes.kernel.internal.PoolWindow;
import dev.lanes.kernel.internal.Reductions;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.GradFn;
import dev.lanes.tensor.internal.StepArena;

/**
 * {@code torch.nn.functional.max_pool2d} on {@code [N, C, H, W]}: padding counts as
 * {@code -inf}; windows may be dilated; ceil mode as PyTorch's output-size rule. Each output keeps
 * the flat {@code h * W + w} index of its maximum, the first one in row-major scan order of the
 * window; a NaN wins, and as in PyTorch's CPU kernel each later NaN takes over, so the index is
 * the window's last NaN. Backward adds the gradient at that index. F32 runs the plane kernel
 * {@link Reductions#maxPool} (vectorised, planes across threads); F64 the loop below, which
 * gives the same maxima and indices.
 */
final class MaxPool2dNode extends GradFn implements Lowerable {

    private final int[] inDims;
    private final PoolWindow window;
    private int[] argmax;

    private MaxPool2dNode(Tensor x, PoolWindow window, int[] argmax) {
        super("maxPool2d", "MaxPool2DWithIndicesBackward0", x);
        this.inDims = x.dims();
        this.window = window;
        this.argmax = argmax;
    }

    static Tensor apply(Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        String op = "maxPool2d";
        int[] d = NchwChecks.require4d(op, x);
        PoolWindow window = window(op, x, d[2], d[3], kernel, stride, padding, dilation, ceilMode);
        int h = d[2];
        int w = d[3];
        int oh = window.hOut();
        int ow = window.wOut();
        int planes = d[0] * d[1];
        if (x.dtype() == DType.F32) {
            return applyFloat(x, window, planes);
        }
        double[] xs = x.toDoubleArray();
        double[] ys = new double[planes * oh * ow];
        int[] idx = StepArena.ints(ys.length); // every position is written
        for (int p = 0; p < planes; p++) {
            int base = p * h * w;
            for (int i = 0; i < oh; i++) {
                int hs = window.firstRow(i);
                int he = window.rowEnd(i);
                for (int j = 0; j < ow; j++) {
                    int ws = window.firstColumn(j);
                    int we = window.columnEnd(j);
                    int best = hs * w + ws;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int r = hs; r < he; r += dilation[0]) {
                        for (int q = ws; q < we; q += dilation[1]) {
                            double v = xs[base + r * w + q];
                            if (v > max || Double.isNaN(v)) {
                                max = v;
                                best = r * w + q;
                            }
                        }
                    }
                    int o = (p * oh + i) * ow + j;
                    ys[o] = max;
                    idx[o] = best;
                }
            }
        }
        Tensor y = NchwChecks.tensor(x.dtype(), ys, d[0], d[1], oh, ow);
        return Tape.output(op, y, () -> new MaxPool2dNode(x, window, idx), x);
    }

    /**
     * PyTorch's checks of {@code max_pool2d}'s window on an input of {@code h x w} (the tensor
     * {@code x} named in messages), and the window.
     */
    static PoolWindow window(String op, Tensor x, int h, int w, int[] kernel, int[] stride, int[] padding,
                             int[] dilation, boolean ceilMode) {
        int[] s = NchwChecks.poolWindow(op, kernel, stride, padding);
        NchwChecks.requirePair(op, "dilation", dilation, 1);
        int oh = NchwChecks.pooledSize(h, kernel[0], padding[0], s[0], dilation[0], ceilMode);
        int ow = NchwChecks.pooledSize(w, kernel[1], padding[1], s[1], dilation[1], ceilMode);
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException(op + ": input of shape " + x.shape() + " is too small for kernel_size "
                    + NchwChecks.pair(kernel) + ", padding " + NchwChecks.pair(padding) + ", dilation "
                    + NchwChecks.pair(dilation) + ": the output would be " + oh + "x" + ow);
        }
        try {
            return PoolWindow.of(h, w, kernel[0], kernel[1], s[0], s[1], padding[0], padding[1], dilation[0],
                    dilation[1], ceilMode);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(op + ": input of shape " + x.shape() + ": " + e.getMessage(), e);
        }
    }

    /** F32: the plane kernel {@link Reductions#maxPool} (vectorised), planes split across threads. */
    private static Tensor applyFloat(Tensor x, PoolWindow p, int planes) {
        Tensor y = StepArena.zeros(DType.F32, x.size(0), x.size(1), p.hOut(), p.wOut());
        float[] xs = x.f32();
        float[] ys = y.f32();
        int[] idx = StepArena.ints(ys.length); // every position is written
        int in = p.h() * p.w();
        int out = p.hOut() * p.wOut();
        Parallel.forEach(planes, plane -> {
            Reductions.maxPool(p, xs, plane * in, ys, plane * out, idx, plane * out);
        });
        return Tape.output("maxPool2d", y, () -> new MaxPool2dNode(x, p, idx), x);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        double[] gs = g.toDoubleArray();
        int plane = inDims[2] * inDims[3];
        int outPlane = g.size(2) * g.size(3);
        double[] dx = new double[inDims[0] * inDims[1] * plane];
        for (int o = 0; o < gs.length; o++) {
            dx[(o / outPlane) * plane + argmax[o]] += gs[o];
        }
        return new Tensor[] {NchwChecks.tensor(g.dtype(), dx, inDims)};
    }

    @Override
    protected void release() {
        super.release();
        argmax = null;
    }

    /** The F32 plane kernel plane by plane, without the positions (a plan has no backward). */
    @Override
    public void lower(Lowering l) {
        int planes = inDims[0] * inDims[1];
        int in = window.h() * window.w();
        int out = window.hOut() * window.wOut();
        Slot x = l.in(input(0));
        Slot y = l.out();
        l.step(mem -> {
            for (int plane = 0; plane < planes; plane++) {
                Reductions.maxPool(window, mem, x.at() + plane * in, mem, y.at() + plane * out, null, 0);
            }
        });
    }
}
