package dev.lanes.train;

import dev.lanes.tensor.Tensor;

/** Classification counts from a batch of outputs. */
final class Metrics {

    private Metrics() {
    }

    /**
     * @return how many rows of {@code output} ({@code [B, classes]}) have their largest value
     *         (the first, on ties) at the row's label
     */
    static long correct(Tensor output, int[] labels) {
        if (output.rank() != 2 || output.size(0) != labels.length) {
            throw new IllegalArgumentException("Trainer: outputs must be [batch, classes] with one row per label, got "
                    + output.shape() + " for " + labels.length + " labels");
        }
        int rows = output.size(0);
        int cols = output.size(1);
        double[] v = output.toDoubleArray();
        long right = 0;
        for (int r = 0; r < rows; r++) {
            int arg = 0;
            for (int c = 1; c < cols; c++) {
                if (v[r * cols + c] > v[r * cols + arg]) {
                    arg = c;
                }
            }
            right += arg == labels[r] ? 1 : 0;
        }
        return right;
    }
}
