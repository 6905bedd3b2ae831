package dev.lanes.kernel.internal;

import dev.lanes.kernel.Blas;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The input gradient of a strided convolution (dilation 1) for one image and one group, split by
 * output phase instead of scattered back through col2im. With strides {@code (sH, sW)}, input
 * row {@code y} receives gradient only from the kernel rows {@code i} congruent to
 * {@code y + pH} modulo {@code sH}: writing {@code y + pH = sH Y + a}, kernel row
 * {@code a + sH t} meets output row {@code Y - t}. So the input positions of one phase
 * {@code (a, b)} form a plane that is a stride-1 convolution of {@code dY} with a small flipped
 * sub-kernel, {@code dX[sH Y + a - pH][sW X + b - pW] = sum over co, u < Ta, v < Tb of
 * W[co][ci][a + sH (Ta - 1 - u)][b + sW (Tb - 1 - v)] dY[co][Y - Ta + 1 + u][X - Tb + 1 + v]},
 * with {@code Ta = ceil((kH - a) / sH)} taps (likewise {@code Tb}). Each phase runs as one
 * {@link Blas#sgemmGatherB} over a zero-padded copy of {@code dY}, made once for all phases,
 * whose rows are computed {@code Wq} wide and trimmed, as in {@link GatheredConv}; the phase's
 * results are then written to their places in {@code dX}. Phases partition the input positions,
 * so each element of {@code dX} is one FMA chain in (output channel, tap) order. Positions of a
 * phase without kernel taps (a 1x1 kernel with stride 2 reaches one phase in four) are left as
 * they are, zero in a fresh gradient.
 *
 * <p>For the 3x3 stride-2 convolutions of a ResNet this spares the GEMM into a {@code k x l}
 * columns matrix and the col2im scatter that reads it back.
 */
public final class PhaseInputGradient {

    /** One phase {@code (a, b)}: its taps and the rows and columns of its plane inside dX. */
    private record Phase(int a, int b, int ta, int tb, int yMin, int yMax, int xMin, int xMax, int[] taps,
                         int weightOffset) {

        /** @return the k of the phase's product: {@code og Ta Tb} */
        int k() {
            return taps.length;
        }
    }

    private final ConvGeometry g;
    private final Phase[] phases;
    /** Padding of the dY copy: rows above and below, columns left and right. */
    private final int top;
    private final int bottom;
    private final int left;
    private final int right;
    private final int hp;
    private final int wq;
    private final int weightSize;
    private final int outputSize;

    private PhaseInputGradient(ConvGeometry g) {
        this.g = g;
        int maxTa = 0;
        int maxTb = 0;
        int below = 0;
        int beyond = 0;
        List<int[]> found = new ArrayList<>();
        for (int a = 0; a < g.sH(); a++) {
            for (int b = 0; b < g.sW(); b++) {
                int ta = taps(g.kH(), a, g.sH());
                int tb = taps(g.kW(), b, g.sW());
                int yMin = Math.max(0, Math.ceilDiv(g.pH() - a, g.sH()));
                int yMax = Math.floorDiv(g.h() - 1 + g.pH() - a, g.sH());
                int xMin = Math.max(0, Math.ceilDiv(g.pW() - b, g.sW()));
                int xMax = Math.floorDiv(g.w() - 1 + g.pW() - b, g.sW());
                if (ta == 0 || tb == 0 || yMin > yMax || xMin > xMax) {
                    continue;
                }
                maxTa = Math.max(maxTa, ta);
                maxTb = Math.max(maxTb, tb);
                below = Math.max(below, yMax - (g.hOut() - 1));
                beyond = Math.max(beyond, xMax - (g.wOut() - 1));
                found.add(new int[] {a, b, ta, tb, yMin, yMax, xMin, xMax});
            }
        }
        this.top = Math.max(0, maxTa - 1);
        this.left = Math.max(0, maxTb - 1);
        this.bottom = Math.max(0, below);
        this.right = Math.max(0, beyond);
        this.hp = top + g.hOut() + bottom;
        this.wq = left + g.wOut() + right;
        int plane = hp * wq;
        this.phases = new Phase[found.size()];
        int weights = 0;
        int output = 0;
        for (int p = 0; p < phases.length; p++) {
            int[] f = found.get(p);
            int ta = f[2];
            int tb = f[3];
            int[] taps = new int[g.og() * ta * tb];
            for (int co = 0, t = 0; co < g.og(); co++) {
                for (int u = 0; u < ta; u++) {
                    for (int v = 0; v < tb; v++) {
                        taps[t++] = co * plane + (top - ta + 1 + u) * wq + (left - tb + 1 + v);
                    }
                }
            }
            phases[p] = new Phase(f[0], f[1], ta, tb, f[4], f[5], f[6], f[7], taps, weights);
            weights += g.cg() * taps.length;
            output = Math.max(output, g.cg() * (f[5] - f[4] + 1) * wq);
        }
        this.weightSize = weights;
        this.outputSize = output;
    }

    /** @return the kernel rows {@code a, a + s, ...} below {@code k}: {@code ceil((k - a) / s)} */
    private static int taps(int k, int a, int s) {
        return a < k ? (k - a + s - 1) / s : 0;
    }

    /** @return whether {@code g} is strided (some stride above 1) with dilation 1 */
    public static boolean supports(ConvGeometry g) {
        return (g.sH() > 1 || g.sW() > 1) && g.dH() == 1 && g.dW() == 1;
    }

    private static final GeometryCache<PhaseInputGradient> PLANS = new GeometryCache<>(PhaseInputGradient::new);

    /**
     * @return the plan for {@code g} (immutable, shared by every call with that geometry)
     * @throws IllegalArgumentException when {@link #supports} is false
     */
    public static PhaseInputGradient of(ConvGeometry g) {
        if (!supports(g)) {
            throw new IllegalArgumentException("PhaseInputGradient: needs a stride above 1 and dilation 1, got stride "
                    + g.sH() + "x" + g.sW() + ", dilation " + g.dH() + "x" + g.dW());
        }
        return PLANS.get(g);
    }

    /** @return floats of the phases' sub-kernels of one group ({@link #packWeights}) */
    public int weightSize() {
        return weightSize;
    }

    /** @return floats of the padded copy of one image's {@code dY} for one group */
    public int paddedSize() {
        return g.og() * hp * wq + wq + GatheredConv.SLACK;
    }

    /** @return floats of the scratch that receives one phase's plane */
    public int outputSize() {
        return outputSize;
    }

    /**
     * Rearranges one group's weights ({@code og x cg x kH x kW} from {@code wOff}) into the
     * phases' flipped sub-kernels, each {@code cg} rows of {@code og Ta Tb}.
     */
    public void packWeights(float[] w, int wOff, float[] packed) {
        int kH = g.kH();
        int kW = g.kW();
        if (packed.length < weightSize || wOff < 0 || (long) wOff + (long) g.og() * g.k() > w.length) {
            throw new IllegalArgumentException("PhaseInputGradient.packWeights: packed " + packed.length + " (need "
                    + weightSize + "), weights from " + wOff + " of " + g.og() * g.k() + " in " + w.length);
        }
        for (Phase p : phases) {
            int k = p.k();
            for (int ci = 0; ci < g.cg(); ci++) {
                int row = p.weightOffset() + ci * k;
                for (int co = 0, t = 0; co < g.og(); co++) {
                    for (int u = 0; u < p.ta(); u++) {
                        int i = p.a() + g.sH() * (p.ta() - 1 - u);
                        for (int v = 0; v < p.tb(); v++) {
                            int j = p.b() + g.sW() * (p.tb() - 1 - v);
                            packed[row + t++] = w[wOff + ((co * g.cg() + ci) * kH + i) * kW + j];
                        }
                    }
                }
            }
        }
    }

    /**
     * Writes the input gradient of one image and group: {@code dX} ({@code cg} planes of
     * {@code h x w} from {@code dxOff}) at every position of the phases that have kernel taps, from
     * {@code dY} ({@code og} planes of {@code hOut x wOut} from {@code dyOff}).
     *
     * @param packed  {@link #packWeights} of the group
     * @param padded  scratch of at least {@link #paddedSize} floats
     * @param out     scratch of at least {@link #outputSize} floats
     */
    public void run(float[] packed, float[] dy, int dyOff, float[] padded, float[] out, float[] dx, int dxOff) {
        int h = g.h();
        int w = g.w();
        if (packed.length < weightSize || padded.length < paddedSize() || out.length < outputSize) {
            throw new IllegalArgumentException("PhaseInputGradient.run: packed " + packed.length + " (need "
                    + weightSize + "), padded " + padded.length + " (need " + paddedSize() + "), out " + out.length
                    + " (need " + outputSize + ")");
        }
        if (dyOff < 0 || (long) dyOff + (long) g.og() * g.l() > dy.length || dxOff < 0
                || (long) dxOff + (long) g.cg() * h * w > dx.length) {
            throw new IllegalArgumentException("PhaseInputGradient.run: gradient from " + dyOff + " of "
                    + g.og() * g.l() + " in " + dy.length + ", input gradient from " + dxOff + " of " + g.cg() * h * w
                    + " in " + dx.length);
        }
        pad(dy, dyOff, padded);
        for (Phase p : phases) {
            if (p.k() == 0) {
                continue;
            }
            int rows = p.yMax() - p.yMin() + 1;
            int n = rows * wq;
            GatherBlas.sgemmGatherB(g.cg(), n, p.k(), packed, p.weightOffset(), p.k(), padded, p.yMin() * wq, p.taps(), 0,
                    out, 0, n);
            for (int ci = 0; ci < g.cg(); ci++) {
                for (int yy = p.yMin(); yy <= p.yMax(); yy++) {
                    int src = ci * n + (yy - p.yMin()) * wq;
                    int dst = dxOff + (ci * h + g.sH() * yy + p.a() - g.pH()) * w + p.b() - g.pW();
                    for (int xx = p.xMin(); xx <= p.xMax(); xx++) {
                        dx[dst + g.sW() * xx] = out[src + xx];
                    }
                }
            }
        }
    }

    /** Copies {@code dY} into the middle of the padded planes; everything else becomes zero. */
    private void pad(float[] dy, int dyOff, float[] padded) {
        int hOut = g.hOut();
        int wOut = g.wOut();
        int plane = hp * wq;
        Arrays.fill(padded, 0, paddedSize(), 0f);
        for (int co = 0; co < g.og(); co++) {
            for (int r = 0; r < hOut; r++) {
                System.arraycopy(dy, dyOff + (co * hOut + r) * wOut, padded, co * plane + (top + r) * wq + left, wOut);
            }
        }
    }
}
