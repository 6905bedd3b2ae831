package dev.lanes.kernel.scalar;

import dev.lanes.kernel.internal.PoolWindow;
import dev.lanes.kernel.internal.ReductionKernels;

/**
 * The reference column sums and max pooling (the sums of {@link ReductionKernels}'s fixed order
 * are the generated {@link ScalarSums}). The vector provider reuses the double precision methods
 * as they are.
 */
public final class ScalarReductions implements ReductionKernels {

    /** The single instance. */
    public static final ScalarReductions INSTANCE = new ScalarReductions();

    private ScalarReductions() {
    }

    @Override
    public void addColumnSums(int rows, int cols, float[] x, int xOff, int ldx, float[] y, int yOff) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                y[yOff + j] += x[xOff + r * ldx + j];
            }
        }
    }

    @Override
    public void addColumnSums(int rows, int cols, double[] x, int xOff, int ldx, double[] y, int yOff) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                y[yOff + j] += x[xOff + r * ldx + j];
            }
        }
    }

    @Override
    public void maxPool(PoolWindow p, float[] x, int xOff, float[] y, int yOff, int[] arg, int argOff) {
        maxPoolColumns(p, x, xOff, y, yOff, arg, argOff, 0, p.wOut());
    }

    @Override
    public void blockedMaxPool(PoolWindow p, int block, float[] x, int xOff, float[] y, int yOff, int[] arg,
                               int argOff) {
        for (int i = 0; i < p.hOut(); i++) {
            int r0 = p.firstRow(i);
            int r1 = p.rowEnd(i);
            for (int j = 0; j < p.wOut(); j++) {
                int c0 = p.firstColumn(j);
                int c1 = p.columnEnd(j);
                int o = (i * p.wOut() + j) * block;
                for (int l = 0; l < block; l++) {
                    float max = Float.NEGATIVE_INFINITY;
                    int best = r0 * p.w() + c0;
                    for (int r = r0; r < r1; r += p.dH()) {
                        for (int c = c0; c < c1; c += p.dW()) {
                            float v = x[xOff + (r * p.w() + c) * block + l];
                            if (v > max || Float.isNaN(v)) {
                                max = v;
                                best = r * p.w() + c;
                            }
                        }
                    }
                    y[yOff + o + l] = max;
                    if (arg != null) {
                        arg[argOff + o + l] = best;
                    }
                }
            }
        }
    }

    /**
     * {@link #maxPool} for output columns {@code [j0, j1)} of every row: the reference every
     * provider follows, and the vector kernel's tail.
     */
    public static void maxPoolColumns(PoolWindow p, float[] x, int xOff, float[] y, int yOff, int[] arg,
                                      int argOff, int j0, int j1) {
        for (int i = 0; i < p.hOut(); i++) {
            int r0 = p.firstRow(i);
            int r1 = p.rowEnd(i);
            for (int j = j0; j < j1; j++) {
                int c0 = p.firstColumn(j);
                int c1 = p.columnEnd(j);
                float max = Float.NEGATIVE_INFINITY;
                int best = r0 * p.w() + c0;
                for (int r = r0; r < r1; r += p.dH()) {
                    for (int c = c0; c < c1; c += p.dW()) {
                        float v = x[xOff + r * p.w() + c];
                        if (v > max || Float.isNaN(v)) {
                            max = v;
                            best = r * p.w() + c;
                        }
                    }
                }
                int o = i * p.wOut() + j;
                y[yOff + o] = max;
                if (arg != null) {
                    arg[argOff + o] = best;
                }
            }
        }
    }
}
