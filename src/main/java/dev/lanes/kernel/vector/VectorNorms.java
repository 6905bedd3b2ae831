package dev.lanes.kernel.vector;

import dev.lanes.kernel.internal.NormKernels;
import dev.lanes.kernel.internal.Scratch;
import dev.lanes.kernel.scalar.ScalarNorms;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Layer and batch normalisation on the preferred float species. The row statistics are the
 * fixed-order sums of {@link VectorReductions} (the scalar provider's bits), and every pass over a
 * row applies, lane by lane, exactly the operations of {@link ScalarNorms}, with whole vectors up
 * to the last full one; the layer norm finishes with a masked tail, the batch norm with the
 * scalar provider's loop over the elements after the last full vector of each plane. Double
 * precision is the scalar provider's code.
 */
final class VectorNorms implements NormKernels {

    static final VectorNorms INSTANCE = new VectorNorms();

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final VectorReductions SUMS = VectorReductions.INSTANCE;
    private static final ScalarNorms SCALAR = ScalarNorms.INSTANCE;

    private VectorNorms() {
    }

    @Override
    public void layerNorm(int rows, int cols, float[] x, int xOff, float[] weight, int wOff, float[] bias, int bOff,
                          double eps, float[] y, int yOff, float[] mean, int meanOff, float[] rstd, int rstdOff) {
        float[] d = Scratch.floats(Scratch.NORM_ROWS, cols);
        for (int r = 0; r < rows; r++) {
            int xr = xOff + r * cols;
            float mu0 = (float) ((double) SUMS.sum(x, xr, cols) / cols);
            // d = (x - mu0) * 1: the deviations, exactly as the scalar provider rounds them.
            normalise(x, xr, mu0, 1f, null, 0, null, 0, d, 0, cols);
            float sd = SUMS.sum(d, 0, cols);
            float mu = ScalarNorms.mean(mu0, sd, cols);
            float rs = ScalarNorms.rstd(sd, SUMS.sumOfSquares(d, 0, cols), cols, eps);
            mean[meanOff + r] = mu;
            rstd[rstdOff + r] = rs;
            normalise(x, xr, mu, rs, weight, wOff, bias, bOff, y, yOff + r * cols, cols);
        }
    }

    /** {@code y = ((x - mu) * rs) * w + b} over one row, weight and bias optional. */
    private static void normalise(float[] x, int xr, float mu, float rs, float[] weight, int wOff, float[] bias,
                                  int bOff, float[] y, int yr, int cols) {
        int j = 0;
        for (int end = S.loopBound(cols); j < end; j += L) {
            FloatVector h = FloatVector.fromArray(S, x, xr + j).sub(mu).mul(rs);
            if (weight != null) {
                h = h.mul(FloatVector.fromArray(S, weight, wOff + j));
            }
            if (bias != null) {
                h = h.add(FloatVector.fromArray(S, bias, bOff + j));
            }
            h.intoArray(y, yr + j);
        }
        if (j < cols) {
            VectorMask<Float> m = S.indexInRange(j, cols);
            FloatVector h = FloatVector.fromArray(S, x, xr + j, m).sub(mu).mul(rs);
            if (weight != null) {
                h = h.mul(FloatVector.fromArray(S, weight, wOff + j, m));
            }
            if (bias != null) {
                h = h.add(FloatVector.fromArray(S, bias, bOff + j, m));
            }
            h.intoArray(y, yr + j, m);
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
            int dyr = dyOff + r * cols;
            float rs = rstd[rstdOff + r];
            normalise(x, xOff + r * cols, mean[meanOff + r], rs, null, 0, null, 0, t, 0, cols);
            float[] g = dy;
            int gOff = dyr;
            if (weight != null) {
                scale(dy, dyr, weight, wOff, t, cols, cols);
                g = t;
                gOff = cols;
            }
            float meanG = (float) ((double) SUMS.sum(g, gOff, cols) / cols);
            float meanGx = (float) ((double) SUMS.dot(g, gOff, t, 0, cols) / cols);
            rowGradients(dy, dyr, g, gOff, t, rs, meanG, meanGx, dx, dx == null ? 0 : dxOff + r * cols, dw, dwOff, db,
                    dbOff, cols);
        }
    }

    /** {@code g = dy * w} over one row. */
    private static void scale(float[] dy, int dyr, float[] weight, int wOff, float[] g, int gOff, int cols) {
        int j = 0;
        for (int end = S.loopBound(cols); j < end; j += L) {
            FloatVector.fromArray(S, dy, dyr + j).mul(FloatVector.fromArray(S, weight, wOff + j))
                    .intoArray(g, gOff + j);
        }
        if (j < cols) {
            VectorMask<Float> m = S.indexInRange(j, cols);
            FloatVector.fromArray(S, dy, dyr + j, m).mul(FloatVector.fromArray(S, weight, wOff + j, m))
                    .intoArray(g, gOff + j, m);
        }
    }

    /**
     * One pass over a row: {@code dw += dy * xhat}, {@code db += dy} and
     * {@code dx = rs * ((g - meanG) - xhat * meanGx)}, each optional. Every lane loads before it
     * stores, so {@code dx} may be {@code dy}.
     */
    private static void rowGradients(float[] dy, int dyr, float[] g, int gOff, float[] xhat, float rs, float meanG,
                                     float meanGx, float[] dx, int dxr, float[] dw, int dwOff, float[] db, int dbOff,
                                     int cols) {
        int j = 0;
        for (int end = S.loopBound(cols); j < end; j += L) {
            FloatVector d = FloatVector.fromArray(S, dy, dyr + j);
            FloatVector h = FloatVector.fromArray(S, xhat, j);
            if (dw != null) {
                FloatVector.fromArray(S, dw, dwOff + j).add(d.mul(h)).intoArray(dw, dwOff + j);
            }
            if (db != null) {
                FloatVector.fromArray(S, db, dbOff + j).add(d).intoArray(db, dbOff + j);
            }
            if (dx != null) {
                FloatVector.fromArray(S, g, gOff + j).sub(meanG).sub(h.mul(meanGx)).mul(rs).intoArray(dx, dxr + j);
            }
        }
        if (j < cols) {
            VectorMask<Float> m = S.indexInRange(j, cols);
            FloatVector d = FloatVector.fromArray(S, dy, dyr + j, m);
            FloatVector h = FloatVector.fromArray(S, xhat, j, m);
            if (dw != null) {
                FloatVector.fromArray(S, dw, dwOff + j, m).add(d.mul(h)).intoArray(dw, dwOff + j, m);
            }
            if (db != null) {
                FloatVector.fromArray(S, db, dbOff + j, m).add(d).intoArray(db, dbOff + j, m);
            }
            if (dx != null) {
                FloatVector.fromArray(S, g, gOff + j, m).sub(meanG).sub(h.mul(meanGx)).mul(rs)
                        .intoArray(dx, dxr + j, m);
            }
        }
    }

    @Override
    public void batchNorm(float[] x, float[] r, int xOff, float mean, float invstd, float w, float b, boolean relu,
                          float[] y, int yOff, int n) {
        int full = S.loopBound(n);
        for (int j = 0; j < full; j += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + j).sub(mean).mul(invstd).mul(w).add(b);
            if (relu) {
                if (r != null) {
                    v = v.add(FloatVector.fromArray(S, r, xOff + j));
                }
                // max(v, 0) as Math.max: -0 and below become +0, NaN stays.
                v = v.blend(0f, v.compare(VectorOperators.LE, 0f));
            }
            v.intoArray(y, yOff + j);
        }
        if (full < n) {
            SCALAR.batchNorm(x, r, xOff + full, mean, invstd, w, b, relu, y, yOff + full, n - full);
        }
    }

    @Override
    public void batchNormBackward(float[] dy, float[] x, int off, float mean, float invstd, float scale, float meanG,
                                  float meanGx, boolean batchStats, float[] dx, int dxOff, int n) {
        int full = S.loopBound(n);
        for (int j = 0; j < full; j += L) {
            FloatVector g = FloatVector.fromArray(S, dy, off + j);
            if (batchStats) {
                FloatVector h = FloatVector.fromArray(S, x, off + j).sub(mean).mul(invstd);
                g = g.sub(meanG).sub(h.mul(meanGx));
            }
            g.mul(scale).intoArray(dx, dxOff + j);
        }
        if (full < n) {
            SCALAR.batchNormBackward(dy, x, off + full, mean, invstd, scale, meanG, meanGx, batchStats, dx,
                    dxOff + full, n - full);
        }
    }

    // Double precision: the scalar provider's code.

    @Override
    public void layerNorm(int rows, int cols, double[] x, int xOff, double[] weight, int wOff, double[] bias,
                          int bOff, double eps, double[] y, int yOff, double[] mean, int meanOff, double[] rstd,
                          int rstdOff) {
        SCALAR.layerNorm(rows, cols, x, xOff, weight, wOff, bias, bOff, eps, y, yOff, mean, meanOff, rstd, rstdOff);
    }

    @Override
    public void layerNormBackward(int rows, int cols, double[] x, int xOff, double[] mean, int meanOff,
                                  double[] rstd, int rstdOff, double[] weight, int wOff, double[] dy, int dyOff,
                                  double[] dx, int dxOff, double[] dw, int dwOff, double[] db, int dbOff) {
        SCALAR.layerNormBackward(rows, cols, x, xOff, mean, meanOff, rstd, rstdOff, weight, wOff, dy, dyOff, dx, dxOff,
                dw, dwOff, db, dbOff);
    }

    @Override
    public void batchNorm(double[] x, double[] r, int xOff, double mean, double invstd, double w, double b,
                          boolean relu, double[] y, int yOff, int n) {
        SCALAR.batchNorm(x, r, xOff, mean, invstd, w, b, relu, y, yOff, n);
    }

    @Override
    public void batchNormBackward(double[] dy, double[] x, int off, double mean, double invstd, double scale,
                                  double meanG, double meanGx, boolean batchStats, double[] dx, int dxOff, int n) {
        SCALAR.batchNormBackward(dy, x, off, mean, invstd, scale, meanG, meanGx, batchStats, dx, dxOff, n);
    }
}
