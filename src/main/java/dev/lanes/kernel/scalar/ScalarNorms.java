package dev.lanes.kernel.scalar;

import dev.lanes.kernel.internal.NormKernels;
import dev.lanes.kernel.internal.Scratch;
import dev.lanes.kernel.internal.Sums;
import java.util.Arrays;

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
    public void batchNorm(float[] x, float[] r, int xOff, int rOff, float mean, float invstd, float w, float b,
                          boolean relu, float[] y, int yOff, int n) {
        for (int j = 0; j < n; j++) {
            float v = (x[xOff + j] - mean) * invstd * w + b;
            y[yOff + j] = relu ? Math.max(r == null ? v : v + r[rOff + j], 0f) : v;
        }
    }

    @Override
    public void batchNorm(double[] x, double[] r, int xOff, int rOff, double mean, double invstd, double w, double b,
                          boolean relu, double[] y, int yOff, int n) {
        for (int j = 0; j < n; j++) {
            double v = (x[xOff + j] - mean) * invstd * w + b;
            y[yOff + j] = relu ? Math.max(r == null ? v : v + r[rOff + j], 0d) : v;
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

    @Override
    public void blockedSumBlocks(BlockedTerm term, int block, int segments, int count, float[] x, float[] y, int off,
                                 int segStride, float[] center, float[] scale, int lanes, int fromBlock, int toBlock,
                                 float[] results, int resultsOff) {
        float[] p = Scratch.floats(Scratch.BLOCKED_PARTIALS, Sums.PARTIALS);
        long terms = (long) segments * count;
        for (int k = fromBlock; k < toBlock; k++) {
            long start = (long) k * Sums.BLOCK;
            long end = Math.min(terms, start + Sums.BLOCK);
            for (int l = 0; l < block; l++) {
                Arrays.fill(p, 0, Sums.PARTIALS, 0f);
                for (long i = start; i < end; i++) {
                    int at = off + (int) (i / count) * segStride + (int) (i % count) * block + l;
                    float v = x[at];
                    float t = switch (term) {
                        case PLAIN -> v;
                        case SQUARED_DEVIATION -> {
                            float d = v - center[lanes + l];
                            yield d * d;
                        }
                        case NORMALISED_PRODUCT -> y[at] * ((v - center[lanes + l]) * scale[lanes + l]);
                    };
                    p[(int) ((i - start) % Sums.PARTIALS)] += t;
                }
                results[resultsOff + (k - fromBlock) * block + l] = Sums.fold(p);
            }
        }
    }

    @Override
    public void blockedBatchNorm(int block, int segments, int count, float[] x, int xOff, float[] r, int rOff,
                                 int segStride, float[] mean, float[] invstd, float[] w, float[] b, int lanes,
                                 boolean relu, float[] y, int yOff) {
        for (int s = 0; s < segments; s++) {
            for (int q = 0; q < count; q++) {
                int at = s * segStride + q * block;
                for (int l = 0; l < block; l++) {
                    int i = lanes + l;
                    float v = (x[xOff + at + l] - mean[i]) * invstd[i] * w[i] + b[i];
                    y[yOff + at + l] = relu ? Math.max(r == null ? v : v + r[rOff + at + l], 0f) : v;
                }
            }
        }
    }

    @Override
    public void blockedBatchNormBackward(int block, int segments, int count, float[] dy, float[] x, int off,
                                         int segStride, float[] mean, float[] invstd, float[] scale, float[] meanG,
                                         float[] meanGx, int lanes, boolean batchStats, float[] dx) {
        for (int s = 0; s < segments; s++) {
            for (int q = 0; q < count; q++) {
                int at = off + s * segStride + q * block;
                for (int l = 0; l < block; l++) {
                    float g = dy[at + l];
                    int i = lanes + l;
                    dx[at + l] = batchStats
                            ? scale[i] * ((g - meanG[i]) - (x[at + l] - mean[i]) * invstd[i] * meanGx[i])
                            : scale[i] * g;
                }
            }
        }
    }
}
