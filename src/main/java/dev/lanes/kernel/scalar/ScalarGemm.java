package dev.lanes.kernel.scalar;

import dev.lanes.kernel.internal.GemmKernels;
import dev.lanes.kernel.internal.GemvPanels;
import dev.lanes.kernel.internal.Parallel;
import dev.lanes.kernel.internal.Scratch;
import dev.lanes.kernel.internal.Transpose;

/**
 * Reference GEMM. Each row of C is accumulated in a row buffer in the order p = 0, 1, ..., k-1
 * (an i-p-j loop, so B is read along its rows when it is not transposed), then written as
 * {@code alpha * acc + beta * c}. Rows are spread over {@link Parallel} in fixed blocks, which
 * cannot change any element's arithmetic.
 */
final class ScalarGemm implements GemmKernels {

    /** Rows per parallel tile. */
    private static final int ROWS_PER_TILE = 16;
    /** Below this many multiply-adds a call stays on the calling thread. */
    private static final long PARALLEL_WORK = 1L << 18;

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        // Strides of op(A)(i, p) and op(B)(p, j) in the stored arrays.
        int ars = transA ? 1 : lda;
        int acs = transA ? lda : 1;
        int brs = transB ? 1 : ldb;
        int bcs = transB ? ldb : 1;
        Parallel.TileBody rows = tile -> {
            float[] acc = Scratch.floats(Scratch.GEMM_ROW, n);
            int end = Math.min(m, (tile + 1) * ROWS_PER_TILE);
            for (int i = tile * ROWS_PER_TILE; i < end; i++) {
                java.util.Arrays.fill(acc, 0, n, 0f);
                for (int p = 0; p < k; p++) {
                    float aip = a[aOff + i * ars + p * acs];
                    int bRow = bOff + p * brs;
                    for (int j = 0; j < n; j++) {
                        acc[j] += aip * b[bRow + j * bcs];
                    }
                }
                int cRow = cOff + i * ldc;
                for (int j = 0; j < n; j++) {
                    c[cRow + j] = beta == 0f ? alpha * acc[j] : alpha * acc[j] + beta * c[cRow + j];
                }
            }
        };
        run(m, (long) m * n * k, rows);
    }

    /** The scalar layout is op(B) itself, row-major: the products then read it as {@link #sgemm} would. */
    @Override
    public int packedBLength(int k, int n) {
        return Math.multiplyExact(k, n);
    }

    @Override
    public void packB(boolean transB, int k, int n, float[] b, int bOff, int ldb, float[] dst) {
        for (int p = 0; p < k; p++) {
            for (int j = 0; j < n; j++) {
                dst[p * n + j] = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
            }
        }
    }

    @Override
    public void sgemmPackedB(boolean transA, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                             float[] packed, float beta, float[] c, int cOff, int ldc) {
        sgemm(transA, false, m, n, k, alpha, a, aOff, lda, packed, 0, n, beta, c, cOff, ldc);
    }

    @Override
    public void gemvPanels(int rows, int k, int n, float[] x, int xOff, float[] panels, int tileFrom, int tileTo,
                           float beta, float[] y, int yOff) {
        int end = Math.min(n, tileTo * GemvPanels.TILE);
        for (int c = tileFrom * GemvPanels.TILE; c < end; c++) {
            int w = GemvPanels.columnStart(c, k);
            for (int r = 0; r < rows; r++) {
                int xi = xOff + r * k;
                float acc = 0f;
                for (int i = 0; i < k; i++) {
                    acc = Math.fma(panels[w + i * GemvPanels.PANEL], x[xi + i], acc);
                }
                store(acc, beta, y, yOff + r * n + c);
            }
        }
    }

    @Override
    public void gemvPanelsBf16(int rows, int k, int n, float[] x, int xOff, int[] panels, int tileFrom, int tileTo,
                               float beta, float[] y, int yOff) {
        int end = Math.min(n, tileTo * GemvPanels.TILE);
        for (int c = tileFrom * GemvPanels.TILE; c < end; c++) {
            int w = GemvPanels.columnStart(c, (k + 1) / 2);
            for (int r = 0; r < rows; r++) {
                int xi = xOff + r * k;
                float acc = 0f;
                for (int i = 0; i < k; i++) {
                    int pair = panels[w + (i >> 1) * GemvPanels.PANEL];
                    float wi = Float.intBitsToFloat((i & 1) == 0 ? pair << 16 : pair & 0xFFFF0000);
                    acc = Math.fma(wi, x[xi + i], acc);
                }
                store(acc, beta, y, yOff + r * n + c);
            }
        }
    }

    private static void store(float acc, float beta, float[] y, int at) {
        y[at] = beta == 0f ? acc : acc + beta * y[at];
    }

    @Override
    public void stranspose(int rows, int cols, float[] in, int inOff, int ldi, int run, int gap, float[] out,
                           int outOff, int ldo) {
        Transpose.range(0, rows, 0, cols, in, inOff, ldi, run, gap, out, outOff, ldo);
    }

    @Override
    public void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                      double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                      double beta, double[] c, int cOff, int ldc) {
        int ars = transA ? 1 : lda;
        int acs = transA ? lda : 1;
        int brs = transB ? 1 : ldb;
        int bcs = transB ? ldb : 1;
        Parallel.TileBody rows = tile -> {
            double[] acc = Scratch.doubles(Scratch.GEMM_ROW, n);
            int end = Math.min(m, (tile + 1) * ROWS_PER_TILE);
            for (int i = tile * ROWS_PER_TILE; i < end; i++) {
                java.util.Arrays.fill(acc, 0, n, 0d);
                for (int p = 0; p < k; p++) {
                    double aip = a[aOff + i * ars + p * acs];
                    int bRow = bOff + p * brs;
                    for (int j = 0; j < n; j++) {
                        acc[j] += aip * b[bRow + j * bcs];
                    }
                }
                int cRow = cOff + i * ldc;
                for (int j = 0; j < n; j++) {
                    c[cRow + j] = beta == 0d ? alpha * acc[j] : alpha * acc[j] + beta * c[cRow + j];
                }
            }
        };
        run(m, (long) m * n * k, rows);
    }

    private static void run(int m, long work, Parallel.TileBody rows) {
        int tiles = (m + ROWS_PER_TILE - 1) / ROWS_PER_TILE;
        if (work < PARALLEL_WORK) {
            for (int t = 0; t < tiles; t++) {
                rows.run(t);
            }
        } else {
            Parallel.forEach(tiles, rows);
        }
    }
}
