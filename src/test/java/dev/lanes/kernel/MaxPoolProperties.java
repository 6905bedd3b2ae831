package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lanes.kernel.internal.KernelProvider;
import dev.lanes.kernel.internal.PoolWindow;
import dev.lanes.kernel.internal.Providers;
import dev.lanes.kernel.internal.Reductions;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * {@link Reductions#maxPool}: the vector kernel gives the scalar kernel's maxima and indices bit
 * for bit, and both follow the definition (first maximum in the kernel's scan order, each NaN
 * takes over, padding never wins), over random windows with strides 1-3, padding, dilation, ceil mode, ties
 * (small integers), NaN and infinities, and planes wide enough for whole vectors; and
 * {@link Reductions#blockedMaxPool} lane by lane against it.
 */
class MaxPoolProperties {

    static PoolWindow randomWindow(Random r) {
        while (true) {
            int kH = 1 + r.nextInt(4);
            int kW = 1 + r.nextInt(4);
            int h = 1 + r.nextInt(12);
            int w = 1 + r.nextInt(60);
            try {
                return PoolWindow.of(h, w, kH, kW, 1 + r.nextInt(3), 1 + r.nextInt(3), r.nextInt(kH / 2 + 1),
                        r.nextInt(kW / 2 + 1), 1 + r.nextInt(2), 1 + r.nextInt(2), r.nextBoolean());
            } catch (IllegalArgumentException tooSmall) {
                // the window does not fit this input: draw again
            }
        }
    }

    static float[] values(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            int kind = r.nextInt(40);
            x[i] = kind == 0 ? Float.NaN : kind == 1 ? Float.NEGATIVE_INFINITY : kind == 2 ? Float.POSITIVE_INFINITY
                    : r.nextInt(7) - 3;
        }
        return x;
    }

    @Property(tries = 300)
    void vectorMatchesScalarAndTheDefinition(@ForAll long seed) {
        Random r = new Random(seed);
        PoolWindow p = randomWindow(r);
        int xOff = r.nextInt(3);
        float[] x = values(r, xOff + p.h() * p.w());
        int n = p.hOut() * p.wOut();
        float[][] y = new float[2][n + 2];
        int[][] arg = new int[2][n + 2];
        KernelProvider[] providers = {Providers.scalar(), Providers.vector().orElseThrow()};
        for (int v = 0; v < 2; v++) {
            Arrays.fill(y[v], 7f);
            Arrays.fill(arg[v], -7);
            try (Providers.Scope s = Providers.use(providers[v])) {
                Reductions.maxPool(p, x, xOff, y[v], 1, arg[v], 1);
            }
        }
        assertArrayEquals(y[0], y[1], 0f, p.toString());
        assertArrayEquals(arg[0], arg[1], p.toString());
        assertEquals(7f, y[0][0], 0f, "before the output");
        assertEquals(7f, y[0][n + 1], 0f, "after the output");
        // From the definition: the kernel's taps in row-major order, those outside the input
        // skipped; the index starts at the first tap inside (every window has one).
        for (int i = 0; i < p.hOut(); i++) {
            for (int j = 0; j < p.wOut(); j++) {
                float max = Float.NEGATIVE_INFINITY;
                int best = -1;
                for (int a = 0; a < p.kH(); a++) {
                    for (int b = 0; b < p.kW(); b++) {
                        int row = i * p.sH() - p.pH() + a * p.dH();
                        int col = j * p.sW() - p.pW() + b * p.dW();
                        if (row < 0 || row >= p.h() || col < 0 || col >= p.w()) {
                            continue;
                        }
                        float v = x[xOff + row * p.w() + col];
                        if (best < 0) {
                            best = row * p.w() + col;
                        }
                        if (v > max || Float.isNaN(v)) {
                            max = v;
                            best = row * p.w() + col;
                        }
                    }
                }
                int o = 1 + i * p.wOut() + j;
                assertEquals(max, y[0][o], 0f, p + " output " + i + "," + j);
                assertEquals(best, arg[0][o], p + " index of output " + i + "," + j);
            }
        }
    }

    /**
     * {@link Reductions#blockedMaxPool}: on blocks of the vector width and others, both providers
     * give, lane by lane, the maxima and indices of {@link Reductions#maxPool} on that lane's
     * plane, and write nothing outside their outputs.
     */
    @Property(tries = 200)
    void blockedMatchesThePlanesLaneByLane(@ForAll long seed) {
        Random r = new Random(seed);
        PoolWindow p = randomWindow(r);
        int block = switch (r.nextInt(3)) {
            case 0 -> Providers.vector().orElseThrow().conv().block();
            case 1 -> 8;
            default -> 1 + r.nextInt(5);
        };
        int xOff = r.nextInt(3);
        int plane = p.h() * p.w();
        int n = p.hOut() * p.wOut();
        float[] x = values(r, xOff + plane * block);
        KernelProvider[] providers = {Providers.scalar(), Providers.vector().orElseThrow()};
        for (KernelProvider provider : providers) {
            float[] y = new float[n * block + 2];
            int[] arg = new int[n * block + 2];
            Arrays.fill(y, 7f);
            Arrays.fill(arg, -7);
            try (Providers.Scope s = Providers.use(provider)) {
                Reductions.blockedMaxPool(p, block, x, xOff, y, 1, arg, 1);
            }
            String where = provider.name() + " block " + block + " " + p;
            assertEquals(7f, y[0], 0f, where + ": before the output");
            assertEquals(7f, y[n * block + 1], 0f, where + ": after the output");
            assertEquals(-7, arg[n * block + 1], where + ": after the indices");
            for (int l = 0; l < block; l++) {
                float[] lane = new float[plane];
                for (int i = 0; i < plane; i++) {
                    lane[i] = x[xOff + i * block + l];
                }
                float[] want = new float[n];
                int[] wantArg = new int[n];
                try (Providers.Scope s = Providers.use(Providers.scalar())) {
                    Reductions.maxPool(p, lane, 0, want, 0, wantArg, 0);
                }
                for (int o = 0; o < n; o++) {
                    assertEquals(want[o], y[1 + o * block + l], 0f, where + " lane " + l + " output " + o);
                    assertEquals(wantArg[o], arg[1 + o * block + l], where + " lane " + l + " index of output " + o);
                }
            }
        }
    }

    @Test
    void checksItsRanges() {
        PoolWindow p = PoolWindow.of(4, 4, 2, 2, 2, 2, 0, 0, 1, 1, false);
        assertThrows(IllegalArgumentException.class, () -> Reductions.maxPool(p, new float[15], 0, new float[4], 0,
                null, 0));
        assertThrows(IllegalArgumentException.class, () -> Reductions.maxPool(p, new float[16], 0, new float[4], 0,
                new int[3], 0));
        assertThrows(IllegalArgumentException.class, () -> Reductions.blockedMaxPool(p, 3, new float[47], 0,
                new float[12], 0, null, 0));
        assertThrows(IllegalArgumentException.class, () -> Reductions.blockedMaxPool(p, 3, new float[48], 0,
                new float[12], 1, null, 0));
        assertThrows(IllegalArgumentException.class, () -> Reductions.blockedMaxPool(p, 3, new float[48], 0,
                new float[12], 0, new int[11], 0));
        assertThrows(IllegalArgumentException.class, () -> Reductions.blockedMaxPool(p, 0, new float[48], 0,
                new float[12], 0, null, 0));
        assertThrows(IllegalArgumentException.class, () -> PoolWindow.of(4, 4, 2, 2, 2, 2, 2, 0, 1, 1, false));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PoolWindow.of(1, 10, 3, 3, 3, 3, 1, 1, 2, 2, true));
        assertEquals(true, e.getMessage().contains("output row 0 holds no row"), e.getMessage());
    }
}
