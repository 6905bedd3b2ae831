package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.internal.GemmShape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class BlasValidationTest {

    private static void expectMessage(Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' lacks '" + part + "'");
        }
    }

    @Test
    void rejectsNegativeSizes() {
        float[] x = new float[16];
        expectMessage(() -> Blas.sgemm(false, false, -1, 2, 2, 1f, x, 0, 2, x, 0, 2, 0f, new float[4], 0, 2),
                "sgemm", "m=-1");
        expectMessage(() -> Blas.dgemm(false, false, 2, 2, -3, 1, new double[4], 0, 2, new double[4], 0, 2, 0,
                new double[4], 0, 2), "dgemm", "k=-3");
    }

    @Test
    void rejectsLeadingDimensionsThatAreTooSmall() {
        float[] x = new float[64];
        expectMessage(() -> Blas.sgemm(false, false, 2, 3, 4, 1f, x, 0, 3, x, 0, 3, 0f, new float[6], 0, 3),
                "lda=3", "k=4");
        expectMessage(() -> Blas.sgemm(true, false, 2, 3, 4, 1f, x, 0, 1, x, 0, 3, 0f, new float[6], 0, 3),
                "lda=1", "m=2", "transposed A");
        expectMessage(() -> Blas.sgemm(false, true, 2, 3, 4, 1f, x, 0, 4, x, 0, 3, 0f, new float[6], 0, 3),
                "ldb=3", "k=4", "transposed B");
        expectMessage(() -> Blas.sgemm(false, false, 2, 3, 4, 1f, x, 0, 4, x, 0, 3, 0f, new float[6], 0, 2),
                "ldc=2", "n=3");
        expectMessage(() -> Blas.sgemm(false, false, 0, 0, 0, 1f, x, 0, 0, x, 0, 1, 0f, x, 0, 1), "lda=0");
    }

    @Test
    void rejectsArraysThatAreTooShort() {
        expectMessage(() -> Blas.sgemm(false, false, 2, 3, 4, 1f, new float[7], 0, 4, new float[12], 0, 3, 0f,
                new float[6], 0, 3), "A (2x4", "a.length >= 8", "it is 7");
        expectMessage(() -> Blas.sgemm(false, false, 2, 3, 4, 1f, new float[8], 0, 4, new float[12], 1, 3, 0f,
                new float[6], 0, 3), "B (4x3", "b.length >= 13");
        expectMessage(() -> Blas.sgemm(false, false, 2, 3, 4, 1f, new float[8], 0, 4, new float[12], 0, 3, 0f,
                new float[6], 0, 4), "C (2x3", "c.length >= 7", "it is 6", "leading dimension 4");
        expectMessage(() -> Blas.sgemm(false, false, 1, 1, 1, 1f, new float[1], -1, 1, new float[1], 0, 1, 0f,
                new float[1], 0, 1), "offsets", "aOff=-1");
    }

    @Test
    void rejectsNullArrays() {
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> Blas.sgemm(false, false, 1, 1, 1, 1f, new float[1], 0, 1, null, 0, 1, 0f, new float[1], 0, 1));
        assertEquals("sgemm: b is null", e.getMessage());
    }

    @Test
    void rejectsOutputThatOverlapsAnInput() {
        float[] x = new float[100];
        expectMessage(() -> Blas.sgemm(false, false, 3, 3, 3, 1f, x, 0, 3, new float[9], 0, 3, 0f, x, 8, 3),
                "C overlaps A");
        expectMessage(() -> Blas.sgemm(false, false, 3, 3, 3, 1f, new float[9], 0, 3, x, 50, 3, 0f, x, 44, 3),
                "C overlaps B");
    }

    @Test
    void acceptsOutputInterleavedWithAnInputInOneArray() {
        // A in columns 0..1 and C in columns 2..3 of one 4-wide row-major buffer: no element shared.
        float[] x = {1, 2, 0, 0, 3, 4, 0, 0};
        float[] b = {1, 0, 0, 1};
        Blas.sgemm(false, false, 2, 2, 2, 1f, x, 0, 4, b, 0, 2, 0f, x, 2, 4);
        assertArrayEquals(new float[] {1, 2, 1, 2, 3, 4, 3, 4}, x);
    }

    @Test
    void overlapTestFindsSharedElementsExactly() {
        assertFalse(GemmShape.overlaps(2, 2, 2, 4, 0, 2, 2, 4));
        assertTrue(GemmShape.overlaps(1, 2, 2, 4, 0, 2, 2, 4));
        assertFalse(GemmShape.overlaps(0, 1, 1, 1, 5, 3, 1, 1));
        assertTrue(GemmShape.overlaps(7, 1, 1, 1, 0, 3, 2, 3));
        assertFalse(GemmShape.overlaps(8, 1, 1, 1, 0, 3, 2, 3));
        assertFalse(GemmShape.overlaps(0, 0, 5, 5, 0, 5, 5, 5));
    }

    @Test
    void emptyProductsTouchNothingButScaleC() {
        float[] c = {1, 2, 3, 4};
        float[] nanA = {Float.NaN, Float.NaN};
        // k = 0: C = beta * C, A and B never read.
        Blas.sgemm(false, false, 2, 2, 0, 1f, new float[0], 0, 1, new float[0], 0, 2, 2f, c, 0, 2);
        assertArrayEquals(new float[] {2, 4, 6, 8}, c);
        // alpha = 0: A and B are not read, so their NaNs do not leak.
        Blas.sgemm(false, false, 2, 2, 1, 0f, nanA, 0, 1, new float[] {Float.NaN, 1}, 0, 2, 0.5f, c, 0, 2);
        assertArrayEquals(new float[] {1, 2, 3, 4}, c);
        // beta = 0 with alpha = 0: C becomes zero even if it held NaN.
        float[] nanC = {Float.NaN, Float.NaN, Float.NaN, Float.NaN};
        Blas.sgemm(false, false, 2, 2, 1, 0f, nanA, 0, 1, new float[2], 0, 2, 0f, nanC, 0, 2);
        assertArrayEquals(new float[4], nanC);
        // m = 0 or n = 0: nothing at all happens.
        Blas.sgemm(false, false, 0, 2, 2, 1f, new float[0], 0, 2, new float[4], 0, 2, 0f, c, 0, 2);
        Blas.sgemm(false, false, 2, 0, 2, 1f, new float[4], 0, 2, new float[0], 0, 1, 0f, c, 0, 1);
        assertArrayEquals(new float[] {1, 2, 3, 4}, c);
    }

    @Test
    void smallProductIsExact() {
        // [1 2; 3 4] * [5 6; 7 8] = [19 22; 43 50]; with transposes as stored.
        float[] a = {1, 2, 3, 4};
        float[] b = {5, 6, 7, 8};
        float[] c = new float[4];
        Blas.sgemm(false, false, 2, 2, 2, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2);
        assertArrayEquals(new float[] {19, 22, 43, 50}, c);
        Blas.sgemm(true, true, 2, 2, 2, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2);
        assertArrayEquals(new float[] {23, 31, 34, 46}, c);
        double[] dc = {1, 1, 1, 1};
        Blas.dgemm(false, true, 2, 2, 2, 2, new double[] {1, 2, 3, 4}, 0, 2, new double[] {5, 6, 7, 8}, 0, 2, -1,
                dc, 0, 2);
        assertArrayEquals(new double[] {33, 45, 77, 105}, dc);
    }
}
