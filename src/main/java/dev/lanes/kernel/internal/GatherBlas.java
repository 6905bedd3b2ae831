package dev.lanes.kernel.internal;

import java.util.Arrays;

/**
 * The GEMM variants behind the convolutions: products whose B (or A) rows are gathered from an
 * image instead of stored as a matrix, and a transposition with skipped output rows. Checked
 * entry points on the provider in use, in the conventions of {@link dev.lanes.kernel.Blas}.
 */
public final class GatherBlas {

    private GatherBlas() {
    }

    /**
     * {@code C = A * B} where B is not stored as a matrix: row {@code p} of B is the {@code n}
     * floats from {@code b[bOff + bRows[bRowsOff + p]]}. With B's rows pointing into a padded
     * image at each kernel tap's offset, this is a convolution without the columns matrix (see
     * {@link GatheredConv}). Each element of C is a chain of fused multiply-adds from zero
     * over {@code p = 0 .. k-1}, so the scalar and vector providers give the same bits. A is
     * {@code m x k} row-major, read in place. Runs on the calling thread.
     *
     * @throws IllegalArgumentException naming the argument when a size is negative, a range
     *                                  falls outside its array, or C shares its array with A or B
     */
    public static void sgemmGatherB(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff,
                                    int[] bRows, int bRowsOff, float[] c, int cOff, int ldc) {
        sgemmGatherB(Providers.provider(), m, n, k, a, aOff, lda, b, bOff, bRows, bRowsOff, c, cOff, ldc);
    }

    /** {@link #sgemmGatherB} on a given provider. */
    public static void sgemmGatherB(KernelProvider provider, int m, int n, int k, float[] a, int aOff, int lda, float[] b,
                             int bOff, int[] bRows, int bRowsOff, float[] c, int cOff, int ldc) {
        if (gatherBNeedsKernel("sgemmGatherB", m, n, k, a, aOff, lda, b, bOff, bRows, bRowsOff, c, cOff, ldc)) {
            provider.gemm().sgemmGatherB(m, n, k, a, aOff, lda, b, bOff, bRows, bRowsOff, c, cOff, ldc);
        }
    }

    /**
     * The checks of {@link #sgemmGatherB} and its trivial cases.
     *
     * @return whether a kernel has work to do: false when C is empty, or was zeroed for {@code k == 0}
     */
    private static boolean gatherBNeedsKernel(String op, int m, int n, int k, float[] a, int aOff, int lda, float[] b,
                                              int bOff, int[] bRows, int bRowsOff, float[] c, int cOff, int ldc) {
        if (!GemmShape.checkGathered(op, m, n, k, a, b, bRows, c)) {
            return false;
        }
        if (lda < k || aOff < 0) {
            throw new IllegalArgumentException(op + ": lda=" + lda + " (k=" + k + ") or aOff=" + aOff + " out of range");
        }
        ArrayChecks.extent(op, "A", "a", a.length, aOff, m, k, lda);
        GemmShape.checkOutput(op, m, n, c.length, cOff, ldc);
        GemmShape.checkRows(op, "B", bRows, bRowsOff, k, bOff, n, b.length);
        if (k == 0) {
            for (int i = 0; i < m; i++) {
                Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            }
            return false;
        }
        return true;
    }

    /**
     * {@link #sgemmGatherB} for a convolution whose kernel is three columns wide with one column
     * of padding on each side (stride and dilation 1), on an input whose rows are stored
     * {@code width} floats wide with no padding columns: B's element {@code (p, j)} is
     * {@code b[bOff + bRows[bRowsOff + p] + j]}, except that it is zero when
     * {@code p mod 3 == 0} and {@code j mod width == 0} (the tap left of a row's first column) or
     * {@code p mod 3 == 2} and {@code j mod width == width - 1} (right of its last). The output's
     * positions are then the image's own, so C is the output planes themselves (see
     * {@link GatheredConv}). Every element of B's rows is read, so all must be in range. Each
     * element of C is a chain of fused multiply-adds from zero over {@code p}, the zeros
     * included, so both providers give the same bits, and the bits of {@link #sgemmGatherB} on a
     * zero-padded copy. Runs on the calling thread.
     *
     * @throws IllegalArgumentException naming the argument when a size is negative, {@code k}
     *                                  is not a multiple of 3, {@code width < 1}, a range falls
     *                                  outside its array, or C shares its array with A or B
     */
    public static void sgemmGatherBRowEdges(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff,
                                            int[] bRows, int bRowsOff, int width, float[] c, int cOff, int ldc) {
        sgemmGatherBRowEdges(Providers.provider(), m, n, k, a, aOff, lda, b, bOff, bRows, bRowsOff, width, c, cOff,
                ldc);
    }

    /** {@link #sgemmGatherBRowEdges} on a given provider. */
    public static void sgemmGatherBRowEdges(KernelProvider provider, int m, int n, int k, float[] a, int aOff, int lda,
                                     float[] b, int bOff, int[] bRows, int bRowsOff, int width, float[] c, int cOff,
                                     int ldc) {
        String op = "sgemmGatherBRowEdges";
        GemmShape.checkGathered(op, m, n, k, a, b, bRows, c);
        if (k % 3 != 0 || width < 1) {
            throw new IllegalArgumentException(op + ": k must be a multiple of 3 and width >= 1, got k=" + k
                    + ", width=" + width);
        }
        if (gatherBNeedsKernel(op, m, n, k, a, aOff, lda, b, bOff, bRows, bRowsOff, c, cOff, ldc)) {
            provider.gemm().sgemmGatherBRowEdges(m, n, k, a, aOff, lda, b, bOff, bRows, bRowsOff, width, c, cOff,
                    ldc);
        }
    }

    /**
     * {@code C = A * B}, or {@code C += A * B} when {@code accumulate}, where row {@code i} of A is
     * the {@code k} floats from {@code a[aOff + aRows[aRowsOff + i]]} and B is {@code k x n}
     * row-major. With A's rows pointing into a padded image at each kernel tap's offset this is
     * a convolution's weight gradient without the columns matrix (see {@link GatheredConv}). Each element is a
     * chain of fused multiply-adds from zero over {@code p = 0 .. k-1}, then the old C is added
     * once when accumulating, so the scalar and vector providers give the same bits. Runs on the
     * calling thread.
     *
     * @throws IllegalArgumentException naming the argument when a size is negative, a range
     *                                  falls outside its array, or C shares its array with A or B
     */
    public static void sgemmGatherA(int m, int n, int k, float[] a, int aOff, int[] aRows, int aRowsOff, float[] b,
                                    int bOff, int ldb, boolean accumulate, float[] c, int cOff, int ldc) {
        sgemmGatherA(Providers.provider(), m, n, k, a, aOff, aRows, aRowsOff, b, bOff, ldb, accumulate, c, cOff, ldc);
    }

    /** {@link #sgemmGatherA} on a given provider. */
    public static void sgemmGatherA(KernelProvider provider, int m, int n, int k, float[] a, int aOff, int[] aRows,
                             int aRowsOff, float[] b, int bOff, int ldb, boolean accumulate, float[] c, int cOff,
                             int ldc) {
        String op = "sgemmGatherA";
        if (!GemmShape.checkGathered(op, m, n, k, a, b, aRows, c)) {
            return;
        }
        GemmShape.checkRows(op, "A", aRows, aRowsOff, m, aOff, k, a.length);
        if (k > 0 && (ldb < n || bOff < 0)) {
            throw new IllegalArgumentException(op + ": ldb=" + ldb + " (n=" + n + ") or bOff=" + bOff + " out of range");
        }
        ArrayChecks.extent(op, "B", "b", b.length, bOff, k, n, ldb);
        GemmShape.checkOutput(op, m, n, c.length, cOff, ldc);
        provider.gemm().sgemmGatherA(m, n, k, a, aOff, aRows, aRowsOff, b, bOff, ldb, accumulate, c, cOff, ldc);
    }

    /**
     * Transposes the {@code rows x cols} row-major matrix at {@code in[inOff]} (leading dimension
     * {@code ldi}) into {@code out}, leaving {@code gap} output rows unwritten after every
     * {@code run} input columns: {@code out[outOff + (j + (j / run) * gap) * ldo + i] =
     * in[inOff + i * ldi + j]}. With {@code run = cols} and {@code gap = 0} it is the plain
     * transpose. A convolution's weight gradient uses it to lay an output gradient out position
     * by channel with one spare position per image row (see {@link GatheredConv}). Runs on the
     * calling thread; only copies, so every provider gives the same bits.
     *
     * @throws IllegalArgumentException naming the argument when a size is negative,
     *                                  {@code run < 1}, a leading dimension is too small, a range
     *                                  falls outside its array, or the ranges overlap
     */
    public static void stranspose(int rows, int cols, float[] in, int inOff, int ldi, int run, int gap, float[] out,
                                  int outOff, int ldo) {
        stranspose(Providers.provider(), rows, cols, in, inOff, ldi, run, gap, out, outOff, ldo);
    }

    /** {@link #stranspose} on a given provider. */
    public static void stranspose(KernelProvider provider, int rows, int cols, float[] in, int inOff, int ldi, int run,
                           int gap, float[] out, int outOff, int ldo) {
        String op = "stranspose";
        ArrayChecks.nonNull(op, "in", in);
        ArrayChecks.nonNull(op, "out", out);
        if (run < 1 || gap < 0) {
            throw new IllegalArgumentException(op + ": run must be >= 1 and gap >= 0, got run=" + run + ", gap=" + gap);
        }
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException(op + ": rows and cols must be >= 0, got " + rows + "x" + cols);
        }
        if (ldi < Math.max(1, cols) || ldo < Math.max(1, rows)) {
            throw new IllegalArgumentException(op + ": ldi=" + ldi + " must be >= max(1, cols=" + cols + ") and ldo="
                    + ldo + " >= max(1, rows=" + rows + ")");
        }
        if (inOff < 0 || outOff < 0) {
            throw new IllegalArgumentException(op + ": offsets must be >= 0, got inOff=" + inOff + ", outOff=" + outOff);
        }
        if (rows == 0 || cols == 0) {
            return;
        }
        long outRows = (long) (cols - 1) + (long) ((cols - 1) / run) * gap + 1;
        ArrayChecks.extent(op, "the input", "in", in.length, inOff, rows, cols, ldi);
        if (outOff + (outRows - 1) * ldo + rows > out.length) {
            throw new IllegalArgumentException(op + ": the output (" + outRows + " rows of " + rows + ", offset " + outOff
                    + ", leading dimension " + ldo + ") needs out.length >= " + (outOff + (outRows - 1) * ldo + rows)
                    + ", but it is " + out.length);
        }
        ArrayChecks.disjoint(op, "in", in, inOff, inOff + (long) (rows - 1) * ldi + cols, "out", out, outOff,
                outOff + (outRows - 1) * ldo + rows);
        provider.gemm().stranspose(rows, cols, in, inOff, ldi, run, gap, out, outOff, ldo);
    }

}
