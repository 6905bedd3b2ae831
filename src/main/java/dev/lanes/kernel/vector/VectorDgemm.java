package dev.lanes.kernel.vector;

import dev.lanes.kernel.internal.Parallel;
import dev.lanes.kernel.internal.Scratch;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * DGEMM for the F64 path (gradient checks, reference computations): simpler than
 * {@link VectorSgemm}. Each row of C is accumulated in a row buffer with vector FMAs over the
 * rows of op(B), k index in increasing order, then written as {@code alpha * acc + beta * c}.
 * A transposed B is first copied to row-major order. Rows are split over threads in fixed
 * blocks, so results do not depend on the thread count.
 */
final class VectorDgemm {

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int ROWS_PER_TILE = 8;
    private static final long PARALLEL_MACS = 1L << 18;
    private static final long CACHED_TRANSPOSE = 1L << 20;

    private VectorDgemm() {
    }

    static void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                      double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                      double beta, double[] c, int cOff, int ldc) {
        double[] rowsB = b;
        int rowsOff = bOff;
        int rowsLd = ldb;
        if (transB) {
            // Cached per thread up to a few MiB; larger copies are not kept alive.
            rowsB = (long) k * n <= CACHED_TRANSPOSE ? Scratch.doubles(Scratch.GEMM_PACKED_B, k * n) : new double[k * n];
            for (int j = 0; j < n; j++) {
                for (int p = 0; p < k; p++) {
                    rowsB[p * n + j] = b[bOff + j * ldb + p];
                }
            }
            rowsOff = 0;
            rowsLd = n;
        }
        int ars = transA ? 1 : lda;
        int acs = transA ? lda : 1;
        double[] bRows = rowsB;
        int bStart = rowsOff;
        int bLd = rowsLd;
        Parallel.TileBody tileBody = tile -> {
            double[] acc = Scratch.doubles(Scratch.GEMM_ROW, n);
            int end = Math.min(m, (tile + 1) * ROWS_PER_TILE);
            for (int i = tile * ROWS_PER_TILE; i < end; i++) {
                java.util.Arrays.fill(acc, 0, n, 0d);
                for (int p = 0; p < k; p++) {
                    axpy(n, a[aOff + i * ars + p * acs], bRows, bStart + p * bLd, acc);
                }
                int cr = cOff + i * ldc;
                for (int j = 0; j < n; j++) {
                    double v = alpha * acc[j];
                    c[cr + j] = beta == 0d ? v : v + beta * c[cr + j];
                }
            }
        };
        int tiles = (m + ROWS_PER_TILE - 1) / ROWS_PER_TILE;
        if ((long) m * n * k < PARALLEL_MACS) {
            for (int t = 0; t < tiles; t++) {
                tileBody.run(t);
            }
        } else {
            Parallel.forEach(tiles, tileBody);
        }
    }

    /** acc[0..n) = fma(s, x[xi..xi+n), acc). */
    private static void axpy(int n, double s, double[] x, int xi, double[] acc) {
        DoubleVector sv = DoubleVector.broadcast(S, s);
        int j = 0;
        for (int bound = S.loopBound(n); j < bound; j += L) {
            sv.fma(DoubleVector.fromArray(S, x, xi + j), DoubleVector.fromArray(S, acc, j)).intoArray(acc, j);
        }
        for (; j < n; j++) {
            acc[j] = Math.fma(s, x[xi + j], acc[j]);
        }
    }
}
