package dev.lanes.kernel.scalar;

import dev.lanes.kernel.internal.NormKernels;
import dev.lanes.kernel.internal.Scratch;
import java.util.Arrays;

/**
 * The reference layer and batch normalisation, written as {@link NormKernels} describes them: row
 * statistics through the fixed-order sums of {@link ScalarReductions}, then one plain loop per
 * pass. The vector provider reuses the double precision methods as they are, and the float batch
 * norm loops for the tails of its planes.
 */
public final class ScalarNorms implements NormKernels {

    /** The single instance. */
    public static final ScalarNorms INSTANCE = new ScalarNorms();

    private static final ScalarReductions SUMS = ScalarReductions.INSTANCE;

    private ScalarNorms() {
    }

    /**
     * The row's mean from a first estimate {@code mu0} and the fixed-order sum {@code sd} of the
     * deviations {@code x - mu0}, rounded to float once. Shared by both providers so that they
     * cannot drift apart.
     */
    public static float mean(float mu0, float sd, int cols) {
        return (float) (mu0 + (double) sd / cols);
    }

    /**
     * The row's {@code 1 / sqrt(var + eps)} from the fixed-order sums {@code sd} and {@code sq}
     * of the deviations {@code x - mu0} and of their squares: the variance of the deviations,
     * {@code sq / cols - (sd / cols)^2} in double and never below 0, which does not cancel away
     * when the mean is large, as {@code mu0} is within rounding of the mean.
     */
    public static float rstd(float sd, float sq, int cols, double eps) {
        double c = (double) sd / cols;
        double var = Math.max(0d, (double) sq / cols - c * c);
        return (float) (1d / Math.sqrt(var + eps));
    }

    @Override
    public void layerNorm(int rows, int cols, float[] x, int xOff, float[] weight, int wOff, float[] bias, int bOff,
                          double eps, float[] y, int yOff, float[] mean, int meanOff, float[] rstd, int rstdOff) {
        float[] d = Scratch.floats(Scratch.NORM_ROWS, cols);
        for (int r = 0; r < rows; r++) {
            int xr = xOff + r * cols;
            int yr = yOff + r * cols;
            float mu0 = (float) ((double) SUMS.sum(x, xr, cols) / cols);
            for (int j = 0; j < cols; j++) {
                d[j] = x[xr + j] - mu0;
            }
            float sd = SUMS.sum(d, 0, cols);
            float mu = mean(mu0, sd, cols);
            float rs = rstd(sd, SUMS.sumOfSquares(d, 0, cols), cols, eps);
            mean[meanOff + r] = mu;
            rstd[rstdOff + r] = rs;
            for (int j = 0; j < cols; j++) {
                float h = (x[xr + j] - mu) * rs;
                if (weight != null) {
                    h = h * weight[wOff + j];
                }
                if (bias != null) {
                    h = h + bias[bOff + j];
                }
                y[yr + j] = h;
            }
        }
    }

    @Override
    public void layerNorm(int rows, int cols, double[] x, int xOff, double[] weight, int wOff, double[] bias,
                          int bOff, double eps, double[] y, int yOff, double[] mean, int meanOff, double[] rstd,
                          int rstdOff) {
        for (int r = 0; r < rows; r++) {
            int xr = xOff + r * cols;
            int yr = yOff + r * cols;
            double mu = SUMS.sum(x, xr, cols) / cols;
            double var = SUMS.sumOfSquaredDeviations(x, xr, cols, mu) / cols;
            double rs = 1d / Math.sqrt(var + eps);
            mean[meanOff + r] = mu;
            rstd[rstdOff + r] = rs;
            for (int j = 0; j < cols; j++) {
                double h = (x[xr + j] - mu) * rs;
                if (weight != null) {
                    h = h * weight[wOff + j];
                }
                if (bias != null) {
                    h = h + bias[bOff + j];
                }
                y[yr + j] = h;
            }
        }
    }

    @Override
    public void layerNormBackward(int rows, int cols, float[] x, int xOff, float[] mean, int meanOff, float[] rstd,
                                  int rstdOff, float[] weight, int wOff, float[] dy, int dyOff, float[] dx,
                                  int dxOff, float[] dw, int dwOff, float[] db, int dbOff) {
        if (dw != null) {
            Arrays.fill(dw, dwOff, dwOff + cols, 0f);
        }
        if (db != null) {
            Arrays.fill(db, dbOff, dbOff + cols, 0f);
        }
        // One row of xhat, then one of g = dy * w (without a weight, g is dy itself).
        float[] t = Scratch.floats(Scratch.NORM_ROWS, 2 * cols);
        for (int r = 0; r < rows; r++) {
            int xr = xOff + r * cols;
            int dyr = dyOff + r * cols;
            float mu = mean[meanOff + r];
            float rs = rstd[rstdOff + r];
            for (int j = 0; j < cols; j++) {
                t[j] = (x[xr + j] - mu) * rs;
            }
            float[] g = dy;
            int gOff = dyr;
            if (weight != null) {
                for (int j = 0; j < cols; j++) {
                    t[cols + j] = dy[dyr + j] * weight[wOff + j];
                }
                g = t;
                gOff = cols;
            }
            float meanG = (float) ((double) SUMS.sum(g, gOff, cols) / cols);
            float meanGx = (float) ((double) SUMS.dot(g, gOff, t, 0, cols) / cols);
            // Column sums before dx: dx may be dy.
            for (int j = 0; j < cols; j++) {
                float d = dy[dyr + j];
                if (dw != null) {
                    dw[dwOff + j] += d * t[j];
                }
                if (db != null) {
                    db[dbOff + j] += d;
                }
            }
            if (dx != null) {
                int dxr = dxOff + r * cols;
                for (int j = 0; j < cols; j++) {
                    dx[dxr + j] = rs * ((g[gOff + j] - meanG) - t[j] * meanGx);
                }
            }
        }
    }

    @Override
    public void layerNormBackward(int rows, int cols, double[] x, int xOff, double[] mean, int meanOff,
                                  double[] rstd, int rstdOff, double[] weight, int wOff, double[] dy, int dyOff,
                                  double[] dx, int dxOff, double[] dw, int dwOff, double[] db, int dbOff) {
        if (dw != null) {
            Arrays.fill(dw, dwOff, dwOff + cols, 0d);
        }
        if (db != null) {
            Arrays.fill(db, dbOff, dbOff + cols, 0d);
        }
        double[] t = Scratch.doubles(Scratch.NORM_ROWS, 2 * cols);
        for (int r = 0; r < rows; r++) {
            int xr = xOff + r * cols;
            int dyr = dyOff + r * cols;
            double mu = mean[meanOff + r];
            double rs = rstd[rstdOff + r];
            for (int j = 0; j < cols; j++) {
                t[j] = (x[xr + j] - mu) * rs;
            }
            double[] g = dy;
            int gOff = dyr;
            if (weight != null) {
                for (int j = 0; j < cols; j++) {
                    t[cols + j] = dy[dyr + j] * weight[wOff + j];
                }
                g = t;
                gOff = cols;
            }
            double meanG = SUMS.sum(g, gOff, cols) / cols;
            double meanGx = SUMS.dot(g, gOff, t, 0, cols) / cols;
            for (int j = 0; j < cols; j++) {
                double d = dy[dyr + j];
                if (dw != null) {
                    dw[dwOff + j] += d * t[j];
                }
                if (db != null) {
                    db[dbOff + j] += d;
                }
            }
            if (dx != null) {
                int dxr = dxOff + r * cols;
                for (int j = 0; j < cols; j++) {
                    dx[dxr + j] = rs * ((g[gOff + j] - meanG) - t[j] * meanGx);
                }
            }
        }
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
