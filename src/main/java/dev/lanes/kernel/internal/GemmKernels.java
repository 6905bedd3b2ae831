package dev.lanes.kernel.internal;

import dev.lanes.kernel.Blas;
/**
 * The matrix-multiply part of the kernel contract. Callers go through {@link Blas}, which
 * validates the arguments and handles the trivial cases; an implementation may therefore assume
 * {@code m, n, k >= 1}, {@code alpha != 0}, in-range offsets and leading dimensions, and that
 * {@code c} does not overlap {@code a} or {@code b}.
 *
 * <p>Arguments follow {@link Blas#sgemm}: row-major storage,
 * {@code C = alpha * op(A) * op(B) + beta * C}, and {@code beta == 0} never reads {@code C}.
 * Implementations must give bit-identical results for any {@link Parallel#threads()} count.
 */
public interface GemmKernels {

    /** Single precision GEMM on validated arguments; see {@link Blas#sgemm}. */
    void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
               float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
               float beta, float[] c, int cOff, int ldc);

    /** Floats of a B operand packed by {@link #packB} for a {@code k x n} op(B), in this provider's layout. */
    int packedBLength(int k, int n);

    /**
     * Packs the {@code k x n} op(B) into {@code dst} (of {@link #packedBLength} floats), once for
     * any number of {@link #sgemmPackedB} calls.
     */
    void packB(boolean transB, int k, int n, float[] b, int bOff, int ldb, float[] dst);

    /**
     * {@link #sgemm} with B packed by {@link #packB}; the same bits as {@link #sgemm} on the
     * unpacked B, except that a transposed B with at most four rows of A may take another path in
     * {@link #sgemm}.
     */
    void sgemmPackedB(boolean transA, int m, int n, int k, float alpha, float[] a, int aOff, int lda, float[] packed,
                      float beta, float[] c, int cOff, int ldc);

    /**
     * {@code y[r, c] = sum_i x[r, i] W[c, i]}, or that {@code + beta * y[r, c]} when beta is not
     * zero, for the {@code rows} rows of {@code x} (row {@code r} at {@code xOff + r * k}) and the
     * columns of tiles {@code [tileFrom, tileTo)} of a weight {@code W [n, k]} in F32 panels
     * ({@link GemvPanels}); {@code y} rows are {@code n} apart from {@code yOff}. Each element is
     * an accumulator from zero taking one fused multiply-add per {@code i} in increasing order,
     * then {@code acc} or {@code acc + beta * y}: the same bits on every provider, whatever the
     * tiles.
     */
    void gemvPanels(int rows, int k, int n, float[] x, int xOff, float[] panels, int tileFrom, int tileTo,
                    float beta, float[] y, int yOff);

    /** {@link #gemvPanels} on a weight in BF16 panels, each weight widened to F32 exactly. */
    void gemvPanelsBf16(int rows, int k, int n, float[] x, int xOff, int[] panels, int tileFrom, int tileTo,
                        float beta, float[] y, int yOff);

    /** {@link Transpose#stranspose} on validated arguments with {@code rows, cols >= 1}, on the calling thread. */
    void stranspose(int rows, int cols, float[] in, int inOff, int ldi, int run, int gap, float[] out, int outOff,
                    int ldo);

    /** Double precision GEMM on validated arguments; see {@link Blas#dgemm}. */
    void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
               double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
               double beta, double[] c, int cOff, int ldc);
}
