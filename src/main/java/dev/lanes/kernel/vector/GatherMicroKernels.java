package dev.lanes.kernel.vector;

import static dev.lanes.kernel.vector.SgemmMicroKernels.L;
import static dev.lanes.kernel.vector.SgemmMicroKernels.S;

import dev.lanes.kernel.internal.GatherBlas;
import dev.lanes.kernel.internal.GatherGemm;
import dev.lanes.kernel.internal.Scratch;
import jdk.incubator.vector.FloatVector;

/**
 * {@code GatherBlas.sgemmGatherB} with vectors: 12 x 2-vector and 4 x 2-vector tiles of C (one vector
 * wide for a last block of at most one vector of columns), as
 * {@link SgemmMicroKernels#tile12x2} but with each k index's row of B found through the row
 * table (B is never packed: for a convolution it is the padded input itself). A is read in
 * place. Each element is a chain of FMAs from zero in k order, as in {@link GatherGemm}, which
 * also takes the rows and columns that do not fill a tile. The same driver runs
 * {@code GatherBlas.sgemmGatherBRowEdges} with the masked tiles of {@link GatherRowEdgeMicroKernels}.
 * Runs on the calling thread.
 */
final class GatherMicroKernels {

    /** Columns per tile: two vectors. */
    private static final int NR = 2 * L;
    private static final boolean TALL = S.vectorBitSize() >= 512;

    private GatherMicroKernels() {
    }

    /**
     * {@code GatherBlas.sgemmGatherB}, or with {@code width > 0} {@code GatherBlas.sgemmGatherBRowEdges} on
     * rows {@code width} wide (the tiles of {@link GatherRowEdgeMicroKernels}).
     */
    static void sgemm(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int[] bRows,
                      int bRowsOff, int width, float[] c, int cOff, int ldc) {
        int fullCols = n - n % NR;
        // The last, partial column block runs as whole tiles into a scratch tile when B's rows
        // can be read NR wide there (a convolution's padded input has that slack), else scalar.
        int maxRow = 0;
        for (int p = 0; p < k; p++) {
            maxRow = Math.max(maxRow, bRows[bRowsOff + p]);
        }
        boolean edgeTiles = n > fullCols && (long) bOff + maxRow + fullCols + NR <= b.length;
        float[] edge = edgeTiles ? Scratch.floats(Scratch.GEMM_EDGE_TILE, 12 * NR) : null;
        // A last block of at most one vector of columns runs one vector wide (for 8x8 images,
        // 80 wide columns are 2 blocks and 16, not 96 computed).
        int edgeWidth = edgeTiles ? n - fullCols <= L ? L : NR : 0;
        int i = 0;
        // 12-row tiles need 24 accumulators: only with 32 vector registers (512-bit machines).
        for (; TALL && i + 12 <= m; i += 12) {
            rowBlock(12, n, k, fullCols, edgeWidth, edge, a, aOff + i * lda, lda, b, bOff, bRows, bRowsOff, width, c,
                    cOff + i * ldc, ldc);
        }
        for (; i + 4 <= m; i += 4) {
            rowBlock(4, n, k, fullCols, edgeWidth, edge, a, aOff + i * lda, lda, b, bOff, bRows, bRowsOff, width, c,
                    cOff + i * ldc, ldc);
        }
        // Rows below the last tile; then, without edge tiles, the last columns of every row.
        scalar(i, m, 0, edgeTiles ? n : fullCols, k, a, aOff, lda, b, bOff, bRows, bRowsOff, width, c, cOff, ldc);
        if (!edgeTiles) {
            scalar(0, m, fullCols, n, k, a, aOff, lda, b, bOff, bRows, bRowsOff, width, c, cOff, ldc);
        }
    }

    /**
     * The tiles of {@code rows} rows of C from {@code ci}: full column blocks in place, then the
     * last block ({@code edgeWidth} wide, 0 for none) through the scratch tile.
     */
    private static void rowBlock(int rows, int n, int k, int fullCols, int edgeWidth, float[] edge, float[] a, int ai,
                                 int lda, float[] b, int bOff, int[] bRows, int bRowsOff, int width, float[] c, int ci,
                                 int ldc) {
        for (int j = 0; j < fullCols; j += NR) {
            tile(rows, NR, j, k, a, ai, lda, b, bOff + j, bRows, bRowsOff, width, c, ci + j, ldc);
        }
        if (edgeWidth > 0) {
            tile(rows, edgeWidth, fullCols, k, a, ai, lda, b, bOff + fullCols, bRows, bRowsOff, width, edge, 0,
                    edgeWidth);
            copyEdge(edge, edgeWidth, rows, n - fullCols, c, ci + fullCols, ldc);
        }
    }

    /** One tile of 12 or 4 rows, one or two vectors wide, at column {@code j} of the product. */
    private static void tile(int rows, int cols, int j, int k, float[] a, int ai, int lda, float[] b, int bj,
                             int[] bRows, int ro, int width, float[] c, int ci, int ldc) {
        if (width > 0) {
            long left = GatherRowEdgeMicroKernels.edgeBits(j, width, 0);
            long right = GatherRowEdgeMicroKernels.edgeBits(j, width, width - 1);
            if (rows == 12) {
                if (cols == NR) {
                    GatherRowEdgeMicroKernels.tile12(k, a, ai, lda, b, bj, bRows, ro, c, ci, ldc, left, right);
                } else {
                    GatherRowEdgeMicroKernels.tile12x1(k, a, ai, lda, b, bj, bRows, ro, c, ci, ldc, left, right);
                }
            } else if (cols == NR) {
                GatherRowEdgeMicroKernels.tile4(k, a, ai, lda, b, bj, bRows, ro, c, ci, ldc, left, right);
            } else {
                GatherRowEdgeMicroKernels.tile4x1(k, a, ai, lda, b, bj, bRows, ro, c, ci, ldc, left, right);
            }
        } else if (rows == 12) {
            if (cols == NR) {
                tile12(k, a, ai, lda, b, bj, bRows, ro, c, ci, ldc);
            } else {
                tile12x1(k, a, ai, lda, b, bj, bRows, ro, c, ci, ldc);
            }
        } else if (cols == NR) {
            tile4(k, a, ai, lda, b, bj, bRows, ro, c, ci, ldc);
        } else {
            tile4x1(k, a, ai, lda, b, bj, bRows, ro, c, ci, ldc);
        }
    }

    private static void scalar(int i0, int i1, int j0, int j1, int k, float[] a, int aOff, int lda, float[] b,
                               int bOff, int[] bRows, int bRowsOff, int width, float[] c, int cOff, int ldc) {
        if (width > 0) {
            GatherGemm.blockRowEdges(i0, i1, j0, j1, k, a, aOff, lda, b, bOff, bRows, bRowsOff, width, c, cOff, ldc);
        } else {
            GatherGemm.block(i0, i1, j0, j1, k, a, aOff, lda, b, bOff, bRows, bRowsOff, c, cOff, ldc);
        }
    }

    private static void copyEdge(float[] edge, int width, int rows, int cols, float[] c, int ci, int ldc) {
        for (int r = 0; r < rows; r++) {
            System.arraycopy(edge, r * width, c, ci + r * ldc, cols);
        }
    }

    private static void tile12(int k, float[] a, int ai, int lda, float[] b, int bj, int[] rows, int ro, float[] c,
                               int ci, int ldc) {
        int r1 = lda;
        int r2 = 2 * lda;
        int r3 = 3 * lda;
        int r4 = 4 * lda;
        int r5 = 5 * lda;
        int r6 = 6 * lda;
        int r7 = 7 * lda;
        int r8 = 8 * lda;
        int r9 = 9 * lda;
        int r10 = 10 * lda;
        int r11 = 11 * lda;
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        FloatVector c80 = z, c81 = z, c90 = z, c91 = z, ca0 = z, ca1 = z, cb0 = z, cb1 = z;
        for (int p = 0; p < k; p++, ai++) {
            int bi = bj + rows[ro + p];
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector v;
            v = FloatVector.broadcast(S, a[ai]);
            c00 = v.fma(b0, c00);
            c01 = v.fma(b1, c01);
            v = FloatVector.broadcast(S, a[ai + r1]);
            c10 = v.fma(b0, c10);
            c11 = v.fma(b1, c11);
            v = FloatVector.broadcast(S, a[ai + r2]);
            c20 = v.fma(b0, c20);
            c21 = v.fma(b1, c21);
            v = FloatVector.broadcast(S, a[ai + r3]);
            c30 = v.fma(b0, c30);
            c31 = v.fma(b1, c31);
            v = FloatVector.broadcast(S, a[ai + r4]);
            c40 = v.fma(b0, c40);
            c41 = v.fma(b1, c41);
            v = FloatVector.broadcast(S, a[ai + r5]);
            c50 = v.fma(b0, c50);
            c51 = v.fma(b1, c51);
            v = FloatVector.broadcast(S, a[ai + r6]);
            c60 = v.fma(b0, c60);
            c61 = v.fma(b1, c61);
            v = FloatVector.broadcast(S, a[ai + r7]);
            c70 = v.fma(b0, c70);
            c71 = v.fma(b1, c71);
            v = FloatVector.broadcast(S, a[ai + r8]);
            c80 = v.fma(b0, c80);
            c81 = v.fma(b1, c81);
            v = FloatVector.broadcast(S, a[ai + r9]);
            c90 = v.fma(b0, c90);
            c91 = v.fma(b1, c91);
            v = FloatVector.broadcast(S, a[ai + r10]);
            ca0 = v.fma(b0, ca0);
            ca1 = v.fma(b1, ca1);
            v = FloatVector.broadcast(S, a[ai + r11]);
            cb0 = v.fma(b0, cb0);
            cb1 = v.fma(b1, cb1);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c10.intoArray(c, ci + ldc);
        c11.intoArray(c, ci + ldc + L);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + L);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + L);
        c40.intoArray(c, ci + 4 * ldc);
        c41.intoArray(c, ci + 4 * ldc + L);
        c50.intoArray(c, ci + 5 * ldc);
        c51.intoArray(c, ci + 5 * ldc + L);
        c60.intoArray(c, ci + 6 * ldc);
        c61.intoArray(c, ci + 6 * ldc + L);
        c70.intoArray(c, ci + 7 * ldc);
        c71.intoArray(c, ci + 7 * ldc + L);
        c80.intoArray(c, ci + 8 * ldc);
        c81.intoArray(c, ci + 8 * ldc + L);
        c90.intoArray(c, ci + 9 * ldc);
        c91.intoArray(c, ci + 9 * ldc + L);
        ca0.intoArray(c, ci + 10 * ldc);
        ca1.intoArray(c, ci + 10 * ldc + L);
        cb0.intoArray(c, ci + 11 * ldc);
        cb1.intoArray(c, ci + 11 * ldc + L);
    }

    /** {@link #tile12} one vector wide. */
    private static void tile12x1(int k, float[] a, int ai, int lda, float[] b, int bj, int[] rows, int ro, float[] c,
                                 int ci, int ldc) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c0 = z, c1 = z, c2 = z, c3 = z, c4 = z, c5 = z, c6 = z, c7 = z, c8 = z, c9 = z, c10 = z, c11 = z;
        for (int p = 0; p < k; p++, ai++) {
            FloatVector b0 = FloatVector.fromArray(S, b, bj + rows[ro + p]);
            c0 = FloatVector.broadcast(S, a[ai]).fma(b0, c0);
            c1 = FloatVector.broadcast(S, a[ai + lda]).fma(b0, c1);
            c2 = FloatVector.broadcast(S, a[ai + 2 * lda]).fma(b0, c2);
            c3 = FloatVector.broadcast(S, a[ai + 3 * lda]).fma(b0, c3);
            c4 = FloatVector.broadcast(S, a[ai + 4 * lda]).fma(b0, c4);
            c5 = FloatVector.broadcast(S, a[ai + 5 * lda]).fma(b0, c5);
            c6 = FloatVector.broadcast(S, a[ai + 6 * lda]).fma(b0, c6);
            c7 = FloatVector.broadcast(S, a[ai + 7 * lda]).fma(b0, c7);
            c8 = FloatVector.broadcast(S, a[ai + 8 * lda]).fma(b0, c8);
            c9 = FloatVector.broadcast(S, a[ai + 9 * lda]).fma(b0, c9);
            c10 = FloatVector.broadcast(S, a[ai + 10 * lda]).fma(b0, c10);
            c11 = FloatVector.broadcast(S, a[ai + 11 * lda]).fma(b0, c11);
        }
        c0.intoArray(c, ci);
        c1.intoArray(c, ci + ldc);
        c2.intoArray(c, ci + 2 * ldc);
        c3.intoArray(c, ci + 3 * ldc);
        c4.intoArray(c, ci + 4 * ldc);
        c5.intoArray(c, ci + 5 * ldc);
        c6.intoArray(c, ci + 6 * ldc);
        c7.intoArray(c, ci + 7 * ldc);
        c8.intoArray(c, ci + 8 * ldc);
        c9.intoArray(c, ci + 9 * ldc);
        c10.intoArray(c, ci + 10 * ldc);
        c11.intoArray(c, ci + 11 * ldc);
    }

    /** {@link #tile4} one vector wide. */
    private static void tile4x1(int k, float[] a, int ai, int lda, float[] b, int bj, int[] rows, int ro, float[] c,
                                int ci, int ldc) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c0 = z, c1 = z, c2 = z, c3 = z;
        for (int p = 0; p < k; p++, ai++) {
            FloatVector b0 = FloatVector.fromArray(S, b, bj + rows[ro + p]);
            c0 = FloatVector.broadcast(S, a[ai]).fma(b0, c0);
            c1 = FloatVector.broadcast(S, a[ai + lda]).fma(b0, c1);
            c2 = FloatVector.broadcast(S, a[ai + 2 * lda]).fma(b0, c2);
            c3 = FloatVector.broadcast(S, a[ai + 3 * lda]).fma(b0, c3);
        }
        c0.intoArray(c, ci);
        c1.intoArray(c, ci + ldc);
        c2.intoArray(c, ci + 2 * ldc);
        c3.intoArray(c, ci + 3 * ldc);
    }

    private static void tile4(int k, float[] a, int ai, int lda, float[] b, int bj, int[] rows, int ro, float[] c,
                              int ci, int ldc) {
        int r1 = lda;
        int r2 = 2 * lda;
        int r3 = 3 * lda;
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        for (int p = 0; p < k; p++, ai++) {
            int bi = bj + rows[ro + p];
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector v;
            v = FloatVector.broadcast(S, a[ai]);
            c00 = v.fma(b0, c00);
            c01 = v.fma(b1, c01);
            v = FloatVector.broadcast(S, a[ai + r1]);
            c10 = v.fma(b0, c10);
            c11 = v.fma(b1, c11);
            v = FloatVector.broadcast(S, a[ai + r2]);
            c20 = v.fma(b0, c20);
            c21 = v.fma(b1, c21);
            v = FloatVector.broadcast(S, a[ai + r3]);
            c30 = v.fma(b0, c30);
            c31 = v.fma(b1, c31);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c10.intoArray(c, ci + ldc);
        c11.intoArray(c, ci + ldc + L);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + L);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + L);
    }
}
