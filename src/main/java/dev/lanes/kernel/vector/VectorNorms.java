package dev.lanes.kernel.vector;

import dev.lanes.kernel.internal.NormKernels;
import dev.lanes.kernel.scalar.ScalarNorms;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Batch normalisation passes on the preferred float species: lane by lane exactly the operations
 * of {@link ScalarNorms}, with whole vectors up to the last full one and the scalar provider's
 * loop over the elements after it. Double precision is the scalar provider's code.
 */
final class VectorNorms implements NormKernels {

    static final VectorNorms INSTANCE = new VectorNorms();

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ScalarNorms SCALAR = ScalarNorms.INSTANCE;

    private VectorNorms() {
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
