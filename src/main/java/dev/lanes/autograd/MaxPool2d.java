package dev.lanes.autograd;

import dev.lanes.tensor.GradFn;
import dev.lanes.tensor.Tensor;

/**
 * {@code torch.nn.functional.max_pool2d} on {@code [N, C, H, W]}: padding counts as
 * {@code -inf}; windows may be dilated; ceil mode as PyTorch's output-size rule. Each output keeps
 * the flat {@code h * W + w} index of its maximum, the first one in row-major scan order of the
 * window; a NaN wins, and as in PyTorch's CPU kernel each later NaN takes over, so the index is
 * the window's last NaN. Backward adds the gradient at that index.
 */
final class MaxPool2d extends GradFn {

    private final int[] inDims;
    private int[] argmax;

    private MaxPool2d(Tensor x, int[] argmax) {
        super("maxPool2d", "MaxPool2DWithIndicesBackward0", x);
        this.inDims = x.dims();
        this.argmax = argmax;
    }

    static Tensor apply(Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        String op = "maxPool2d";
        int[] d = Nchw.require4d(op, x);
        int[] s = stride == null || stride.length == 0 ? kernel : stride;
        Nchw.requirePair(op, "kernel_size", kernel, 1);
        Nchw.requirePair(op, "stride", s, 1);
        Nchw.requirePair(op, "padding", padding, 0);
        Nchw.requirePair(op, "dilation", dilation, 1);
        if (padding[0] > kernel[0] / 2 || padding[1] > kernel[1] / 2) {
            throw new IllegalArgumentException(op + ": padding " + Nchw.pair(padding)
                    + " should be at most half of kernel_size " + Nchw.pair(kernel));
        }
        int h = d[2];
        int w = d[3];
        int oh = Nchw.pooledSize(h, kernel[0], padding[0], s[0], dilation[0], ceilMode);
        int ow = Nchw.pooledSize(w, kernel[1], padding[1], s[1], dilation[1], ceilMode);
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException(op + ": input of shape " + x.shape() + " is too small for kernel_size "
                    + Nchw.pair(kernel) + ", padding " + Nchw.pair(padding) + ", dilation " + Nchw.pair(dilation)
                    + ": the output would be " + oh + "x" + ow);
        }
        int planes = d[0] * d[1];
        double[] xs = x.toDoubleArray();
        double[] ys = new double[planes * oh * ow];
        int[] idx = new int[ys.length];
        for (int p = 0; p < planes; p++) {
            int base = p * h * w;
            for (int i = 0; i < oh; i++) {
                int hs = i * s[0] - padding[0];
                int he = Math.min(hs + (kernel[0] - 1) * dilation[0] + 1, h);
                while (hs < 0) {
                    hs += dilation[0];
                }
                for (int j = 0; j < ow; j++) {
                    int ws = j * s[1] - padding[1];
                    int we = Math.min(ws + (kernel[1] - 1) * dilation[1] + 1, w);
                    while (ws < 0) {
                        ws += dilation[1];
                    }
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
        Tensor y = Nchw.tensor(x.dtype(), ys, d[0], d[1], oh, ow);
        return Record.output(op, y, () -> new MaxPool2d(x, idx), x);
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
        return new Tensor[] {Nchw.tensor(g.dtype(), dx, inDims)};
    }

    @Override
    protected void release() {
        super.release();
        argmax = null;
    }
}
