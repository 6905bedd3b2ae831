package dev.lanes.kernel.scalar;

import dev.lanes.kernel.internal.NormKernels;

/**
 * The reference batch normalisation passes, written as {@link NormKernels} describes them, one
 * plain loop per plane. The vector provider reuses the double precision methods as they are, and
 * the float loops for the tails of its planes.
 */
public final class ScalarNorms implements NormKernels {

    /** The single instance. */
    public static final ScalarNorms INSTANCE = new ScalarNorms();

    private ScalarNorms() {
    }

    @Override
    public void batchNorm(float[] x, float[] r, int xOff, float mean, float invstd, float w, float b, boolean relu,
                          float[] y, int yOff, int n) {
        for (int j = 0; j < n; j++) {
            float v = (x[xOff + j] - mean) * invstd * w + b;
            y[yOff + j] = relu ? Math.max(r == null ? v : v + r[xOff + j], 0f) : v;
        }
    }

    @Override
    public void batchNorm(double[] x, double[] r, int xOff, double mean, double invstd, double w, double b,
                          boolean relu, double[] y, int yOff, int n) {
        for (int j = 0; j < n; j++) {
            double v = (x[xOff + j] - mean) * invstd * w + b;
            y[yOff + j] = relu ? Math.max(r == null ? v : v + r[xOff + j], 0d) : v;
        }
    }

    @Override
    public void batchNormBackward(float[] dy, float[] x, int off, float mean, float invstd, float scale, float meanG,
                                  float meanGx, boolean batchStats, float[] dx, int dxOff, int n) {
        for (int j = 0; j < n; j++) {
            float g = dy[off + j];
            dx[dxOff + j] = batchStats ? scale * ((g - meanG) - (x[off + j] - mean) * invstd * meanGx) : scale * g;
        }
    }

    @Override
    public void batchNormBackward(double[] dy, double[] x, int off, double mean, double invstd, double scale,
                                  double meanG, double meanGx, boolean batchStats, double[] dx, int dxOff, int n) {
        for (int j = 0; j < n; j++) {
            double g = dy[off + j];
            dx[dxOff + j] = batchStats ? scale * ((g - meanG) - (x[off + j] - mean) * invstd * meanGx) : scale * g;
        }
    }
}
