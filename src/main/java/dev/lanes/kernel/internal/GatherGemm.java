package dev.lanes.kernel.internal;

/**
 * The reference arithmetic of {@code GatherBlas.sgemmGatherB} and {@code GatherBlas.sgemmGatherA}: every
 * element of C starts from zero and takes one fused multiply-add per k index, in increasing
 * order (then, when accumulating, the old C is added once). The vector provider computes
 * full tiles with vector FMAs (the same arithmetic, lane by lane) and calls this for the rows
 * and columns left over, so both providers give the same bits.
 */
public final class GatherGemm {

    private GatherGemm() {
    }

    /**
     * {@code C[i][j] = sum_p A[i][p] * b[bOff + bRows[p] + j]} for rows {@code [i0, i1)} and
     * columns {@code [j0, j1)}; arguments as {@code GatherBlas.sgemmGatherB}.
     */
    public static void block(int i0, int i1, int j0, int j1, int k, float[] a, int aOff, int lda, float[] b,
                             int bOff, int[] bRows, int bRowsOff, float[] c, int cOff, int ldc) {
        for (int i = i0; i < i1; i++) {
            int ai = aOff + i * lda;
            for (int j = j0; j < j1; j++) {
                float acc = 0f;
                int bj = bOff + j;
                for (int p = 0; p < k; p++) {
                    acc = Math.fma(a[ai + p], b[bj + bRows[bRowsOff + p]], acc);
                }
                c[cOff + i * ldc + j] = acc;
            }
        }
    }

    /**
     * {@link #block} with the row edges of {@code GatherBlas.sgemmGatherBRowEdges}: B's element is
     * taken as zero when {@code p mod 3 == 0} and {@code j mod width == 0}, or
     * {@code p mod 3 == 2} and {@code j mod width == width - 1} (it is still read, and still
     * multiplied, as a padding zero would be).
     */
    public static void blockRowEdges(int i0, int i1, int j0, int j1, int k, float[] a, int aOff, int lda,
                                     float[] b, int bOff, int[] bRows, int bRowsOff, int width, float[] c, int cOff,
                                     int ldc) {
        for (int i = i0; i < i1; i++) {
            int ai = aOff + i * lda;
            for (int j = j0; j < j1; j++) {
                int col = j % width;
                float acc = 0f;
                int bj = bOff + j;
                for (int p = 0; p < k; p++) {
                    int tap = p % 3;
                    boolean outside = tap == 0 && col == 0 || tap == 2 && col == width - 1;
                    float bv = b[bj + bRows[bRowsOff + p]];
                    acc = Math.fma(a[ai + p], outside ? 0f : bv, acc);
                }
                c[cOff + i * ldc + j] = acc;
            }
        }
    }

    /**
     * {@code C[i][j] (+)= sum_p a[aOff + aRows[i] + p] * B[p][j]} for rows {@code [i0, i1)} and
     * columns {@code [j0, j1)}; arguments as {@code GatherBlas.sgemmGatherA}. The chain starts from
     * zero; with {@code accumulate} the old C is added to it at the end.
     */
    public static void blockA(int i0, int i1, int j0, int j1, int k, float[] a, int aOff, int[] aRows, int aRowsOff,
                              float[] b, int bOff, int ldb, boolean accumulate, float[] c, int cOff, int ldc) {
        for (int i = i0; i < i1; i++) {
            int ai = aOff + aRows[aRowsOff + i];
            for (int j = j0; j < j1; j++) {
                float acc = 0f;
                for (int p = 0; p < k; p++) {
                    acc = Math.fma(a[ai + p], b[bOff + p * ldb + j], acc);
                }
                int ci = cOff + i * ldc + j;
                c[ci] = accumulate ? acc + c[ci] : acc;
            }
        }
    }
}
