package dev.lanes.kernel;

import dev.lanes.kernel.internal.GemmShape;
import dev.lanes.kernel.internal.KernelProvider;
import dev.lanes.kernel.internal.Providers;
import java.util.Arrays;

/**
 * BLAS-style entry points on row-major arrays.
 *
 * <p>{@code op(X)} is {@code X} or, when the matching {@code trans} flag is set, its transpose.
 * {@code op(A)} is {@code m x k}, {@code op(B)} is {@code k x n} and {@code C} is {@code m x n}.
 * Matrices are stored row-major with a leading dimension (the distance between the starts of
 * two consecutive stored rows): element {@code (i, j)} of a stored matrix {@code X} is
 * {@code x[xOff + i * ldx + j]}. So {@code A} is stored as {@code m x k} ({@code lda >= k}), or
 * as {@code k x m} ({@code lda >= m}) when {@code transA}; likewise for {@code B}.
 *
 * <p>Semantics are those of reference BLAS: when {@code beta == 0}, {@code C} is not read (a NaN
 * there is overwritten); when {@code alpha == 0} or {@code k == 0}, {@code A} and {@code B} are
 * not read and {@code C} is only scaled by {@code beta}. Results are bit-identical for any
 * {@link Kernels#threads()} count.
 *
 * <p>Invalid arguments raise {@link IllegalArgumentException} naming the argument and the
 * values; a null array raises {@link NullPointerException}. {@code C} must not overlap
 * {@code A} or {@code B}.
 */
public final class Blas {

    private Blas() {
    }

    /**
     * {@code C = alpha * op(A) * op(B) + beta * C} in single precision.
     *
     * @param transA use the transpose of the stored {@code A}
     * @param transB use the transpose of the stored {@code B}
     * @param m      rows of {@code op(A)} and {@code C}
     * @param n      columns of {@code op(B)} and {@code C}
     * @param k      columns of {@code op(A)}, rows of {@code op(B)}
     * @param alpha  scale of the product
     * @param a      storage of {@code A}
     * @param aOff   index of {@code A(0, 0)} in {@code a}
     * @param lda    leading dimension of the stored {@code A}
     * @param b      storage of {@code B}
     * @param bOff   index of {@code B(0, 0)} in {@code b}
     * @param ldb    leading dimension of the stored {@code B}
     * @param beta   scale of the old {@code C}; 0 means {@code C} is write-only
     * @param c      storage of {@code C}
     * @param cOff   index of {@code C(0, 0)} in {@code c}
     * @param ldc    leading dimension of {@code C}
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        sgemm(Providers.provider(), transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /**
     * {@code C = alpha * op(A) * op(B) + beta * C} in double precision; arguments as in
     * {@link #sgemm}.
     */
    public static void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                             double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                             double beta, double[] c, int cOff, int ldc) {
        dgemm(Providers.provider(), transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /**
     * {@code C = alpha * op(A) * B + beta * C} with {@code B} packed once by
     * {@link PackedMatrix#pack}: {@code k = b.rows()}, {@code n = b.cols()}, the other arguments
     * as in {@link #sgemm}. The same bits as {@link #sgemm} on the unpacked matrix, except when
     * that multiplies a transposed B by at most four rows of A (a path that packs nothing anyway).
     *
     * @throws IllegalStateException when {@code b} was packed under another kernel provider than
     *                               the calling thread's
     */
    public static void sgemm(boolean transA, int m, float alpha, float[] a, int aOff, int lda, PackedMatrix b,
                             float beta, float[] c, int cOff, int ldc) {
        if (a == null || b == null || c == null) {
            throw new NullPointerException("sgemm: " + (a == null ? "a" : b == null ? "b" : "c") + " is null");
        }
        int k = b.rows();
        int n = b.cols();
        GemmShape.check("sgemm", transA, false, m, n, k, aOff, lda, 0, Math.max(1, n), cOff, ldc, a.length,
                k * n, c.length, a == c, false);
        var kernels = b.packer("sgemm");
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0 || alpha == 0f) {
            scale(beta, c, cOff, ldc, m, n);
            return;
        }
        kernels.sgemmPackedB(transA, m, n, k, alpha, a, aOff, lda, b.data(), beta, c, cOff, ldc);
    }

    /** {@link #sgemm} on a given provider (tests compare providers through this). */
    static void sgemm(KernelProvider provider, boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        if (a == null || b == null || c == null) {
            throw new NullPointerException("sgemm: " + (a == null ? "a" : b == null ? "b" : "c") + " is null");
        }
        GemmShape.check("sgemm", transA, transB, m, n, k, aOff, lda, bOff, ldb, cOff, ldc, a.length, b.length, c.length,
                a == c, b == c);
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0 || alpha == 0f) {
            scale(beta, c, cOff, ldc, m, n);
            return;
        }
        provider.gemm().sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /** {@link #dgemm} on a given provider. */
    static void dgemm(KernelProvider provider, boolean transA, boolean transB, int m, int n, int k, double alpha,
                      double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                      double beta, double[] c, int cOff, int ldc) {
        if (a == null || b == null || c == null) {
            throw new NullPointerException("dgemm: " + (a == null ? "a" : b == null ? "b" : "c") + " is null");
        }
        GemmShape.check("dgemm", transA, transB, m, n, k, aOff, lda, bOff, ldb, cOff, ldc, a.length, b.length, c.length,
                a == c, b == c);
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0 || alpha == 0d) {
            scale(beta, c, cOff, ldc, m, n);
            return;
        }
        provider.gemm().dgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    private static void scale(float beta, float[] c, int cOff, int ldc, int m, int n) {
        if (beta == 1f) {
            return;
        }
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            if (beta == 0f) {
                Arrays.fill(c, row, row + n, 0f);
            } else {
                for (int j = row; j < row + n; j++) {
                    c[j] *= beta;
                }
            }
        }
    }

    private static void scale(double beta, double[] c, int cOff, int ldc, int m, int n) {
        if (beta == 1d) {
            return;
        }
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            if (beta == 0d) {
                Arrays.fill(c, row, row + n, 0d);
            } else {
                for (int j = row; j < row + n; j++) {
                    c[j] *= beta;
                }
            }
        }
    }
}
