package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.internal.KernelProvider;
import dev.lanes.kernel.internal.Parallel;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterProperty;

/** dgemm on both providers against a naive reference, and thread-count independence. */
class DgemmProperties {

    @AfterProperty
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @Property(tries = 100)
    void matchesReference(@ForAll("provider") KernelProvider provider, @ForAll boolean transA,
                          @ForAll boolean transB, @ForAll("size") int m, @ForAll("size") int n,
                          @ForAll("size") int k, @ForAll("alpha") float alpha, @ForAll("beta") float beta,
                          @ForAll @IntRange(max = 5) int off, @ForAll @IntRange(max = 3) int pad,
                          @ForAll long seed) {
        int lda = Math.max(1, transA ? m : k) + pad;
        int ldb = Math.max(1, transB ? k : n) + pad;
        int ldc = Math.max(1, n) + pad;
        SplittableRandom r = new SplittableRandom(seed);
        double[] a = r.doubles(off + (long) (transA ? k : m) * lda, -1, 1).toArray();
        double[] b = r.doubles(off + (long) (transB ? n : k) * ldb, -1, 1).toArray();
        double[] c0 = r.doubles(off + (long) m * ldc, -1, 1).toArray();
        if (beta == 0f) {
            // Must be overwritten, never read.
            for (int i = 0; i < m; i++) {
                java.util.Arrays.fill(c0, off + i * ldc, off + i * ldc + n, Double.NaN);
            }
        }
        double[] c = c0.clone();
        Blas.dgemm(provider, transA, transB, m, n, k, alpha, a, off, lda, b, off, ldb, beta, c, off, ldc);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                double abs = 0;
                for (int q = 0; q < k; q++) {
                    double x = (transA ? a[off + q * lda + i] : a[off + i * lda + q])
                            * (transB ? b[off + j * ldb + q] : b[off + q * ldb + j]);
                    sum += x;
                    abs += Math.abs(x);
                }
                int idx = off + i * ldc + j;
                double old = beta == 0f ? 0 : c0[idx];
                double expect = alpha * sum + beta * old;
                double bound = 4 * (k + 2) * Math.ulp(1.0) * (Math.abs(alpha) * abs + Math.abs(beta * old))
                        + Double.MIN_NORMAL;
                assertTrue(Math.abs(c[idx] - expect) <= bound,
                        provider.name() + ": C(" + i + "," + j + ")=" + c[idx] + " expected " + expect);
                c0[idx] = c[idx];
            }
        }
        assertArrayEquals(c0, c, "elements outside C changed");
    }

    @Property(tries = 15)
    void sameBitsForOneTwoAndThreeThreads(@ForAll("provider") KernelProvider provider, @ForAll boolean transB,
                                          @ForAll @IntRange(min = 1, max = 300) int m,
                                          @ForAll @IntRange(min = 1, max = 300) int n,
                                          @ForAll @IntRange(min = 1, max = 300) int k, @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] a = r.doubles((long) m * k, -1, 1).toArray();
        double[] b = r.doubles((long) k * n, -1, 1).toArray();
        double[][] out = new double[3][m * n];
        for (int t = 0; t < 3; t++) {
            Parallel.setThreads(t + 1);
            Blas.dgemm(provider, false, transB, m, n, k, 1, a, 0, k, b, 0, transB ? k : n, 0, out[t], 0, n);
        }
        assertArrayEquals(out[0], out[1]);
        assertArrayEquals(out[0], out[2]);
    }

    @Provide
    Arbitrary<Integer> size() {
        return SgemmProperties.size().filter(s -> s <= 130);
    }

    @Provide
    Arbitrary<Float> alpha() {
        return SgemmProperties.alpha();
    }

    @Provide
    Arbitrary<Float> beta() {
        return SgemmProperties.beta();
    }

    @Provide
    Arbitrary<KernelProvider> provider() {
        return SgemmProperties.provider();
    }
}
