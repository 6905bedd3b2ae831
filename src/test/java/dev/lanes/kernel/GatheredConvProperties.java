package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lanes.kernel.internal.ConvGeometry;
import dev.lanes.kernel.internal.GatherBlas;
import dev.lanes.kernel.internal.GatheredConv;
import dev.lanes.kernel.internal.KernelProvider;
import dev.lanes.kernel.internal.Providers;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * {@link GatheredConv} equals the convolution's definition (the columns matrix of
 * {@link Im2ColProperties#reference} times the weights) over random geometries with strides 1
 * to 3, padding and dilation, gives the same bits on both providers, and writes only its output
 * range; its weight gradient equals {@code dY · cols^T}.
 */
class GatheredConvProperties {

    /** A random geometry of {@link Im2ColProperties#randomGeometry} for one image, 1-17 output channels. */
    private static ConvGeometry oneImage(Random r) {
        ConvGeometry g = Im2ColProperties.randomGeometry(r);
        return ConvGeometry.of(1, g.cg(), g.h(), g.w(), 1 + r.nextInt(17), 1, g.kH(), g.kW(), g.sH(), g.sW(), g.pH(),
                g.pW(), g.dH(), g.dW());
    }

    private static double[] widened(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }

    @Property(tries = 200)
    void matchesTheDefinitionOnBothProviders(@ForAll long seed) {
        Random r = new Random(seed);
        ConvGeometry g = oneImage(r);
        int xOff = r.nextInt(3);
        float[] x = RecurrentProperties.gaussian(r, xOff + g.cIn() * g.h() * g.w(), 1);
        float[] w = RecurrentProperties.gaussian(r, g.cOut() * g.k(), 1);
        double[] cols = Im2ColProperties.reference(g, widened(x), xOff);
        int yOff = r.nextInt(3);
        float[][] out = new float[2][];
        KernelProvider[] providers = {Providers.scalar(), Providers.vector().orElseThrow()};
        for (int v = 0; v < 2; v++) {
            out[v] = new float[yOff + g.cOut() * g.l() + 2];
            Arrays.fill(out[v], Float.NaN);
            float[] padded = new float[GatheredConv.paddedSize(g) + r.nextInt(3)];
            Arrays.fill(padded, Float.NaN);
            try (Providers.Scope s = Providers.use(providers[v])) {
                GatheredConv.run(g, w, 0, x, xOff, GatheredConv.taps(g), padded,
                        new float[GatheredConv.wideOutputSize(g)], out[v], yOff);
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

    /**
     * The 3-wide, padding-1 layers run on unpadded rows with masked edges: on both providers
     * they give the bits of the padded plane (the weight gradient's layout, multiplied by
     * {@link Blas#sgemmGatherB} and cut to the output's columns), over planes up to 40 wide.
     */
    @Property(tries = 100)
    void rowEdgesGiveThePaddedPlanesBits(@ForAll long seed) {
        Random r = new Random(seed);
        int kH = 1 + r.nextInt(3);
        int dH = 1 + r.nextInt(2);
        int pH = r.nextInt(3);
        int h = Math.max(1 + r.nextInt(20), dH * (kH - 1) + 1 - 2 * pH);
        int w = 1 + r.nextInt(40);
        ConvGeometry g = ConvGeometry.of(1, 1 + r.nextInt(5), h, w, 1 + r.nextInt(30), 1, kH, 3, 1, 1, pH, 1, dH, 1);
        float[] x = RecurrentProperties.gaussian(r, g.cIn() * h * w, 1);
        float[] wt = RecurrentProperties.gaussian(r, g.cOut() * g.k(), 1);
        float[] padded = new float[GatheredConv.weightPaddedSize(g)];
        GatheredConv.pad(g, x, 0, padded);
        int n = GatheredConv.widePositions(g);
        float[] wide = new float[g.og() * n];
        GatherBlas.sgemmGatherB(Providers.scalar(), g.og(), n, g.k(), wt, 0, g.k(), padded, 0, GatheredConv.weightTaps(g), 0,
                wide, 0, n);
        int wq = n / g.hOut();
        for (KernelProvider provider : new KernelProvider[] {Providers.scalar(), Providers.vector().orElseThrow()}) {
            float[] y = new float[g.cOut() * g.l()];
            try (Providers.Scope s = Providers.use(provider)) {
                // No output buffer: these layers write the product straight into y.
                assertEquals(0, GatheredConv.wideOutputSize(g, false), g.toString());
                GatheredConv.run(g, wt, 0, x, 0, GatheredConv.taps(g), new float[GatheredConv.paddedSize(g)],
                        new float[0], y, 0);
            }
            for (int co = 0; co < g.og(); co++) {
                for (int q = 0; q < g.l(); q++) {
                    float want = wide[co * n + q / g.wOut() * wq + q % g.wOut()];
                    assertEquals(want, y[co * g.l() + q], 0f, g + " " + provider.name() + " channel " + co + " at " + q);
                }
            }
        }
    }

    @Property(tries = 100)
    void accumulatingAddsThePlainResultOnce(@ForAll long seed) {
        Random r = new Random(seed);
        ConvGeometry g = oneImage(r);
        float[] x = RecurrentProperties.gaussian(r, g.cIn() * g.h() * g.w(), 1);
        float[] w = RecurrentProperties.gaussian(r, g.cOut() * g.k(), 1);
        float[] y0 = RecurrentProperties.gaussian(r, g.cOut() * g.l() + 3, 1);
        float[] plain = new float[y0.length];
        float[] summed = y0.clone();
        int[] taps = GatheredConv.taps(g);
        float[] padded = new float[GatheredConv.paddedSize(g)];
        float[] wide = new float[GatheredConv.wideOutputSize(g)];
        GatheredConv.run(g, w, 0, x, 0, taps, padded, wide, plain, 1);
        GatheredConv.run(g, w, 0, x, 0, taps, padded, wide, summed, 1, true);
        for (int i = 0; i < y0.length; i++) {
            float want = i >= 1 && i <= g.cOut() * g.l() ? y0[i] + plain[i] : y0[i];
            assertEquals(want, summed[i], 0f, g + " element " + i);
        }
    }

    @Property(tries = 150)
    void weightGradientMatchesTheDefinition(@ForAll long seed) {
        Random r = new Random(seed);
        ConvGeometry g = oneImage(r);
        float[] x = RecurrentProperties.gaussian(r, g.cIn() * g.h() * g.w(), 1);
        float[] dy = RecurrentProperties.gaussian(r, g.cOut() * g.l(), 1);
        float[] padded = new float[GatheredConv.weightPaddedSize(g)];
        float[] wide = new float[GatheredConv.widePositions(g) * g.og()];
        GatheredConv.pad(g, x, 0, padded);
        GatheredConv.wideTransposed(g, dy, 0, wide);
        float[] dwt = new float[g.k() * g.og()];
        GatheredConv.weightGradient(g, padded, GatheredConv.weightTaps(g), wide, 0, g.k(), false, dwt, 0);
        double[] cols = Im2ColProperties.reference(g, widened(x), 0);
        for (int p = 0; p < g.k(); p++) {
            for (int co = 0; co < g.og(); co++) {
                double want = 0;
                double abs = 0;
                for (int q = 0; q < g.l(); q++) {
                    double t = dy[co * g.l() + q] * cols[p * g.l() + q];
                    want += t;
                    abs += Math.abs(t);
                }
                assertEquals(want, dwt[p * g.og() + co], 1e-5 * (abs + 1), g + " tap " + p + " channel " + co);
            }
        }
    }

    @Test
    void refusesSmallScratch() {
        ConvGeometry g = ConvGeometry.of(1, 2, 5, 5, 3, 1, 3, 3, 1, 1, 1, 1, 1, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GatheredConv.run(g,
                new float[54], 0, new float[50], 0, GatheredConv.taps(g), new float[10], new float[200],
                new float[75], 0));
        assertEquals(true, e.getMessage().contains("padded 10 (need " + GatheredConv.paddedSize(g) + ")"),
                e.getMessage());
        ConvGeometry two = ConvGeometry.of(1, 2, 5, 5, 3, 1, 3, 3, 2, 2, 1, 1, 1, 1);
        assertThrows(IllegalArgumentException.class, () -> GatheredConv.pad(two, new float[50], 0, new float[10]));
    }
}
