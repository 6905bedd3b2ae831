package dev.lanes.kernel.scalar;

import dev.lanes.kernel.internal.PoolWindow;
import dev.lanes.kernel.internal.ReductionKernels;
import dev.lanes.kernel.internal.SumTerm;

/**
 * The reference reductions; the sums are the generated {@link ScalarSums}, the fixed summation
 * order of {@link ReductionKernels}. The vector provider reuses the double precision methods as
 * they are.
 */
public final class ScalarReductions implements ReductionKernels {

    /** The single instance. */
    public static final ScalarReductions INSTANCE = new ScalarReductions();

    private ScalarReductions() {
    }

    @Override
    public float sum(float[] x, int off, int n) {
        return ScalarSums.sum(SumTerm.PLAIN, x, off, null, 0, 0f, n);
    }

    @Override
    public double sum(double[] x, int off, int n) {
        return ScalarSums.sum(SumTerm.PLAIN, x, off, null, 0, 0d, n);
    }

    @Override
    public float sumOfSquares(float[] x, int off, int n) {
        return ScalarSums.sum(SumTerm.SQUARE, x, off, null, 0, 0f, n);
    }

    @Override
    public double sumOfSquares(double[] x, int off, int n) {
        return ScalarSums.sum(SumTerm.SQUARE, x, off, null, 0, 0d, n);
    }

    @Override
    public float sumOfSquaredDeviations(float[] x, int off, int n, float center) {
        return ScalarSums.sum(SumTerm.SQUARED_DEVIATION, x, off, null, 0, center, n);
    }

    @Override
    public double sumOfSquaredDeviations(double[] x, int off, int n, double center) {
        return ScalarSums.sum(SumTerm.SQUARED_DEVIATION, x, off, null, 0, center, n);
    }

    @Override
    public float dot(float[] x, int xOff, float[] y, int yOff, int n) {
        return ScalarSums.sum(SumTerm.PRODUCT, x, xOff, y, yOff, 0f, n);
    }

    @Override
    public double dot(double[] x, int xOff, double[] y, int yOff, int n) {
        return ScalarSums.sum(SumTerm.PRODUCT, x, xOff, y, yOff, 0d, n);
    }

    @Override
    public float max(float[] x, int off, int n) {
        return ScalarSums.max(x, off, n);
    }

    @Override
    public double max(double[] x, int off, int n) {
        return ScalarSums.max(x, off, n);
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
