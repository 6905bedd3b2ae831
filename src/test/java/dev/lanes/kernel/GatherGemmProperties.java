package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.internal.GatherBlas;
import dev.lanes.kernel.internal.KernelProvider;
import dev.lanes.kernel.internal.Providers;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * {@link Blas#sgemmGatherB}, {@link Blas#sgemmGatherBRowEdges} and {@link Blas#sgemmGatherA}: the
 * vector provider gives the scalar provider's bits (tiles of 12 and 4 rows by one or two vectors,
 * with leftover rows and columns, overwriting or accumulating, row edges masked), both agree
 * with a double reference, C outside its rows and
 * columns is untouched, and bad arguments are named.
 */
class GatherGemmProperties {

    @Property(tries = 200)
    void vectorGivesTheScalarBitsAndTheProduct(@ForAll @IntRange(min = 0, max = 40) int m,
                                               @ForAll @IntRange(min = 0, max = 130) int n,
                                               @ForAll @IntRange(min = 0, max = 60) int k, @ForAll long seed) {
        Random r = new Random(seed);
        int lda = k + r.nextInt(3);
        int ldc = n + r.nextInt(3);
        int aOff = r.nextInt(4);
        int cOff = r.nextInt(4);
        float[] a = new float[aOff + Math.max(0, m - 1) * lda + k + 1];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextGaussian();
        }
        float[] b = new float[n + 200];
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) r.nextGaussian();
        }
        int rowsOff = r.nextInt(3);
        int[] rows = new int[rowsOff + k];
        int bOff = r.nextInt(10);
        for (int p = 0; p < k; p++) {
            rows[rowsOff + p] = r.nextInt(b.length - n - bOff + 1);
        }
        float[] c0 = new float[cOff + Math.max(0, m - 1) * ldc + n + 2];
        Arrays.fill(c0, Float.NaN);
        float[] scalar = c0.clone();
        float[] vector = c0.clone();
        GatherBlas.sgemmGatherB(Providers.scalar(), m, n, k, a, aOff, lda, b, bOff, rows, rowsOff, scalar, cOff, ldc);
        KernelProvider v = Providers.vector().orElseThrow();
        GatherBlas.sgemmGatherB(v, m, n, k, a, aOff, lda, b, bOff, rows, rowsOff, vector, cOff, ldc);
        assertArrayEquals(scalar, vector, 0f, "m=" + m + " n=" + n + " k=" + k);
        for (int i = 0; i < c0.length; i++) {
            int rel = i - cOff;
            boolean inside = rel >= 0 && rel / Math.max(1, ldc) < m && rel % Math.max(1, ldc) < n && m > 0;
            if (!inside) {
                assertTrue(Float.isNaN(scalar[i]), "element " + i + " outside C was written");
                continue;
            }
            int row = rel / ldc;
            int col = rel % ldc;
            double want = 0;
            double abs = 0;
            for (int p = 0; p < k; p++) {
                double t = (double) a[aOff + row * lda + p] * b[bOff + rows[rowsOff + p] + col];
                want += t;
                abs += Math.abs(t);
            }
            assertEquals(want, scalar[i], 1e-6 * (abs + 1), "C(" + row + ", " + col + ")");
        }
    }

    @Property(tries = 200)
    void rowEdgesGiveTheScalarBitsAndTheMaskedProduct(@ForAll @IntRange(min = 0, max = 40) int m,
                                                      @ForAll @IntRange(min = 0, max = 130) int n,
                                                      @ForAll @IntRange(min = 0, max = 20) int taps,
                                                      @ForAll @IntRange(min = 1, max = 40) int width,
                                                      @ForAll long seed) {
        Random r = new Random(seed);
        int k = 3 * taps;
        int lda = k + r.nextInt(3);
        int ldc = n + r.nextInt(3);
        int aOff = r.nextInt(4);
        int cOff = r.nextInt(4);
        float[] a = RecurrentProperties.gaussian(r, aOff + Math.max(0, m - 1) * lda + k + 1, 1);
        float[] b = RecurrentProperties.gaussian(r, n + 200, 1);
        int rowsOff = r.nextInt(3);
        int[] rows = new int[rowsOff + k];
        int bOff = r.nextInt(10);
        for (int p = 0; p < k; p++) {
            rows[rowsOff + p] = r.nextInt(b.length - n - bOff + 1);
        }
        float[] c0 = new float[cOff + Math.max(0, m - 1) * ldc + n + 2];
        Arrays.fill(c0, Float.NaN);
        float[] scalar = c0.clone();
        float[] vector = c0.clone();
        GatherBlas.sgemmGatherBRowEdges(Providers.scalar(), m, n, k, a, aOff, lda, b, bOff, rows, rowsOff, width, scalar, cOff,
                ldc);
        GatherBlas.sgemmGatherBRowEdges(Providers.vector().orElseThrow(), m, n, k, a, aOff, lda, b, bOff, rows, rowsOff, width,
                vector, cOff, ldc);
        assertArrayEquals(scalar, vector, 0f, "m=" + m + " n=" + n + " k=" + k + " width=" + width);
        for (int i = 0; i < c0.length; i++) {
            int rel = i - cOff;
            boolean inside = rel >= 0 && rel / Math.max(1, ldc) < m && rel % Math.max(1, ldc) < n && m > 0;
            if (!inside) {
                assertTrue(Float.isNaN(scalar[i]), "element " + i + " outside C was written");
                continue;
            }
            int row = rel / ldc;
            int col = rel % ldc;
            double want = 0;
            double abs = 0;
            for (int p = 0; p < k; p++) {
                boolean left = p % 3 == 0 && col % width == 0;
                boolean right = p % 3 == 2 && col % width == width - 1;
                double bv = left || right ? 0 : b[bOff + rows[rowsOff + p] + col];
                double t = a[aOff + row * lda + p] * bv;
                want += t;
                abs += Math.abs(t);
            }
            assertEquals(want, scalar[i], 1e-6 * (abs + 1), "C(" + row + ", " + col + ") width " + width);
        }
    }

    @Property(tries = 200)
    void gatheredRowsOfAGiveTheScalarBitsAndTheProduct(@ForAll @IntRange(min = 0, max = 40) int m,
                                                        @ForAll @IntRange(min = 0, max = 90) int n,
                                                        @ForAll @IntRange(min = 0, max = 60) int k,
                                                        @ForAll boolean accumulate, @ForAll boolean runsOfThree,
                                                        @ForAll long seed) {
        Random r = new Random(seed);
        float[] a = new float[k + 150];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextGaussian();
        }
        int aOff = r.nextInt(5);
        int rowsOff = r.nextInt(3);
        int[] rows = new int[rowsOff + m];
        for (int i = 0; i < m; i++) {
            // Runs r, r + 1, r + 2 (a 3x3 convolution's taps) take the vector kernel's run tiles.
            rows[rowsOff + i] = runsOfThree && i % 3 > 0 ? rows[rowsOff + i - 1] + 1
                    : r.nextInt(a.length - k - aOff - 1);
        }
        int ldb = n + r.nextInt(3);
        int bOff = r.nextInt(4);
        float[] b = new float[bOff + Math.max(0, k - 1) * ldb + n + 1];
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) r.nextGaussian();
        }
        int ldc = n + r.nextInt(3);
        int cOff = r.nextInt(4);
        float[] c0 = new float[cOff + Math.max(0, m - 1) * ldc + n + 2];
        for (int i = 0; i < c0.length; i++) {
            c0[i] = (float) r.nextGaussian();
        }
        float[] scalar = c0.clone();
        float[] vector = c0.clone();
        GatherBlas.sgemmGatherA(Providers.scalar(), m, n, k, a, aOff, rows, rowsOff, b, bOff, ldb, accumulate, scalar, cOff,
                ldc);
        GatherBlas.sgemmGatherA(Providers.vector().orElseThrow(), m, n, k, a, aOff, rows, rowsOff, b, bOff, ldb, accumulate,
                vector, cOff, ldc);
        assertArrayEquals(scalar, vector, 0f, "m=" + m + " n=" + n + " k=" + k);
        for (int i = 0; i < c0.length; i++) {
            int rel = i - cOff;
            boolean inside = m > 0 && rel >= 0 && rel / Math.max(1, ldc) < m && rel % Math.max(1, ldc) < n;
            if (!inside) {
                assertEquals(c0[i], scalar[i], 0f, "element " + i + " outside C was written");
                continue;
            }
            int row = rel / ldc;
            int col = rel % ldc;
            double want = accumulate ? c0[i] : 0;
            double abs = Math.abs(want);
            for (int p = 0; p < k; p++) {
                double t = (double) a[aOff + rows[rowsOff + row] + p] * b[bOff + p * ldb + col];
                want += t;
                abs += Math.abs(t);
            }
            assertEquals(want, scalar[i], 1e-6 * (abs + 1), "C(" + row + ", " + col + ")");
        }
    }

    @Test
    void badArgumentsAreNamed() {
        float[] a = new float[6];
        float[] b = new float[10];
        float[] c = new float[8];
        int[] rows = {0, 2, 4};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GatherBlas.sgemmGatherB(2, 4, 3, a, 0, 3, b, 0, new int[] {0, 2, 7}, 0, c, 0, 4));
        assertEquals("sgemmGatherB: row 2 of B, [7, 11), is outside an array of 10", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GatherBlas.sgemmGatherB(2, 4, 3, a, 1, 3, b, 0, rows, 0, c, 0,
                4));
        assertEquals("sgemmGatherB: A (2x3, offset 1, leading dimension 3) needs a.length >= 7, but it is 6",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GatherBlas.sgemmGatherB(2, 4, 3, a, 0, 3, b, 0, rows, 1, c, 0,
                4));
        assertEquals("sgemmGatherB: rows [1, 4) outside a table of 3", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GatherBlas.sgemmGatherB(2, 4, 3, a, 0, 3, b, 0, rows, 0, b, 0,
                4));
        assertEquals("sgemmGatherB: c must not share its array with b", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GatherBlas.sgemmGatherB(2, 5, 3, a, 0, 3, b, 0, rows, 0, c, 0,
                5));
        assertEquals("sgemmGatherB: C (2x5, offset 0, leading dimension 5) needs c.length >= 10, but it is 8",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GatherBlas.sgemmGatherA(2, 3, 4, b, 0, new int[] {0, 7}, 0, a,
                0, 3, false, c, 0, 3));
        assertEquals("sgemmGatherA: row 1 of A, [7, 11), is outside an array of 10", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GatherBlas.sgemmGatherA(2, 3, 4, b, 0, new int[] {0, 1}, 0, a,
                0, 3, false, c, 0, 3));
        assertEquals("sgemmGatherA: B (4x3, offset 0, leading dimension 3) needs b.length >= 12, but it is 6",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GatherBlas.sgemmGatherA(2, 3, 4, b, 0, new int[] {0, 1}, 0, a,
                0, 2, false, c, 0, 3));
        assertEquals("sgemmGatherA: ldb=2 (n=3) or bOff=0 out of range", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GatherBlas.sgemmGatherBRowEdges(2, 4, 2, a, 0, 3, b, 0,
                rows, 0, 4, c, 0, 4));
        assertEquals("sgemmGatherBRowEdges: k must be a multiple of 3 and width >= 1, got k=2, width=4",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GatherBlas.sgemmGatherBRowEdges(2, 4, 3, a, 0, 3, b, 0,
                rows, 0, 0, c, 0, 4));
        assertEquals("sgemmGatherBRowEdges: k must be a multiple of 3 and width >= 1, got k=3, width=0",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GatherBlas.sgemmGatherBRowEdges(2, 4, 3, a, 0, 3, b, 0,
                new int[] {0, 2, 7}, 0, 4, c, 0, 4));
        assertEquals("sgemmGatherBRowEdges: row 2 of B, [7, 11), is outside an array of 10", e.getMessage());
    }
}
