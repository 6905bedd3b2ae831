package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.internal.GemvPanels;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Products with weights in {@link GemvPanels}: the vector provider gives the scalar provider's
 * bits, any split of the columns into tile ranges gives the bits of one call, the F32 form agrees
 * with a double-precision product and the BF16 form with a double-precision product of the
 * weights rounded to BF16 (to nearest, ties to even, computed here independently); packing and
 * products validate their arguments.
 */
class GemvPanelsProperties {

    @Property(tries = 200)
    void providersAndSplitsGiveTheSameBits(@ForAll @IntRange(min = 1, max = 6) int rows,
                                           @ForAll("columns") int n, @ForAll("depth") int k,
                                           @ForAll boolean bf16, @ForAll("beta") float beta,
                                           @ForAll @IntRange(max = 5) int xOff, @ForAll @IntRange(max = 5) int yOff,
                                           @ForAll long seed) {
        Random rnd = new Random(seed);
        float[] w = random(rnd, n * k);
        float[] x = random(rnd, xOff + rows * k);
        float[] y0 = random(rnd, yOff + rows * n + 3);
        GemvPanels p = GemvPanels.pack(w, 0, n, k, bf16);
        float[] scalar = y0.clone();
        try (var scope = Kernels.use(Kernels.Provider.SCALAR)) {
            p.multiply(rows, x, xOff, beta, scalar, yOff);
        }
        float[] vector = y0.clone();
        float[] split = y0.clone();
        try (var scope = Kernels.use(Kernels.Provider.VECTOR)) {
            p.multiply(rows, x, xOff, beta, vector, yOff);
            int t = 0;
            while (t < p.tiles()) {
                int next = t + 1 + rnd.nextInt(2);
                next = Math.min(next, p.tiles());
                p.multiply(rows, t, next, x, xOff, beta, split, yOff);
                t = next;
            }
        }
        String what = "rows=" + rows + " n=" + n + " k=" + k + " bf16=" + bf16 + " beta=" + beta;
        assertArrayEquals(scalar, vector, what);
        assertArrayEquals(scalar, split, what);
        for (int j = 0; j < y0.length; j++) {
            if (j < yOff || j >= yOff + rows * n) {
                assertEquals(y0[j], vector[j], "element " + j + " outside y was written: " + what);
            }
        }
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < n; c++) {
                double ref = 0;
                double mag = 0;
                for (int i = 0; i < k; i++) {
                    double wi = bf16 ? Bf16Reference.round(w[c * k + i]) : w[c * k + i];
                    ref += wi * x[xOff + r * k + i];
                    mag += Math.abs(wi * x[xOff + r * k + i]);
                }
                int at = yOff + r * n + c;
                if (beta != 0f) {
                    ref += (double) beta * y0[at];
                    mag += Math.abs((double) beta * y0[at]);
                }
                double tol = (k + 2) * 0x1p-24 * mag + 1e-30;
                assertTrue(Math.abs(vector[at] - ref) <= tol, what + " at [" + r + ", " + c + "]: " + vector[at]
                        + " vs " + ref);
            }
        }
    }

    @Property(tries = 50)
    void bf16StaysWithinItsRoundingOfF32(@ForAll("columns") int n, @ForAll("depth") int k, @ForAll long seed) {
        Random rnd = new Random(seed);
        float[] w = random(rnd, n * k);
        float[] x = random(rnd, k);
        float[] f32 = new float[n];
        float[] bf16 = new float[n];
        GemvPanels.pack(w, 0, n, k, false).multiply(1, x, 0, 0f, f32, 0);
        GemvPanels.pack(w, 0, n, k, true).multiply(1, x, 0, 0f, bf16, 0);
        for (int c = 0; c < n; c++) {
            double mag = 0;
            for (int i = 0; i < k; i++) {
                mag += Math.abs((double) w[c * k + i] * x[i]);
            }
            // BF16 keeps 8 significant bits: each weight moves by at most 2^-8 of itself; the sums add float rounding
            assertTrue(Math.abs(f32[c] - bf16[c]) <= (0x1p-8 + 2 * (k + 1) * 0x1p-24) * mag + 1e-30,
                    "column " + c + ": " + f32[c] + " vs " + bf16[c]);
        }
    }

    @Example
    void bf16RoundsToNearestWithTiesToEven() {
        float[] w = {1f + 0x1p-8f, 1f + 3 * 0x1p-8f, 1f + 0x1p-8f + 0x1p-20f, -2.5f};
        float[] x = {1f, 0f, 0f, 0f, 0f, 1f, 0f, 0f, 0f, 0f, 1f, 0f, 0f, 0f, 0f, 1f};
        GemvPanels p = GemvPanels.pack(w, 0, 1, 4, true);
        float[] y = new float[4];
        for (int i = 0; i < 4; i++) {
            p.multiply(1, x, i * 4, 0f, y, i);
        }
        assertArrayEquals(new float[] {1f, 1f + 4 * 0x1p-8f, 1f + 2 * 0x1p-8f, -2.5f}, y);
    }

    @Example
    void packingAndProductsValidate() {
        float[] w = new float[12];
        assertThrows(IllegalArgumentException.class, () -> GemvPanels.pack(w, 0, 0, 3, false));
        assertThrows(IllegalArgumentException.class, () -> GemvPanels.pack(w, 1, 4, 3, false));
        assertThrows(NullPointerException.class, () -> GemvPanels.pack(null, 0, 4, 3, false));
        float[] bad = w.clone();
        bad[5] = Float.NaN;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GemvPanels.pack(bad, 0, 4, 3, false));
        assertTrue(e.getMessage().contains("[1, 2]"), e.getMessage());
        float[] huge = w.clone();
        huge[0] = Float.MAX_VALUE;
        assertTrue(GemvPanels.pack(huge, 0, 4, 3, false).k() == 3);
        assertThrows(IllegalArgumentException.class, () -> GemvPanels.pack(huge, 0, 4, 3, true));
        GemvPanels p = GemvPanels.pack(w, 0, 4, 3, true);
        assertEquals(1, p.tiles());
        float[] y = new float[8];
        assertThrows(IllegalArgumentException.class, () -> p.multiply(2, new float[5], 0, 0f, y, 0));
        assertThrows(IllegalArgumentException.class, () -> p.multiply(1, new float[3], 0, 0f, new float[3], 0));
        assertThrows(IllegalArgumentException.class, () -> p.multiply(1, 0, 2, new float[3], 0, 0f, y, 0));
        float[] shared = new float[8];
        assertThrows(IllegalArgumentException.class, () -> p.multiply(1, shared, 0, 0f, shared, 2));
        p.multiply(1, shared, 0, 0f, shared, 3);
        // A narrow layer keeps one panel of 16 columns, not a whole tile: BF16 halves its bytes.
        assertEquals(16L * 256 * 4, GemvPanels.pack(new float[10 * 512], 0, 10, 512, true).bytes());
        assertEquals(16L * 512 * 4, GemvPanels.pack(new float[10 * 512], 0, 10, 512, false).bytes());
    }

    private static float[] random(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rnd.nextGaussian();
        }
        return a;
    }

    @Provide
    static Arbitrary<Integer> columns() {
        return Arbitraries.oneOf(Arbitraries.integers().between(1, 150), Arbitraries.of(64, 128, 1024));
    }

    @Provide
    static Arbitrary<Integer> depth() {
        return Arbitraries.oneOf(Arbitraries.integers().between(1, 40), Arbitraries.of(127, 128, 256));
    }

    @Provide
    static Arbitrary<Float> beta() {
        return Arbitraries.of(0f, 1f, 0.5f, -2f);
    }
}
