package dev.lanes.autograd;

import dev.lanes.tensor.Tensor;

/**
 * {@code torch.nn.functional.avg_pool2d} on {@code [N, C, H, W]} (no {@code divisor_override}):
 * the window is clipped to the padded input, {@code [start, min(start + k, size + pad))}; with
 * {@code countIncludePad} that clipped size is the divisor, else only the part inside the input.
 */
final class AvgPool2dNode {

    private AvgPool2dNode() {
    }

    static Tensor apply(Tensor x, int[] kernel, int[] stride, int[] padding, boolean ceilMode,
                        boolean countIncludePad) {
        String op = "avgPool2d";
        int[] d = NchwChecks.require4d(op, x);
        int[] s = NchwChecks.poolWindow(op, kernel, stride, padding);
        int oh = NchwChecks.pooledSize(d[2], kernel[0], padding[0], s[0], 1, ceilMode);
        int ow = NchwChecks.pooledSize(d[3], kernel[1], padding[1], s[1], 1, ceilMode);
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException(op + ": input of shape " + x.shape() + " is too small for kernel_size "
                    + NchwChecks.pair(kernel) + ", padding " + NchwChecks.pair(padding) + ": the output would be " + oh + "x" + ow);
        }
        int[][] rows = windows(oh, d[2], kernel[0], s[0], padding[0]);
        int[][] cols = windows(ow, d[3], kernel[1], s[1], padding[1]);
        double[][] div = new double[oh][ow];
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
                div[i][j] = countIncludePad ? (double) rows[2][i] * cols[2][j]
                        : (double) (rows[1][i] - rows[0][i]) * (cols[1][j] - cols[0][j]);
            }
        }
        return WindowAverage.average(op, "AvgPool2DBackward0", x, rows[0], rows[1], cols[0], cols[1], div);
    }

    /** @return starts, ends (clipped to the input) and padded window sizes along one axis */
    private static int[][] windows(int out, int size, int k, int stride, int pad) {
        int[][] r = new int[3][out];
        for (int i = 0; i < out; i++) {
            int start = i * stride - pad;
            int end = Math.min(start + k, size + pad);
            r[2][i] = end - start;
            r[0][i] = Math.max(start, 0);
            r[1][i] = Math.min(end, size);
        }
        return r;
    }
}
