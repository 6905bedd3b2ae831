package dev.lanes.kernel.vector;

import dev.lanes.kernel.internal.NormKernels;
import dev.lanes.kernel.internal.Scratch;
import dev.lanes.kernel.internal.Sums;
import java.util.Arrays;
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
    public void batchNorm(float[] x, float[] r, int xOff, int rOff, float mean, float invstd, float w, float b,
                          boolean relu, float[] y, int yOff, int n) {
        int full = S.loopBound(n);
        for (int j = 0; j < full; j += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + j).sub(mean).mul(invstd).mul(w).add(b);
            if (relu) {
                if (r != null) {
                    v = v.add(FloatVector.fromArray(S, r, rOff + j));
                }
                // max(v, 0) as Math.max: -0 and below become +0, NaN stays.
                v = v.blend(0f, v.compare(VectorOperators.LE, 0f));
            }
            v.intoArray(y, yOff + j);
        }
        if (full < n) {
            SCALAR.batchNorm(x, r, xOff + full, rOff + full, mean, invstd, w, b, relu, y, yOff + full, n - full);
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
    public void batchNorm(double[] x, double[] r, int xOff, int rOff, double mean, double invstd, double w, double b,
                          boolean relu, double[] y, int yOff, int n) {
        SCALAR.batchNorm(x, r, xOff, rOff, mean, invstd, w, b, relu, y, yOff, n);
    }

    @Override
    public void batchNormBackward(double[] dy, double[] x, int off, double mean, double invstd, double scale,
                                  double meanG, double meanGx, boolean batchStats, double[] dx, int dxOff, int n) {
        SCALAR.batchNormBackward(dy, x, off, mean, invstd, scale, meanG, meanGx, batchStats, dx, dxOff, n);
    }

    // Channel-blocked data: one vector per pixel, a channel per lane; other block sizes run the scalar loops.

    @Override
    public void blockedSumBlocks(BlockedTerm term, int block, int segments, int count, float[] x, float[] y, int off,
                                 int segStride, float[] center, float[] scale, int lanes, int fromBlock, int toBlock,
                                 float[] results, int resultsOff) {
        if (block != L) {
            SCALAR.blockedSumBlocks(term, block, segments, count, x, y, off, segStride, center, scale, lanes,
                    fromBlock, toBlock, results, resultsOff);
            return;
        }
        // Partial j of every lane is the vector at p[j * L].
        float[] p = Scratch.floats(Scratch.BLOCKED_PARTIALS, Sums.PARTIALS * L);
        FloatVector c = center == null ? null : FloatVector.fromArray(S, center, lanes);
        FloatVector sc = scale == null ? null : FloatVector.fromArray(S, scale, lanes);
        long terms = (long) segments * count;
        for (int k = fromBlock; k < toBlock; k++) {
            long start = (long) k * Sums.BLOCK;
            int length = (int) Math.min(Sums.BLOCK, terms - start);
            Arrays.fill(p, 0, Sums.PARTIALS * L, 0f);
            int s = (int) (start / count);
            int q = (int) (start % count);
            int slot = 0;
            for (int t = 0; t < length; t++) {
                int at = off + s * segStride + q * L;
                FloatVector v = FloatVector.fromArray(S, x, at);
                FloatVector value = switch (term) {
                    case PLAIN -> v;
                    case SQUARED_DEVIATION -> {
                        FloatVector d = v.sub(c);
                        yield d.mul(d);
                    }
                    case NORMALISED_PRODUCT -> FloatVector.fromArray(S, y, at).mul(v.sub(c).mul(sc));
                };
                FloatVector.fromArray(S, p, slot).add(value).intoArray(p, slot);
                slot += L;
                if (slot == Sums.PARTIALS * L) {
                    slot = 0;
                }
                if (++q == count) {
                    q = 0;
                    s++;
                }
            }
            // Folded in halves as Sums.fold does per lane.
            for (int w = Sums.PARTIALS / 2; w >= 1; w >>= 1) {
                for (int j = 0; j < w; j++) {
                    FloatVector.fromArray(S, p, j * L).add(FloatVector.fromArray(S, p, (j + w) * L))
                            .intoArray(p, j * L);
                }
            }
            System.arraycopy(p, 0, results, resultsOff + (k - fromBlock) * L, L);
        }
    }

    @Override
    public void blockedBatchNorm(int block, int segments, int count, float[] x, int xOff, float[] r, int rOff,
                                 int segStride, float[] mean, float[] invstd, float[] w, float[] b, int lanes,
                                 boolean relu, float[] y, int yOff) {
        if (block != L) {
            SCALAR.blockedBatchNorm(block, segments, count, x, xOff, r, rOff, segStride, mean, invstd, w, b, lanes, relu,
                    y, yOff);
            return;
        }
        FloatVector m = FloatVector.fromArray(S, mean, lanes);
        FloatVector is = FloatVector.fromArray(S, invstd, lanes);
        FloatVector wv = FloatVector.fromArray(S, w, lanes);
        FloatVector bv = FloatVector.fromArray(S, b, lanes);
        for (int s = 0; s < segments; s++) {
            int seg = s * segStride;
            for (int q = 0; q < count; q++) {
                int at = seg + q * L;
                FloatVector v = FloatVector.fromArray(S, x, xOff + at).sub(m).mul(is).mul(wv).add(bv);
                if (relu) {
                    if (r != null) {
                        v = v.add(FloatVector.fromArray(S, r, rOff + at));
                    }
                    v = v.blend(0f, v.compare(VectorOperators.LE, 0f));
                }
                v.intoArray(y, yOff + at);
            }
        }
    }

    @Override
    public void blockedBatchNormBackward(int block, int segments, int count, float[] dy, float[] x, int off,
                                         int segStride, float[] mean, float[] invstd, float[] scale, float[] meanG,
                                         float[] meanGx, int lanes, boolean batchStats, float[] dx) {
        if (block != L) {
            SCALAR.blockedBatchNormBackward(block, segments, count, dy, x, off, segStride, mean, invstd, scale, meanG,
                    meanGx, lanes, batchStats, dx);
            return;
        }
        FloatVector m = FloatVector.fromArray(S, mean, lanes);
        FloatVector is = FloatVector.fromArray(S, invstd, lanes);
        FloatVector sc = FloatVector.fromArray(S, scale, lanes);
        FloatVector mg = FloatVector.fromArray(S, meanG, lanes);
        FloatVector mgx = FloatVector.fromArray(S, meanGx, lanes);
        for (int s = 0; s < segments; s++) {
            int seg = off + s * segStride;
            for (int q = 0; q < count; q++) {
                int at = seg + q * L;
                FloatVector g = FloatVector.fromArray(S, dy, at);
                if (batchStats) {
                    FloatVector h = FloatVector.fromArray(S, x, at).sub(m).mul(is);
                    g = g.sub(mg).sub(h.mul(mgx));
                }
                g.mul(sc).intoArray(dx, at);
            }
        }
    }
}
