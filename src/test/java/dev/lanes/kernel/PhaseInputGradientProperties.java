package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.internal.ConvGeometry;
import dev.lanes.kernel.internal.KernelProvider;
import dev.lanes.kernel.internal.PhaseInputGradient;
import dev.lanes.kernel.internal.Providers;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * {@link PhaseInputGradient} equals the input gradient's definition,
 * {@code dX[ci][y][x] = sum of W[co][ci][i][j] dY[co][oy][ox]} over the taps with
 * {@code y = sH oy - pH + i} and {@code x = sW ox - pW + j}, over random strided geometries
 * (strides 1 to 3 with at least one above 1, kernels up to 4, padding up to 3, odd sizes),
 * gives the same bits on both providers, and writes every position some output reaches and no
 * other value than zero elsewhere.
 */
class PhaseInputGradientProperties {

    @Property(tries = 200)
    void matchesTheDefinitionAndWritesOnlyReachedPositions(@ForAll long seed) {
        Random r = new Random(seed);
        int kH = 1 + r.nextInt(4);
        int kW = 1 + r.nextInt(4);
        int sH = 1 + r.nextInt(3);
        int sW = sH == 1 ? 2 + r.nextInt(2) : 1 + r.nextInt(3);
        int pH = r.nextInt(Math.min(kH, 3) + 1);
        int pW = r.nextInt(Math.min(kW, 3) + 1);
        int h = Math.max(1, kH - 2 * pH) + r.nextInt(9);
        int w = Math.max(1, kW - 2 * pW) + r.nextInt(9);
        int cg = 1 + r.nextInt(5);
        int og = 1 + r.nextInt(6);
        ConvGeometry g = ConvGeometry.of(1, cg, h, w, og, 1, kH, kW, sH, sW, pH, pW, 1, 1);
        float[] wt = RecurrentProperties.gaussian(r, og * g.k(), 1);
        int dyOff = r.nextInt(3);
        float[] dy = RecurrentProperties.gaussian(r, dyOff + og * g.l(), 1);
        int dxOff = r.nextInt(3);
        PhaseInputGradient plan = PhaseInputGradient.of(g);
        float[] packed = new float[plan.weightSize()];
        plan.packWeights(wt, 0, packed);
        float[][] dx = new float[2][];
        KernelProvider[] providers = {Providers.scalar(), Providers.vector().orElseThrow()};
        for (int v = 0; v < 2; v++) {
            dx[v] = new float[dxOff + cg * h * w + 2];
            Arrays.fill(dx[v], Float.NaN);
            float[] padded = new float[plan.paddedSize()];
            Arrays.fill(padded, Float.NaN);
            float[] out = new float[plan.outputSize()];
            Arrays.fill(out, Float.NaN);
            try (Providers.Scope s = Providers.use(providers[v])) {
                plan.run(packed, dy, dyOff, padded, out, dx[v], dxOff);
            }
        }
        assertArrayEquals(dx[0], dx[1], 0f, g.toString());
        double[] want = new double[cg * h * w];
        double[] abs = new double[cg * h * w];
        boolean[] reached = new boolean[cg * h * w];
        for (int co = 0; co < og; co++) {
            for (int ci = 0; ci < cg; ci++) {
                for (int i = 0; i < kH; i++) {
                    for (int j = 0; j < kW; j++) {
                        double wv = wt[((co * cg + ci) * kH + i) * kW + j];
                        for (int oy = 0; oy < g.hOut(); oy++) {
                            for (int ox = 0; ox < g.wOut(); ox++) {
                                int y = sH * oy - pH + i;
                                int x = sW * ox - pW + j;
                                if (y < 0 || y >= h || x < 0 || x >= w) {
                                    continue;
                                }
                                int at = (ci * h + y) * w + x;
                                double t = wv * dy[dyOff + (co * g.hOut() + oy) * g.wOut() + ox];
                                want[at] += t;
                                abs[at] += Math.abs(t);
                                reached[at] = true;
                            }
                        }
                    }
                }
            }
        }
        for (int i = 0; i < dx[0].length; i++) {
            int rel = i - dxOff;
            if (rel < 0 || rel >= want.length) {
                assertTrue(Float.isNaN(dx[0][i]), g + ": element " + i + " outside dX was written");
            } else if (!reached[rel]) {
                // No output reaches this position: left alone (a phase without kernel taps, e.g. a
                // 1x1 kernel with stride 2) or set to zero (taps only past dY's border).
                assertTrue(Float.isNaN(dx[0][i]) || Float.floatToRawIntBits(dx[0][i]) == 0,
                        g + ": unreached position " + rel + " is " + dx[0][i]);
            } else {
                assertFalse(Float.isNaN(dx[0][i]), g + ": position " + rel + " was not written");
                assertEquals(want[rel], dx[0][i], 1e-5 * (abs[rel] + 1), g + " position " + rel);
            }
        }
    }

    @Test
    void refusesGeometriesItDoesNotCover() {
        ConvGeometry unit = ConvGeometry.of(1, 2, 5, 5, 3, 1, 3, 3, 1, 1, 1, 1, 1, 1);
        ConvGeometry dilated = ConvGeometry.of(1, 2, 9, 9, 3, 1, 3, 3, 2, 2, 1, 1, 2, 2);
        assertFalse(PhaseInputGradient.supports(unit));
        assertFalse(PhaseInputGradient.supports(dilated));
        assertThrows(IllegalArgumentException.class, () -> PhaseInputGradient.of(unit));
        assertThrows(IllegalArgumentException.class, () -> PhaseInputGradient.of(dilated));
        ConvGeometry strided = ConvGeometry.of(1, 2, 7, 7, 3, 1, 3, 3, 2, 2, 1, 1, 1, 1);
        PhaseInputGradient plan = PhaseInputGradient.of(strided);
        float[] dx = new float[2 * 49];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> plan.run(new float[plan.weightSize()], new float[3 * 16], 0, new float[3],
                        new float[plan.outputSize()], dx, 0));
        assertTrue(e.getMessage().contains("padded 3 (need " + plan.paddedSize() + ")"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> plan.run(new float[plan.weightSize()], new float[10], 0,
                new float[plan.paddedSize()], new float[plan.outputSize()], dx, 0));
    }
}
