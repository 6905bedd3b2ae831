package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.internal.KernelProvider;
import dev.lanes.kernel.internal.Parallel;
import dev.lanes.kernel.internal.Providers;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterProperty;

/**
 * sgemm against a double-accumulating reference on both providers, for all four transpose
 * cases, random alpha and beta, offsets and padded leading dimensions, and sizes that include
 * 0, 1, primes and the neighbourhood of multiples of 16 (the vector length and the 12 x 32
 * micro-tile edges).
 */
class SgemmProperties {

    static final int[] EDGE_SIZES = {0, 1, 2, 3, 5, 7, 11, 12, 13, 15, 16, 17, 23, 24, 25, 31, 32, 33, 47, 48, 49,
        63, 64, 65, 95, 96, 97, 127, 128, 129, 191, 192, 193, 255, 256, 257, 263, 288, 300};

    @AfterProperty
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @Provide
    static Arbitrary<Integer> size() {
        return Arbitraries.oneOf(Arbitraries.of(box(EDGE_SIZES)), Arbitraries.integers().between(0, 300));
    }

    @Provide
    static Arbitrary<Float> alpha() {
        return Arbitraries.oneOf(Arbitraries.of(1f, -1f, 0.5f, 3f), Arbitraries.floats().between(-2f, 2f));
    }

    @Provide
    static Arbitrary<Float> beta() {
        return Arbitraries.oneOf(Arbitraries.of(0f, 1f, -0.75f), Arbitraries.floats().between(-2f, 2f));
    }

    @Provide
    static Arbitrary<KernelProvider> provider() {
        return Arbitraries.of(providers());
    }

    static List<KernelProvider> providers() {
        return List.of(Providers.scalar(), Providers.vector().orElseThrow(
                () -> new AssertionError("vector provider unavailable: " + Providers.vectorUnavailableReason())));
    }

    static Integer[] box(int[] values) {
        Integer[] out = new Integer[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    @Property(tries = 200)
    void matchesReference(@ForAll("provider") KernelProvider provider,
                          @ForAll boolean transA, @ForAll boolean transB,
                          @ForAll("size") int m, @ForAll("size") int n, @ForAll("size") int k,
                          @ForAll("alpha") float alpha, @ForAll("beta") float beta,
                          @ForAll @IntRange(max = 7) int off, @ForAll @IntRange(max = 5) int pad,
                          @ForAll long seed) {
        Problem p = Problem.random(transA, transB, m, n, k, alpha, beta, off, pad, seed);
        assertNull(GemmReference.check(p, p.c(), p.run(provider)), provider.name());
    }

    /** Sizes big enough (m n k >= 2^20) that the kernels do split the work across threads. */
    @Property(tries = 30)
    void sameBitsForOneTwoAndThreeThreads(@ForAll("provider") KernelProvider provider,
                                          @ForAll boolean transA, @ForAll boolean transB,
                                          @ForAll @IntRange(min = 100, max = 1024) int m,
                                          @ForAll @IntRange(min = 100, max = 1024) int n,
                                          @ForAll @IntRange(min = 105, max = 600) int k,
                                          @ForAll("beta") float beta, @ForAll @IntRange(max = 1100) int pad,
                                          @ForAll long seed) {
        assertSameBitsForAnyThreadCount(provider, Problem.random(transA, transB, m, n, k, 1.25f, beta, 1, pad, seed));
    }

    /**
     * Square 1024 with A read in place and (lda = 1025) packed; row strips (m much larger
     * than n); packed A with 8- and 4-row panels over several KC and MC blocks; few rows
     * against a transposed B.
     */
    @Example
    void sameBitsForAnyThreadCountOnLargeAndOddShapes() {
        for (KernelProvider provider : providers()) {
            assertSameBitsForAnyThreadCount(provider, Problem.random(false, false, 1024, 1024, 1024, 1f, 0f, 0, 0, 99));
            assertSameBitsForAnyThreadCount(provider, Problem.random(false, false, 1024, 1024, 1024, 1f, 0f, 0, 1, 98));
            assertSameBitsForAnyThreadCount(provider, Problem.random(false, true, 997, 40, 520, 1f, 0.5f, 2, 3, 97));
            assertSameBitsForAnyThreadCount(provider, Problem.random(true, false, 300, 33, 3100, 1f, 0f, 0, 0, 96));
            assertSameBitsForAnyThreadCount(provider, Problem.random(false, false, 620, 300, 1100, -1f, 1f, 0, 0, 95));
            // Matrix-vector products with a transposed B (the dot-product path).
            assertSameBitsForAnyThreadCount(provider, Problem.random(false, true, 3, 1000, 700, 1f, 0f, 1, 1, 94));
            assertSameBitsForAnyThreadCount(provider, Problem.random(true, true, 1, 2001, 613, 2f, 1f, 0, 0, 93));
        }
    }

    private static void assertSameBitsForAnyThreadCount(KernelProvider provider, Problem p) {
        Parallel.setThreads(1);
        float[] one = p.run(provider);
        for (int threads = 2; threads <= 3; threads++) {
            Parallel.setThreads(threads);
            assertArrayEquals(one, p.run(provider), p + " on " + provider.name() + ": 1 vs " + threads + " threads");
        }
    }

    /**
     * Shapes that cross every blocking boundary of the vector kernel (KC, MC, NC, partial
     * panels, packed and in-place operands), on one thread (so that NC is crossed inside one
     * strip) and on the default pool.
     */
    @Example
    void crossesEveryBlockBoundary() {
        int[][] shapes = {{13, 2100, 300}, {200, 2085, 37}, {97, 40, 520}, {1, 4200, 3}, {300, 1, 700},
            {25, 33, 31000}, {100, 70, 1100}, {104, 70, 1100}, {110, 2300, 300}, {2, 1500, 1037}};
        for (int threads : new int[] {1, Runtime.getRuntime().availableProcessors()}) {
            Parallel.setThreads(threads);
            for (KernelProvider provider : providers()) {
                for (int[] s : shapes) {
                    for (int t = 0; t < 4; t++) {
                        Problem p = Problem.random((t & 1) != 0, (t & 2) != 0, s[0], s[1], s[2], 0.5f, -1f, 3,
                                s[2] > 1000 ? 0 : 1, t);
                        assertNull(GemmReference.check(p, p.c(), p.run(provider)), provider.name() + ", " + threads
                                + " threads");
                    }
                }
            }
        }
    }

    @Example
    void betaZeroOverwritesNaNAndInfinity() {
        for (KernelProvider provider : providers()) {
            for (int size : new int[] {1, 20, 70}) {
                Problem p = Problem.random(false, true, size, size, size, 1f, 0f, 0, 0, 5);
                java.util.Arrays.fill(p.c(), Float.POSITIVE_INFINITY);
                p.c()[0] = Float.NaN;
                float[] out = p.run(provider);
                for (int i = 0; i < size * size; i++) {
                    assertTrue(Float.isFinite(out[i]), provider.name() + " left " + out[i] + " at " + i);
                }
            }
        }
    }

    @Example
    void nanInInputsPropagates() {
        for (KernelProvider provider : providers()) {
            Problem p = Problem.random(false, false, 30, 40, 50, 1f, 0f, 0, 0, 5);
            p.a()[3 * 50 + 7] = Float.NaN;
            float[] out = p.run(provider);
            for (int j = 0; j < 40; j++) {
                assertTrue(Float.isNaN(out[3 * 40 + j]), provider.name() + " lost the NaN at column " + j);
            }
            assertTrue(Float.isFinite(out[4 * 40]), provider.name());
        }
    }
}
