package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.internal.Parallel;
import java.lang.management.ManagementFactory;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterProperty;

/**
 * Products with a prepacked right operand give the same bits as {@link Blas#sgemm} on the
 * unpacked matrix, on both providers and any thread count, across panel edges and k blocks
 * (the vector provider's KC is 768 by default); packing validates its arguments and a packed
 * matrix refuses another provider's products.
 */
class PackedGemmProperties {

    @AfterProperty
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @Property(tries = 150)
    void sameBitsAsTheUnpackedProduct(@ForAll boolean vector, @ForAll boolean transA, @ForAll boolean transB,
                                      @ForAll("size") int m, @ForAll("size") int n, @ForAll("depth") int k,
                                      @ForAll("alpha") float alpha, @ForAll("beta") float beta,
                                      @ForAll @IntRange(max = 7) int off, @ForAll @IntRange(max = 5) int pad,
                                      @ForAll @IntRange(min = 1, max = 3) int threads, @ForAll long seed) {
        if (transB && m <= 4) {
            m += 5; // sgemm's dot-product path for few rows of a transposed B has its own order
        }
        Parallel.setThreads(threads);
        Problem p = Problem.random(transA, transB, m, n, k, alpha, beta, off, pad, seed);
        try (var scope = Kernels.use(vector ? Kernels.Provider.VECTOR : Kernels.Provider.SCALAR)) {
            float[] expected = p.c().clone();
            Blas.sgemm(transA, transB, m, n, k, alpha, p.a(), p.aOff(), p.lda(), p.b(), p.bOff(), p.ldb(), beta,
                    expected, p.cOff(), p.ldc());
            PackedMatrix b = PackedMatrix.pack(transB, k, n, p.b(), p.bOff(), p.ldb());
            float[] actual = p.c().clone();
            Blas.sgemm(transA, m, alpha, p.a(), p.aOff(), p.lda(), b, beta, actual, p.cOff(), p.ldc());
            assertArrayEquals(expected, actual, p + " threads=" + threads + " vector=" + vector);
        }
    }

    @Provide
    static Arbitrary<Integer> size() {
        return SgemmProperties.size().filter(s -> s <= 200);
    }

    /** Depths around the vector provider's k block, as well as small ones. */
    @Provide
    static Arbitrary<Integer> depth() {
        return Arbitraries.oneOf(Arbitraries.integers().between(0, 70),
                Arbitraries.of(767, 768, 769, 1100));
    }

    @Provide
    static Arbitrary<Float> alpha() {
        return SgemmProperties.alpha();
    }

    @Provide
    static Arbitrary<Float> beta() {
        return SgemmProperties.beta();
    }

    /** Wider than one column block of the vector provider (NC is at most 2048 by default). */
    @Example
    void columnsBeyondOneBlock() {
        for (int threads = 1; threads <= 2; threads++) {
            Parallel.setThreads(threads);
            Problem p = Problem.random(false, true, 30, 2100, 40, 1f, 0f, 3, 2, 7);
            for (Kernels.Provider provider : Kernels.Provider.values()) {
                try (var scope = Kernels.use(provider)) {
                    float[] expected = p.c().clone();
                    Blas.sgemm(false, true, p.m(), p.n(), p.k(), 1f, p.a(), p.aOff(), p.lda(), p.b(), p.bOff(),
                            p.ldb(), 0f, expected, p.cOff(), p.ldc());
                    PackedMatrix b = PackedMatrix.pack(true, p.k(), p.n(), p.b(), p.bOff(), p.ldb());
                    float[] actual = p.c().clone();
                    Blas.sgemm(false, p.m(), 1f, p.a(), p.aOff(), p.lda(), b, 0f, actual, p.cOff(), p.ldc());
                    assertArrayEquals(expected, actual, provider + " threads=" + threads);
                }
            }
        }
    }

    @Example
    void repackReplacesTheValuesWithoutAllocating() {
        int k = 70;
        int n = 90;
        float[] w = new float[k * n];
        float[] x = new float[3 * k];
        for (int i = 0; i < w.length; i++) {
            w[i] = (i % 13) * 0.25f - 1f;
        }
        for (int i = 0; i < x.length; i++) {
            x[i] = (i % 7) * 0.5f;
        }
        PackedMatrix b = PackedMatrix.pack(false, k, n, w, 0, n);
        for (int i = 0; i < w.length; i++) {
            w[i] = -w[i];
        }
        float[] before = new float[3 * n];
        Blas.sgemm(false, 3, 1f, x, 0, k, b, 0f, before, 0, n);
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId();
        b.repack(false, w, 0, n); // warm
        long start = threads.getThreadAllocatedBytes(id);
        b.repack(false, w, 0, n);
        long allocated = threads.getThreadAllocatedBytes(id) - start;
        assertEquals(0, allocated, "repack allocated");
        float[] after = new float[3 * n];
        Blas.sgemm(false, 3, 1f, x, 0, k, b, 0f, after, 0, n);
        float[] expected = new float[3 * n];
        Blas.sgemm(false, false, 3, n, k, 1f, x, 0, k, w, 0, n, 0f, expected, 0, n);
        assertArrayEquals(expected, after);
        for (int i = 0; i < before.length; i++) {
            assertEquals(-before[i], after[i], 0f, "the snapshot before the repack");
        }
    }

    @Example
    void validatesItsArguments() {
        float[] w = new float[12];
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PackedMatrix.pack(false, 3, 5, w, 0, 5))
                .getMessage().contains("needs b.length >= 15"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PackedMatrix.pack(true, 3, 4, w, 0, 2))
                .getMessage().contains("ld=2 is smaller than max(1, 3)"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PackedMatrix.pack(false, -1, 4, w, 0, 4))
                .getMessage().contains("sizes must be >= 0"));
        assertThrows(NullPointerException.class, () -> PackedMatrix.pack(false, 3, 4, null, 0, 4));
        PackedMatrix b = PackedMatrix.pack(false, 3, 4, w, 0, 4);
        assertEquals(3, b.rows());
        assertEquals(4, b.cols());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Blas.sgemm(false, 2, 1f, new float[6], 0, 3, b, 0f, new float[7], 0, 4))
                .getMessage().contains("c.length"));
    }

    @Example
    void refusesAnotherProvidersLayout() {
        float[] w = new float[12];
        PackedMatrix b;
        try (var scope = Kernels.use(Kernels.Provider.VECTOR)) {
            b = PackedMatrix.pack(false, 3, 4, w, 0, 4);
        }
        try (var scope = Kernels.use(Kernels.Provider.SCALAR)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Blas.sgemm(false, 2, 1f, new float[6], 0, 3, b, 0f, new float[8], 0, 4));
            assertTrue(e.getMessage().contains("another kernel provider"), e.getMessage());
            // Refused even when there is nothing to multiply.
            assertThrows(IllegalStateException.class,
                    () -> Blas.sgemm(false, 0, 1f, new float[0], 0, 3, b, 0f, new float[0], 0, 4));
            assertTrue(assertThrows(IllegalStateException.class, () -> b.repack(false, w, 0, 4)).getMessage()
                    .startsWith("repack:"));
        }
    }
}
