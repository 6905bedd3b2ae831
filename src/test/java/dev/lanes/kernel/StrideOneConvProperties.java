package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * {@link StrideOneConv} equals the convolution's definition (the columns matrix of
 * {@link Im2ColProperties#reference} times the weights) over random stride-1 geometries with
 * padding and dilation, gives the same bits on both providers, and writes only its output range.
 */
class StrideOneConvProperties {

    @Property(tries = 200)
    void matchesTheDefinitionOnBothProviders(@ForAll long seed) {
        Random r = new Random(seed);
        ConvGeometry g0 = Im2ColProperties.randomGeometry(r);
        ConvGeometry g = ConvGeometry.of(1, g0.cg(), g0.h(), g0.w(), 1 + r.nextInt(17), 1, g0.kH(), g0.kW(), 1, 1,
                g0.pH(), g0.pW(), g0.dH(), g0.dW());
        int xOff = r.nextInt(3);
        float[] x = new float[xOff + g.cIn() * g.h() * g.w()];
        double[] xd = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
            xd[i] = x[i];
        }
        float[] w = new float[g.cOut() * g.k()];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian();
        }
        double[] cols = Im2ColProperties.reference(g, xd, xOff);
        int yOff = r.nextInt(3);
        float[][] out = new float[2][];
        KernelProvider[] providers = {Kernels.scalar(), Kernels.vector().orElseThrow()};
        for (int v = 0; v < 2; v++) {
            out[v] = new float[yOff + g.cOut() * g.l() + 2];
            Arrays.fill(out[v], Float.NaN);
            float[] padded = new float[StrideOneConv.paddedSize(g) + r.nextInt(3)];
            Arrays.fill(padded, Float.NaN);
            try (Kernels.Scope s = Kernels.use(providers[v])) {
                StrideOneConv.run(g, w, 0, x, xOff, StrideOneConv.taps(g), padded,
                        new float[StrideOneConv.wideOutputSize(g)], out[v], yOff);
            }
        }
        assertArrayEquals(out[0], out[1], 0f, g.toString());
        for (int i = 0; i < out[0].length; i++) {
            int rel = i - yOff;
            if (rel < 0 || rel >= g.cOut() * g.l()) {
                assertEquals(Float.NaN, out[0][i], 0f, "element " + i + " outside the output");
                continue;
            }
            int co = rel / g.l();
            int q = rel % g.l();
            double want = 0;
            double abs = 0;
            for (int p = 0; p < g.k(); p++) {
                double t = w[co * g.k() + p] * cols[p * g.l() + q];
                want += t;
                abs += Math.abs(t);
            }
            assertEquals(want, out[0][i], 1e-5 * (abs + 1), g + " channel " + co + " position " + q);
        }
    }

    @Test
    void refusesOtherStridesAndSmallScratch() {
        ConvGeometry two = ConvGeometry.of(1, 2, 5, 5, 3, 1, 3, 3, 2, 2, 1, 1, 1, 1);
        assertThrows(IllegalArgumentException.class, () -> StrideOneConv.taps(two));
        ConvGeometry g = ConvGeometry.of(1, 2, 5, 5, 3, 1, 3, 3, 1, 1, 1, 1, 1, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StrideOneConv.run(g,
                new float[54], 0, new float[50], 0, StrideOneConv.taps(g), new float[10], new float[200],
                new float[75], 0));
        assertEquals(true, e.getMessage().contains("padded 10 (need " + StrideOneConv.paddedSize(g) + ")"),
                e.getMessage());
    }
}
