package dev.lanes.autograd;

import dev.lanes.tensor.Tensor;

/**
 * {@code torch.nn.functional.adaptive_avg_pool2d} on {@code [N, C, H, W]}: output row {@code i}
 * of {@code out} averages input rows {@code floor(i H / out)} to {@code ceil((i + 1) H / out)}
 * (exclusive), and likewise for columns.
 */
final class AdaptiveAvgPool2dNode {

    private AdaptiveAvgPool2dNode() {
    }

    static Tensor apply(Tensor x, int[] outputSize) {
        String op = "adaptiveAvgPool2d";
        int[] d = NchwChecks.require4d(op, x);
        NchwChecks.requirePair(op, "output_size", outputSize, 1);
        if (d[2] < 1 || d[3] < 1) {
            throw new IllegalArgumentException(op + ": input of shape " + x.shape() + " has an empty plane");
        }
        int[][] rows = windows(outputSize[0], d[2]);
        int[][] cols = windows(outputSize[1], d[3]);
        double[][] div = new double[outputSize[0]][outputSize[1]];
        for (int i = 0; i < div.length; i++) {
            for (int j = 0; j < div[i].length; j++) {
                div[i][j] = (double) (rows[1][i] - rows[0][i]) * (cols[1][j] - cols[0][j]);
            }
        }
        return WindowAverage.average(op, "AdaptiveAvgPool2DBackward0", x, rows[0], rows[1], cols[0], cols[1], div);
    }

    private static int[][] windows(int out, int size) {
        int[][] r = new int[2][out];
        for (int i = 0; i < out; i++) {
            r[0][i] = (int) ((long) i * size / out);
            r[1][i] = (int) (((long) (i + 1) * size + out - 1) / out);
        }
        return r;
    }
}
