package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lanes.kernel.internal.KernelProvider;
import dev.lanes.kernel.internal.NormKernels;
import dev.lanes.kernel.internal.NormKernels.BlockedTerm;
import dev.lanes.kernel.internal.Norms;
import dev.lanes.kernel.internal.Providers;
import dev.lanes.kernel.internal.Reductions;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * The batch-norm passes over channel-blocked data: each lane's sum is the fixed-order sum that
 * {@link Reductions} gives for the lane's values laid out as one run (so blocked and NCHW batch
 * norms agree bit for bit), also when its blocks of terms are computed in two ranges, and the
 * elementwise passes are the plane passes lane by lane; both providers give the same bits, at
 * the vector's block and at another.
 */
class BlockedNormProperties {

    private static final KernelProvider[] PROVIDERS = {Providers.scalar(), Providers.vector().orElseThrow()};

    /** A random layout: block, segments, pixels, stride between segments (with a gap) and offset. */
    private record Layout(int block, int segments, int count, int segStride, int off) {

        static Layout random(Random r) {
            int vector = Providers.vector().orElseThrow().conv().block();
            int block = r.nextInt(4) == 0 ? 8 : vector;
            int segments = 1 + r.nextInt(6);
            // Up to ~10k values per lane, so runs cross the 4096-term blocks of the fixed order.
            int count = 1 + r.nextInt(r.nextBoolean() ? 40 : 2000);
            return new Layout(block, segments, count, count * block + r.nextInt(3) * block, r.nextInt(5));
        }

        int size() {
            return off + (segments - 1) * segStride + count * block + 3;
        }

        int at(int s, int q, int l) {
            return off + s * segStride + q * block + l;
        }

        /** Lane {@code l}'s values in segment and pixel order, as one run. */
        float[] run(float[] a, int l) {
            float[] run = new float[segments * count];
            for (int s = 0; s < segments; s++) {
                for (int q = 0; q < count; q++) {
                    run[s * count + q] = a[at(s, q, l)];
                }
            }
            return run;
        }
    }

    @Property(tries = 150)
    void laneSumsAreTheRunSumsBitForBit(@ForAll long seed) {
        Random r = new Random(seed);
        Layout lay = Layout.random(r);
        int b = lay.block();
        float[] x = RecurrentProperties.gaussian(r, lay.size(), 3);
        float[] y = RecurrentProperties.gaussian(r, lay.size(), 1);
        float[] center = RecurrentProperties.gaussian(r, b, 1);
        float[] scale = RecurrentProperties.gaussian(r, b, 1);
        for (BlockedTerm term : BlockedTerm.values()) {
            float[][] out = new float[2][b];
            for (int v = 0; v < 2; v++) {
                try (Providers.Scope s = Providers.use(PROVIDERS[v])) {
                    Norms.blockedChannelSums(term, b, lay.segments(), lay.count(), x, y, lay.off(), lay.segStride(),
                            center, scale, 0, out[v]);
                }
            }
            assertArrayEquals(out[0], out[1], 0f, term + " " + lay);
            // The block results computed in two ranges, added in order, give the same sums.
            int blocks = Norms.sumBlocks((long) lay.segments() * lay.count());
            int cut = r.nextInt(blocks + 1);
            float[] results = new float[blocks * b + 2];
            Norms.blockedSumBlocks(term, b, lay.segments(), lay.count(), x, y, lay.off(), lay.segStride(), center,
                    scale, 0, cut, blocks, results, 2 + cut * b);
            Norms.blockedSumBlocks(term, b, lay.segments(), lay.count(), x, y, lay.off(), lay.segStride(), center,
                    scale, 0, 0, cut, results, 2);
            float[] pieced = new float[b];
            Norms.addSumBlocks(results, 2, blocks, b, pieced, 0);
            assertArrayEquals(out[0], pieced, 0f, term + " in two ranges cut at block " + cut + ", " + lay);
            for (int l = 0; l < b; l++) {
                float[] xs = lay.run(x, l);
                float want = switch (term) {
                    case PLAIN -> Reductions.sum(xs, 0, xs.length);
                    case SQUARED_DEVIATION -> Reductions.sumOfSquaredDeviations(xs, 0, xs.length, center[l]);
                    case NORMALISED_PRODUCT -> {
                        float[] xhat = new float[xs.length];
                        for (int i = 0; i < xs.length; i++) {
                            xhat[i] = (xs[i] - center[l]) * scale[l];
                        }
                        yield Reductions.dot(lay.run(y, l), 0, xhat, 0, xs.length);
                    }
                };
                assertEquals(want, out[0][l], 0f, term + " lane " + l + " " + lay);
            }
        }
    }

    @Property(tries = 150)
    void elementwisePassesAreThePlanePassesLaneByLane(@ForAll long seed) {
        Random r = new Random(seed);
        Layout lay = Layout.random(r);
        int b = lay.block();
        float[] x = RecurrentProperties.gaussian(r, lay.size(), 2);
        float[] res = r.nextBoolean() ? RecurrentProperties.gaussian(r, lay.size(), 1) : null;
        float[] dy = RecurrentProperties.gaussian(r, lay.size(), 1);
        // Per-lane values from a random offset into longer arrays.
        int first = r.nextInt(3) * b;
        float[][] lanes = new float[7][];
        for (int i = 0; i < lanes.length; i++) {
            lanes[i] = RecurrentProperties.gaussian(r, first + b + r.nextInt(3), 1);
        }
        boolean relu = r.nextBoolean();
        boolean batchStats = r.nextBoolean();
        float[][] y = new float[2][];
        float[][] dx = new float[2][];
        for (int v = 0; v < 2; v++) {
            y[v] = new float[lay.size()];
            dx[v] = new float[lay.size()];
            try (Providers.Scope s = Providers.use(PROVIDERS[v])) {
                Norms.blockedBatchNorm(b, lay.segments(), lay.count(), x, lay.off(), res, lay.off(), lay.segStride(),
                        lanes[0], lanes[1], lanes[2], lanes[3], first, relu, y[v], lay.off());
                Norms.blockedBatchNormBackward(b, lay.segments(), lay.count(), dy, x, lay.off(), lay.segStride(),
                        lanes[0], lanes[1], lanes[4], lanes[5], lanes[6], first, batchStats, dx[v]);
            }
        }
        assertArrayEquals(y[0], y[1], 0f, "forward " + lay);
        assertArrayEquals(dx[0], dx[1], 0f, "backward " + lay);
        NormKernels plane = Providers.scalar().norms();
        for (int l = 0; l < b; l++) {
            float[] xs = lay.run(x, l);
            float[] want = new float[xs.length];
            int i = first + l;
            plane.batchNorm(xs, res == null ? null : lay.run(res, l), 0, 0, lanes[0][i], lanes[1][i], lanes[2][i],
                    lanes[3][i], relu, want, 0, xs.length);
            assertArrayEquals(want, lay.run(y[0], l), 0f, "forward lane " + l);
            plane.batchNormBackward(lay.run(dy, l), xs, 0, lanes[0][i], lanes[1][i], lanes[4][i], lanes[5][i],
                    lanes[6][i], batchStats, want, 0, xs.length);
            assertArrayEquals(want, lay.run(dx[0], l), 0f, "backward lane " + l);
        }
    }

    @Test
    void badLayoutsAreRefusedByName() {
        float[] a = new float[64];
        float[] lanes = new float[8];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Norms.blockedChannelSums(
                BlockedTerm.PLAIN, 8, 2, 4, a, null, 0, 40, null, null, 0, lanes));
        assertEquals("blockedSumBlocks: x needs 72 elements, but has 64", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Norms.blockedBatchNorm(8, 1, 2, a, 0, null, 0, 16,
                new float[4], lanes, lanes, lanes, 0, false, a, 0));
        assertEquals("blockedBatchNorm: mean needs 8 lanes from 0, but has 4", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Norms.blockedChannelSums(
                BlockedTerm.PLAIN, 8, 1, 4, a, null, 0, 32, null, null, 4, lanes));
        assertEquals("blockedChannelSums: out needs 8 lanes from 4, but has 8", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Norms.blockedSumBlocks(BlockedTerm.PLAIN, 8, 1, 4, a,
                null, 0, 32, null, null, 0, 0, 2, new float[16], 0));
        assertEquals("blockedSumBlocks: blocks [0, 2) outside the 1 of 1 x 4 terms", e.getMessage());
    }
}
