package dev.lanes.kernel;

import dev.lanes.kernel.internal.KernelProvider;
import java.util.Arrays;
import java.util.SplittableRandom;

/** One random sgemm call: flags, sizes, scalars, offsets, padded leading dimensions, data. */
record Problem(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta,
               float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {

    /**
     * Builds a problem with random contents. {@code pad} extra columns are added to each
     * leading dimension and {@code off} elements precede each matrix; C is filled with NaN when
     * beta is 0, which the product must overwrite.
     */
    static Problem random(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta,
                          int off, int pad, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int aRows = transA ? k : m;
        int aCols = transA ? m : k;
        int bRows = transB ? n : k;
        int bCols = transB ? k : n;
        int lda = Math.max(1, aCols) + pad;
        int ldb = Math.max(1, bCols) + pad;
        int ldc = Math.max(1, n) + pad;
        float[] a = fill(r, off + aRows * lda + 3);
        float[] b = fill(r, off + bRows * ldb + 3);
        float[] c = fill(r, off + m * ldc + 3);
        if (beta == 0f) {
            for (int i = 0; i < m; i++) {
                Arrays.fill(c, off + i * ldc, off + i * ldc + n, Float.NaN);
            }
        }
        return new Problem(transA, transB, m, n, k, alpha, beta, a, off, lda, b, off, ldb, c, off, ldc);
    }

    private static float[] fill(SplittableRandom r, int length) {
        float[] x = new float[length];
        for (int i = 0; i < length; i++) {
            x[i] = (float) r.nextDouble(-1, 1);
        }
        return x;
    }

    /** Runs sgemm on a copy of C with the given provider and returns the copy. */
    float[] run(KernelProvider provider) {
        float[] out = c.clone();
        Blas.sgemm(provider, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, out, cOff, ldc);
        return out;
    }

    @Override
    public String toString() {
        return "sgemm(transA=" + transA + ", transB=" + transB + ", m=" + m + ", n=" + n + ", k=" + k
                + ", alpha=" + alpha + ", beta=" + beta + ", off=" + aOff + ", lda=" + lda + ", ldb=" + ldb
                + ", ldc=" + ldc + ")";
    }
}
