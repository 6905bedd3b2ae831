package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.internal.BlockedConv;
import dev.lanes.kernel.internal.ConvGeometry;
import dev.lanes.kernel.internal.ConvKernels;
import dev.lanes.kernel.internal.KernelProvider;
import dev.lanes.kernel.internal.Providers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The channel-blocked convolution: the vector provider's {@link ConvKernels} give the scalar
 * loops' bits on random rows (every tile width, strides, taps, accumulation, one block of
 * output channels or two, short rows often), and
 * {@link BlockedConv}'s forward pass, input gradient and weight gradient equal the convolution's
 * definition on both providers, over random geometries with groups, strides 1-3, dilation,
 * padding and channel counts on both sides of a block, writing only their outputs.
 */
class BlockedConvProperties {

    private static final KernelProvider[] PROVIDERS = {Providers.scalar(), Providers.vector().orElseThrow()};

    @Property(tries = 300)
    void convRowIsTheScalarLoopBitForBit(@ForAll long seed) {
        Random r = new Random(seed);
        int b = Providers.vector().orElseThrow().conv().block();
        // Short rows half the time: a pair of blocks takes its own shared-tap tiles up to 8 pixels.
        int count = 1 + r.nextInt(r.nextBoolean() ? 10 : 40);
        int blocks = 1 + r.nextInt(3);
        int last = r.nextBoolean() ? b : 1 + r.nextInt(b);
        int kh = 1 + r.nextInt(3);
        // Kernel width 3 with unit taps and steps of 1 or 2 takes the tap-sharing tiles; the rest the pixel tiles.
        boolean shared = r.nextBoolean();
        int kw = shared ? 3 : 1 + r.nextInt(4);
        int xTap = shared ? b : b * (1 + r.nextInt(2));
        int xStep = b * (1 + r.nextInt(shared ? 2 : 3));
        int xRow = (count * xStep + kw * xTap) + r.nextInt(3);
        int xBlock = kh * xRow + r.nextInt(3);
        int xOff = r.nextInt(5);
        float[] x = RecurrentProperties.gaussian(r, xOff + blocks * xBlock + b, 1);
        int wOff = r.nextInt(5);
        float[] w = RecurrentProperties.gaussian(r, wOff + blocks * kh * kw * b * b, 1);
        int yStep = b * (1 + r.nextInt(2));
        int yOff = r.nextInt(5);
        boolean accumulate = r.nextBoolean();
        // A second block of weights and outputs for the pair, after the first.
        int wNext = blocks * kh * kw * b * b + r.nextInt(3);
        float[] w2 = RecurrentProperties.gaussian(r, wOff + wNext + blocks * kh * kw * b * b, 1);
        System.arraycopy(w, 0, w2, 0, w.length);
        int yNext = count * yStep + r.nextInt(3);
        float[] start = RecurrentProperties.gaussian(r, yOff + yNext + count * yStep + 3, 1);
        float[][] y = new float[2][];
        float[][] pair = new float[2][];
        for (int v = 0; v < 2; v++) {
            y[v] = start.clone();
            PROVIDERS[v].conv().convRow(b, count, blocks, last, kh, kw, x, xOff, xBlock, xRow, xTap, xStep, w2, wOff,
                    y[v], yOff, yStep, accumulate);
            PROVIDERS[v].conv().convRow(b, count, blocks, last, kh, kw, x, xOff, xBlock, xRow, xTap, xStep, w2,
                    wOff + wNext, y[v], yOff + yNext, yStep, accumulate);
            pair[v] = start.clone();
            PROVIDERS[v].conv().convRowPair(b, count, blocks, last, kh, kw, x, xOff, xBlock, xRow, xTap, xStep, w2,
                    wOff, wNext, pair[v], yOff, yNext, yStep, accumulate);
        }
        String what = "count " + count + " kh " + kh + " kw " + kw + " step " + xStep;
        assertArrayEquals(y[0], y[1], 0f, what);
        assertArrayEquals(y[0], pair[0], 0f, "pair, scalar, " + what);
        assertArrayEquals(y[0], pair[1], 0f, "pair, vector, " + what);
    }

    @Property(tries = 300)
    void convWeightRowIsTheScalarLoopBitForBit(@ForAll long seed) {
        Random r = new Random(seed);
        int b = Providers.vector().orElseThrow().conv().block();
        int count = 1 + r.nextInt(40);
        int channels = r.nextBoolean() ? b : 1 + r.nextInt(b);
        int kh = 1 + r.nextInt(3);
        boolean shared = r.nextBoolean();
        int kw = shared ? 3 : 1 + r.nextInt(4);
        int xTap = shared ? b : b * (1 + r.nextInt(2));
        int xStep = shared ? b : b * (1 + r.nextInt(3));
        int xRow = count * xStep + kw * xTap + b * r.nextInt(2);
        int xOff = r.nextInt(5);
        float[] x = RecurrentProperties.gaussian(r, xOff + kh * xRow + b, 1);
        // The block's input channels past {@code channels} are zero, as in a padded block.
        for (int i = xOff; i < x.length; i++) {
            if ((i - xOff) % b >= channels) {
                x[i] = 0f;
            }
        }
        int dyOff = r.nextInt(5);
        // A second block of output gradients and weight gradients for the pair, after the first.
        int dyNext = count * b + r.nextInt(3);
        float[] dy = RecurrentProperties.gaussian(r, dyOff + dyNext + count * b, 1);
        int dwOff = r.nextInt(5);
        int dwNext = kh * kw * b * b + r.nextInt(3);
        float[] start = RecurrentProperties.gaussian(r, dwOff + dwNext + kh * kw * b * b + 3, 1);
        float[][] dw = new float[2][];
        float[][] pair = new float[2][];
        for (int v = 0; v < 2; v++) {
            dw[v] = start.clone();
            PROVIDERS[v].conv().convWeightRow(b, count, channels, kh, kw, x, xOff, xRow, xTap, xStep, dy, dyOff, dw[v],
                    dwOff);
            PROVIDERS[v].conv().convWeightRow(b, count, channels, kh, kw, x, xOff, xRow, xTap, xStep, dy,
                    dyOff + dyNext, dw[v], dwOff + dwNext);
            pair[v] = start.clone();
            PROVIDERS[v].conv().convWeightRowPair(b, count, channels, kh, kw, x, xOff, xRow, xTap, xStep, dy, dyOff,
                    dyNext, pair[v], dwOff, dwNext);
        }
        String what = "count " + count + " kh " + kh + " kw " + kw + " step " + xStep;
        assertArrayEquals(dw[0], dw[1], 0f, what);
        assertArrayEquals(dw[0], pair[0], 0f, "pair, scalar, " + what);
        assertArrayEquals(dw[0], pair[1], 0f, "pair, vector, " + what);
    }

    @Property(tries = 100)
    void flippedPackingPacksTheFlippedTransposedWeights(@ForAll long seed) {
        Random r = new Random(seed);
        ConvGeometry g = randomGeometry(r);
        // The convolution of dY that gives a stride-1 dX: channels swapped, the same kernel.
        ConvGeometry t = ConvGeometry.of(1, g.cOut(), g.h(), g.w(), g.cIn(), g.groups(), g.kH(), g.kW(), 1, 1,
                g.dH() * (g.kH() - 1), g.dW() * (g.kW() - 1), g.dH(), g.dW());
        int taps = g.kH() * g.kW();
        float[] wt = RecurrentProperties.gaussian(r, g.cOut() * g.k(), 1);
        float[] flipped = new float[wt.length];
        for (int grp = 0; grp < g.groups(); grp++) {
            for (int co = 0; co < g.og(); co++) {
                for (int ci = 0; ci < g.cg(); ci++) {
                    for (int tap = 0; tap < taps; tap++) {
                        flipped[((grp * g.cg() + ci) * g.og() + co) * taps + taps - 1 - tap] =
                                wt[((grp * g.og() + co) * g.cg() + ci) * taps + tap];
                    }
                }
            }
        }
        for (KernelProvider p : PROVIDERS) {
            BlockedConv conv = BlockedConv.of(p, t);
            float[] expected = sentinels(conv.weightSize() + 1);
            conv.packWeights(flipped, 0, expected);
            float[] packed = sentinels(conv.weightSize() + 1);
            conv.packFlippedWeights(wt, 0, packed);
            assertArrayEquals(expected, packed, 0f, g + " on " + p.name());
        }
    }

    /** One image: groups 1-3, 1-20 channels per group on each side, strides 1-3, dilation 1-2. */
    static ConvGeometry randomGeometry(Random r) {
        int groups = 1 + r.nextInt(3);
        int kH = 1 + r.nextInt(3);
        int kW = 1 + r.nextInt(3);
        int dH = 1 + r.nextInt(2);
        int dW = 1 + r.nextInt(2);
        int pH = r.nextInt(dH * (kH - 1) + 1);
        int pW = r.nextInt(dW * (kW - 1) + 1);
        int h = Math.max(1, dH * (kH - 1) + 1 - 2 * pH) + r.nextInt(10);
        int w = Math.max(1, dW * (kW - 1) + 1 - 2 * pW) + r.nextInt(20);
        return ConvGeometry.of(1, groups * (1 + r.nextInt(20)), h, w, groups * (1 + r.nextInt(20)), groups, kH, kW,
                1 + r.nextInt(3), 1 + r.nextInt(3), pH, pW, dH, dW);
    }

    /** Input position of output {@code (oh, ow)} and tap {@code (a, c)}, or -1 in the padding. */
    private static int inputAt(ConvGeometry g, int oh, int ow, int a, int c) {
        int ih = oh * g.sH() - g.pH() + a * g.dH();
        int iw = ow * g.sW() - g.pW() + c * g.dW();
        return ih < 0 || ih >= g.h() || iw < 0 || iw >= g.w() ? -1 : ih * g.w() + iw;
    }

    private static float[] sentinels(int n) {
        float[] a = new float[n];
        Arrays.fill(a, Float.NaN);
        return a;
    }

    @Property(tries = 100)
    void forwardTilesInAnyOrderGiveTheWholeForwardsBits(@ForAll long seed) {
        Random r = new Random(seed);
        ConvGeometry g0 = randomGeometry(r);
        ConvGeometry g = ConvGeometry.of(1, g0.cIn() / g0.groups(), g0.h(), g0.w(), g0.cOut() / g0.groups(), 1,
                g0.kH(), g0.kW(), g0.sH(), g0.sW(), g0.pH(), g0.pW(), g0.dH(), g0.dW());
        for (KernelProvider p : PROVIDERS) {
            BlockedConv conv = BlockedConv.of(p, g);
            int block = p.conv().block();
            // The channels past cIn in the last block are zero in a blocked image.
            float[] x = new float[Math.ceilDiv(g.cIn(), block) * g.h() * g.w() * block + 3];
            for (int i = 3; i < x.length; i++) {
                int c = (i - 3) / (g.h() * g.w() * block) * block + (i - 3) % block;
                x[i] = c < g.cIn() ? (float) r.nextGaussian() : 0f;
            }
            float[] packed = new float[conv.weightSize()];
            conv.packWeights(RecurrentProperties.gaussian(r, g.cOut() * g.cIn() * g.kH() * g.kW(), 1), 0, packed);
            float[] whole = sentinels(conv.blockedOutputSize() + 2);
            conv.forwardBlocked(packed, x, 3, sentinels(conv.paddedSize()), whole, 1);
            float[] tiled = sentinels(conv.blockedOutputSize() + 2);
            float[] in = x;
            int inOff = 3;
            if (!conv.tilesReadInPlace()) {
                in = sentinels(conv.paddedSize() + 5);
                conv.padForTiles(x, 3, in, 5);
                inOff = 5;
            }
            List<Integer> order = new ArrayList<>();
            for (int t = 0; t < conv.forwardTiles(); t++) {
                order.add(t);
            }
            Collections.shuffle(order, r);
            float[] own = sentinels(conv.blockedOutputSize() + 2);
            for (int t : order) {
                conv.forwardBlockedTile(t, packed, in, inOff, tiled, 1);
                if (conv.tilesPadTheirRows()) {
                    // A fresh scratch of sentinels for each tile: it must write every float it reads.
                    float[] scratch = sentinels(conv.tileScratchSize() + 9);
                    conv.forwardBlockedTile(t, packed, x, 3, scratch, 7, own, 1);
                    for (int i : new int[] {0, 6, scratch.length - 2, scratch.length - 1}) {
                        assertTrue(Float.isNaN(scratch[i]), "tile " + t + " wrote outside its scratch at " + i);
                    }
                }
            }
            if (conv.tilesPadTheirRows()) {
                assertArrayEquals(whole, own, 0f, g + " on " + p.name() + ", tiles padding their rows");
            }
            boolean[] seen = new boolean[conv.forwardTiles()];
            for (int i = 0; i < seen.length; i++) {
                int t = conv.forwardTileByBlocks(i);
                assertTrue(!seen[t], "tile " + t + " twice in block order");
                seen[t] = true;
            }
            assertArrayEquals(whole, tiled, 0f, g + " on " + p.name() + ", " + conv.forwardTiles() + " tiles");
        }
    }

    @Property(tries = 150)
    void forwardAndGradientsMatchTheDefinition(@ForAll long seed) {
        Random r = new Random(seed);
        ConvGeometry g = randomGeometry(r);
        int plane = g.h() * g.w();
        int l = g.l();
        float[] x = RecurrentProperties.gaussian(r, g.cIn() * plane, 1);
        float[] wt = RecurrentProperties.gaussian(r, g.cOut() * g.k(), 1);
        float[] dy = RecurrentProperties.gaussian(r, g.cOut() * l, 1);
        double[] y = new double[g.cOut() * l];
        double[] yAbs = new double[y.length];
        double[] dx = new double[x.length];
        double[] dxAbs = new double[x.length];
        double[] dw = new double[wt.length];
        double[] dwAbs = new double[wt.length];
        int taps = g.kH() * g.kW();
        for (int grp = 0; grp < g.groups(); grp++) {
            for (int co = grp * g.og(); co < (grp + 1) * g.og(); co++) {
                for (int ci = 0; ci < g.cg(); ci++) {
                    for (int t = 0; t < taps; t++) {
                        int wi = (co * g.cg() + ci) * taps + t;
                        for (int q = 0; q < l; q++) {
                            int at = inputAt(g, q / g.wOut(), q % g.wOut(), t / g.kW(), t % g.kW());
                            if (at < 0) {
                                continue;
                            }
                            int xi = (grp * g.cg() + ci) * plane + at;
                            int yi = co * l + q;
                            y[yi] += (double) wt[wi] * x[xi];
                            yAbs[yi] += Math.abs((double) wt[wi] * x[xi]);
                            dx[xi] += (double) wt[wi] * dy[yi];
                            dxAbs[xi] += Math.abs((double) wt[wi] * dy[yi]);
                            dw[wi] += (double) x[xi] * dy[yi];
                            dwAbs[wi] += Math.abs((double) x[xi] * dy[yi]);
                        }
                    }
                }
            }
        }
        for (KernelProvider p : PROVIDERS) {
            BlockedConv conv = BlockedConv.of(p, g);
            String what = g + " on " + p.name();
            float[] packed = sentinels(conv.weightSize() + 2);
            conv.packWeights(wt, 0, packed);
            float[] unpacked = new float[wt.length];
            conv.unpackWeights(packed, unpacked);
            assertArrayEquals(wt, unpacked, 0f, "weights round trip " + what);
            float[] tapped = sentinels(conv.weightSize());
            conv.packInputGradientWeights(wt, 0, tapped);
            float[] out = sentinels(y.length + 4);
            float[] added = RecurrentProperties.gaussian(r, y.length + 4, 1);
            float[] before = added.clone();
            float[] din = sentinels(x.length + 4);
            float[] dwPacked = new float[conv.weightSize()];
            for (int grp = 0; grp < g.groups(); grp++) {
                int xOff = grp * g.cg() * plane;
                int yOff = grp * g.og() * l;
                conv.forward(grp, packed, x, xOff, sentinels(conv.paddedSize()), sentinels(conv.blockedOutputSize()),
                        null, out, 2 + yOff, false);
                conv.forward(grp, packed, x, xOff, sentinels(conv.paddedSize()), sentinels(conv.blockedOutputSize()),
                        sentinels(conv.blockPlanesSize()), added, 2 + yOff, true);
                conv.inputGradient(grp, tapped, dy, yOff, sentinels(conv.gradientLayoutSize()),
                        sentinels(conv.paddedSize()), din, 2 + xOff);
                conv.weightGradient(grp, x, xOff, dy, yOff, sentinels(conv.paddedSize()),
                        sentinels(conv.blockedOutputSize()), dwPacked, 0);
            }
            float[] dwOut = new float[wt.length];
            conv.unpackWeights(dwPacked, dwOut);
            for (int i = 0; i < y.length; i++) {
                assertEquals(y[i], out[2 + i], 1e-5 * (yAbs[i] + 1), "forward " + i + " " + what);
                assertEquals(before[2 + i] + y[i], added[2 + i], 1e-5 * (yAbs[i] + Math.abs(before[2 + i]) + 1),
                        "accumulated forward " + i + " " + what);
            }
            for (int i = 0; i < x.length; i++) {
                assertEquals(dx[i], din[2 + i], 1e-5 * (dxAbs[i] + 1), "input gradient " + i + " " + what);
            }
            for (int i = 0; i < wt.length; i++) {
                assertEquals(dw[i], dwOut[i], 1e-5 * (dwAbs[i] + 1), "weight gradient " + i + " " + what);
            }
            for (float[] a : new float[][] {out, din}) {
                assertEquals(Float.NaN, a[0], 0f, "written before its range " + what);
                assertEquals(Float.NaN, a[a.length - 1], 0f, "written past its range " + what);
            }
            assertEquals(before[0], added[0], 0f, "accumulated before its range " + what);
            assertEquals(before[added.length - 1], added[added.length - 1], 0f, "accumulated past its range " + what);
        }
    }
}
