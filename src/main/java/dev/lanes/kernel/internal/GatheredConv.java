package dev.lanes.kernel.internal;

import dev.lanes.kernel.Blas;
import java.util.Arrays;

/**
 * A convolution of one image and one group without the columns matrix. The group's input planes
 * are copied once into a zero-padded buffer, split by stride phase: with strides {@code (sH, sW)}
 * each padded plane ({@code Hp = h + 2 pH} by {@code Wp = w + 2 pW}) becomes {@code sH sW}
 * phase planes of {@code Hq = ceil(Hp / sH)} by {@code Wq = ceil(Wp / sW)}, phase {@code (a, b)}
 * holding the padded elements at rows {@code a, a + sH, ...} and columns {@code b, b + sW, ...}
 * (stride 1 is the plain padded plane, whose rows share their padding when it is no wider than
 * the kernel's reach, see {@link #sharedPadding}). Output position {@code (y, x)} reads, for
 * kernel tap {@code (c, i, j)}, padded row {@code y sH + i dH} and column {@code x sW + j dW}:
 * in phase {@code ((i dH) mod sH, (j dW) mod sW)} that is row {@code y + (i dH) / sH} and
 * column {@code x + (j dW) / sW}. So for a fixed tap, the output rows computed {@code Wq} wide read one
 * contiguous run of the buffer as {@code y Wq + x} runs over them. {@link Blas#sgemmGatherB}
 * multiplies the weights by those runs (one table entry per tap); the {@code Wq - wOut} extra
 * columns of each output row are computed and dropped. Compared with im2col + GEMM this writes
 * the input once instead of {@code kH kW} times and packs nothing.
 *
 * <p>The weight gradient always uses that padded layout ({@link #pad}, {@link #weightTaps}).
 * The forward pass ({@link #run}, {@link #taps}) uses it too, except for the 3-wide layers with
 * one column of padding and stride 1 ({@link #rowEdges}), whose rows are stored unpadded and
 * whose padding columns are masked in the product instead.
 */
public final class GatheredConv {

    private GatheredConv() {
    }

    /** Zero floats after the padded planes, for whole-vector reads past the last column. */
    public static final int SLACK = 64;

    // The buffer sizes below use exact arithmetic: a geometry whose buffers do not fit in an
    // array throws ArithmeticException instead of returning a wrapped-around length.

    private static int paddedHeight(ConvGeometry g) {
        return Math.addExact(g.h(), Math.multiplyExact(2, g.pH()));
    }

    private static int paddedWidth(ConvGeometry g) {
        return Math.addExact(g.w(), Math.multiplyExact(2, g.pW()));
    }

    /** @return the rows of each phase plane, {@code ceil(Hp / sH)} */
    private static int phaseHeight(ConvGeometry g) {
        return Math.addExact(paddedHeight(g), g.sH() - 1) / g.sH();
    }

    /**
     * @return the columns of each phase plane, {@code ceil(Wp / sW)}, or {@code w + pW} when rows
     *         share their padding ({@link #sharedPadding}): the width of the wide output
     */
    private static int phaseWidth(ConvGeometry g) {
        if (sharedPadding(g)) {
            return Math.addExact(g.w(), g.pW());
        }
        return Math.addExact(paddedWidth(g), g.sW() - 1) / g.sW();
    }

    /**
     * Stride 1 with a horizontal padding no wider than the kernel's reach: each padded row then
     * stores only its left padding, and the reads past a row's last input column, at most
     * {@code pW} for the outputs kept, land in the next row's left padding, which is zero too.
     * The wide output then has {@code pW} extra columns per row instead of {@code 2 pW} (29
     * instead of 30 for a 28x28 plane and a 3x3 kernel; the vector tiles may still round both
     * widths of a small plane up to the same number of columns).
     */
    private static boolean sharedPadding(ConvGeometry g) {
        return g.sH() == 1 && g.sW() == 1 && g.pW() <= g.dW() * (g.kW() - 1);
    }

    private static int phasePlane(ConvGeometry g) {
        return Math.multiplyExact(phaseHeight(g), phaseWidth(g));
    }

    /**
     * Stride 1 with a kernel three columns wide, one column of padding each side and dilation 1
     * across (the 3x3 layers of a ResNet): the forward pass then stores each input plane with
     * its rows as they are ({@code w} wide, {@code pH} zero rows above and below, one copy per
     * plane) and lets {@link Blas#sgemmGatherBRowEdges} read the left and right padding as
     * zero by masking. The product's positions are the output's own, so it is written straight
     * into the output: no copy-out and no extra columns (28 of 812 at 28x28, 7 of 56 at 7x7).
     * The weight gradient keeps the padded layout, whose taps of a kernel row are adjacent runs.
     */
    private static boolean rowEdges(ConvGeometry g) {
        return g.sH() == 1 && g.sW() == 1 && g.kW() == 3 && g.pW() == 1 && g.dW() == 1;
    }

    /** @return floats of one input plane in the {@link #rowEdges} layout: {@code (h + 2 pH) x w} */
    private static int rowEdgePlane(ConvGeometry g) {
        return Math.multiplyExact(paddedHeight(g), g.w());
    }

    /**
     * @return floats of the forward pass's input buffer of one group ({@link #run}): the phase
     *         planes (or the row-edge planes), the slack the last taps read, and {@link #SLACK}
     *         more so that vector kernels can read the last column block of the product whole
     * @throws ArithmeticException when that size does not fit in an int
     */
    public static int paddedSize(ConvGeometry g) {
        if (rowEdges(g)) {
            // One float before the planes (the left tap of the first position) and one after.
            return Math.addExact(Math.multiplyExact(g.cg(), rowEdgePlane(g)), 2 + SLACK);
        }
        return weightPaddedSize(g);
    }

    /**
     * @return floats of the weight gradient's padded-input buffer of one group ({@link #pad}):
     *         the phase planes, the slack the last taps read, and {@link #SLACK} more
     * @throws ArithmeticException when that size does not fit in an int
     */
    public static int weightPaddedSize(ConvGeometry g) {
        int planes = Math.multiplyExact(Math.multiplyExact(Math.multiplyExact(g.cg(), g.sH()), g.sW()), phasePlane(g));
        return Math.addExact(planes, Math.addExact(Math.multiplyExact(g.dW(), g.kW() - 1), SLACK));
    }

    /**
     * @return floats of the forward pass's output buffer of one group, {@code og} rows of its
     *         product: enough for {@link #run} with or without {@code accumulate}
     */
    public static int wideOutputSize(ConvGeometry g) {
        return wideOutputSize(g, true);
    }

    /**
     * @return floats of the output buffer {@link #run} needs with this {@code accumulate}: none
     *         when the product is written straight into the output ({@link #rowEdges} layers
     *         that do not accumulate)
     * @throws ArithmeticException when that size does not fit in an int
     */
    public static int wideOutputSize(ConvGeometry g, boolean accumulate) {
        if (rowEdges(g)) {
            return accumulate ? Math.multiplyExact(g.og(), Math.multiplyExact(g.hOut(), g.wOut())) : 0;
        }
        return Math.multiplyExact(g.og(), widePositions(g));
    }

    /**
     * @return the positions of the weight gradient's wide layout, {@code hOut x Wq}: the k of
     *         its product ({@link #wideTransposed}, {@link #weightGradient})
     * @throws ArithmeticException when that number does not fit in an int
     */
    public static int widePositions(ConvGeometry g) {
        return Math.multiplyExact(g.hOut(), phaseWidth(g));
    }

    private static final GeometryCache<int[]> TAPS = new GeometryCache<>(GatheredConv::rowEdgeTaps);
    private static final GeometryCache<int[]> WEIGHT_TAPS = new GeometryCache<>(GatheredConv::paddedTaps);

    /**
     * @return the forward pass's row table of B ({@link #run}): the offset of each tap
     *         {@code (c, i, j)} in its input buffer; shared, not to be modified
     */
    public static int[] taps(ConvGeometry g) {
        return rowEdges(g) ? TAPS.get(g) : weightTaps(g);
    }

    private static int[] rowEdgeTaps(ConvGeometry g) {
        int plane = rowEdgePlane(g);
        int[] taps = new int[g.k()];
        int p = 0;
        for (int c = 0; c < g.cg(); c++) {
            for (int i = 0; i < g.kH(); i++) {
                for (int j = 0; j < 3; j++) {
                    // Output (y, x) reads stored row y + i dH, column x + j - 1, after the leading float.
                    taps[p++] = 1 + c * plane + i * g.dH() * g.w() + j - 1;
                }
            }
        }
        return taps;
    }

    /**
     * @return the weight gradient's row table of A ({@link #weightGradient}): the offset of each
     *         tap {@code (c, i, j)} in the padded buffer of {@link #pad}; shared, not to be modified
     */
    public static int[] weightTaps(ConvGeometry g) {
        return WEIGHT_TAPS.get(g);
    }

    private static int[] paddedTaps(ConvGeometry g) {
        int wq = phaseWidth(g);
        int plane = phasePlane(g);
        int[] taps = new int[g.k()];
        int p = 0;
        for (int c = 0; c < g.cg(); c++) {
            for (int i = 0; i < g.kH(); i++) {
                int row = i * g.dH();
                for (int j = 0; j < g.kW(); j++) {
                    int col = j * g.dW();
                    int phase = (c * g.sH() + row % g.sH()) * g.sW() + col % g.sW();
                    taps[p++] = phase * plane + row / g.sH() * wq + col / g.sW();
                }
            }
        }
        return taps;
    }

    /**
     * {@code y = W_g * x_g} for one group: {@code y[yOff..]} receives {@code og} planes of
     * {@code hOut x wOut}.
     *
     * @param g       the geometry
     * @param w       the group's weights, {@code og x k} row-major from {@code wOff}
     * @param x       input planes of the group from {@code xOff} ({@code cg x h x w})
     * @param taps    {@link #taps(ConvGeometry)} of {@code g}
     * @param padded  scratch of at least {@link #paddedSize} floats
     * @param wide    scratch of at least {@link #wideOutputSize(ConvGeometry, boolean)} floats (none
     *                for the layers whose product is the output)
     * @throws IllegalArgumentException when a range or scratch buffer is too small
     */
    public static void run(ConvGeometry g, float[] w, int wOff, float[] x, int xOff, int[] taps, float[] padded,
                           float[] wide, float[] y, int yOff) {
        run(g, w, wOff, x, xOff, taps, padded, wide, y, yOff, false);
    }

    /**
     * {@link #run}, or with {@code accumulate} {@code y += W_g * x_g}: each output element
     * becomes {@code y + (its whole dot product)}, one addition, the bits of adding the plain
     * result to {@code y} afterwards.
     */
    public static void run(ConvGeometry g, float[] w, int wOff, float[] x, int xOff, int[] taps, float[] padded,
                           float[] wide, float[] y, int yOff, boolean accumulate) {
        int plane = g.h() * g.w();
        if (taps.length != g.k() || padded.length < paddedSize(g) || wide.length < wideOutputSize(g, accumulate)) {
            throw new IllegalArgumentException("GatheredConv: taps " + taps.length + " (need " + g.k()
                    + "), padded " + padded.length + " (need " + paddedSize(g) + "), wide " + wide.length
                    + " (need " + wideOutputSize(g, accumulate) + ")");
        }
        if (xOff < 0 || (long) xOff + (long) g.cg() * plane > x.length) {
            throw new IllegalArgumentException("GatheredConv: input range from " + xOff + " of " + g.cg() * plane
                    + " is outside an array of " + x.length);
        }
        if (yOff < 0 || (long) yOff + (long) g.og() * g.l() > y.length) {
            throw new IllegalArgumentException("GatheredConv: output range from " + yOff + " of " + g.og() * g.l()
                    + " is outside an array of " + y.length);
        }
        if (rowEdges(g)) {
            storeRows(g, x, xOff, padded);
            int l = g.l();
            if (!accumulate) {
                GatherBlas.sgemmGatherBRowEdges(g.og(), l, g.k(), w, wOff, g.k(), padded, 0, taps, 0, g.w(), y, yOff, l);
                return;
            }
            GatherBlas.sgemmGatherBRowEdges(g.og(), l, g.k(), w, wOff, g.k(), padded, 0, taps, 0, g.w(), wide, 0, l);
            for (int i = 0; i < g.og() * l; i++) {
                y[yOff + i] += wide[i];
            }
            return;
        }
        int wq = phaseWidth(g);
        fill(g, x, xOff, padded);
        int n = widePositions(g);
        GatherBlas.sgemmGatherB(g.og(), n, g.k(), w, wOff, g.k(), padded, 0, taps, 0, wide, 0, n);
        for (int co = 0; co < g.og(); co++) {
            for (int oy = 0; oy < g.hOut(); oy++) {
                int src = co * n + oy * wq;
                int dst = yOff + (co * g.hOut() + oy) * g.wOut();
                if (accumulate) {
                    for (int i = 0; i < g.wOut(); i++) {
                        y[dst + i] += wide[src + i];
                    }
                } else {
                    System.arraycopy(wide, src, y, dst, g.wOut());
                }
            }
        }
    }

    /**
     * The {@link #rowEdges} layout: a zero float, then each input plane after {@code pH} zero
     * rows and before {@code pH} more, then zeros to the end of {@link #paddedSize}.
     */
    private static void storeRows(ConvGeometry g, float[] x, int xOff, float[] padded) {
        int plane = rowEdgePlane(g);
        int top = g.pH() * g.w();
        int size = g.h() * g.w();
        padded[0] = 0f;
        for (int c = 0; c < g.cg(); c++) {
            int base = 1 + c * plane;
            Arrays.fill(padded, base, base + top, 0f);
            System.arraycopy(x, xOff + c * size, padded, base + top, size);
            Arrays.fill(padded, base + top + size, base + plane, 0f);
        }
        Arrays.fill(padded, 1 + g.cg() * plane, paddedSize(g), 0f);
    }

    /**
     * Copies the group's input planes from {@code xOff} into {@code padded} (at least
     * {@link #weightPaddedSize} floats) in the weight gradient's layout, split by stride phase;
     * borders, the phase planes' rounding and the slack become zero.
     */
    public static void pad(ConvGeometry g, float[] x, int xOff, float[] padded) {
        if (padded.length < weightPaddedSize(g) || xOff < 0
                || (long) xOff + (long) g.cg() * g.h() * g.w() > x.length) {
            throw new IllegalArgumentException("GatheredConv.pad: padded " + padded.length + " (need "
                    + weightPaddedSize(g) + "), input from " + xOff + " of " + g.cg() * g.h() * g.w() + " in " + x.length);
        }
        fill(g, x, xOff, padded);
    }

    /**
     * Writes the group's output gradient ({@code og} planes of {@code hOut x wOut} from
     * {@code dyOff}) as a {@code widePositions x og} matrix: position {@code y Wq + x} by
     * channel, zero in the {@code Wq - wOut} extra columns of each row.
     */
    public static void wideTransposed(ConvGeometry g, float[] dy, int dyOff, float[] out) {
        int wq = phaseWidth(g);
        int og = g.og();
        if (out.length < widePositions(g) * og || dyOff < 0 || (long) dyOff + (long) og * g.l() > dy.length) {
            throw new IllegalArgumentException("GatheredConv.wideTransposed: out " + out.length + " (need "
                    + widePositions(g) * og + "), gradient from " + dyOff + " of " + og * g.l() + " in " + dy.length);
        }
        // Channel by position, one output row per position, with the Wq - wOut positions after
        // each image row skipped and then zeroed.
        if (g.l() > 0) {
            GatherBlas.stranspose(og, g.l(), dy, dyOff, g.l(), g.wOut(), wq - g.wOut(), out, 0, og);
        }
        for (int y = 0; y < g.hOut(); y++) {
            Arrays.fill(out, (y * wq + g.wOut()) * og, (y + 1) * wq * og, 0f);
        }
    }

    /**
     * The weight gradient of rows {@code [r0, r1)} of {@code W_g^T} for one image:
     * {@code dWt[r][co] (+)= sum_q padded[taps[r] + q] * wide[q][co]} over the wide positions,
     * through {@link Blas#sgemmGatherA} (the extra columns carry zero gradient). {@code dWt} is
     * {@code k x og} from {@code dwtOff}, row {@code r} at {@code dwtOff + r * og}.
     */
    public static void weightGradient(ConvGeometry g, float[] padded, int[] taps, float[] wide, int r0, int r1,
                                      boolean accumulate, float[] dwt, int dwtOff) {
        GatherBlas.sgemmGatherA(r1 - r0, g.og(), widePositions(g), padded, 0, taps, r0, wide, 0, g.og(), accumulate, dwt,
                dwtOff + r0 * g.og(), g.og());
    }

    private static void fill(ConvGeometry g, float[] x, int xOff, float[] padded) {
        if (g.sH() == 1 && g.sW() == 1) {
            padRows(g, x, xOff, padded);
        } else {
            Arrays.fill(padded, 0, weightPaddedSize(g), 0f);
            scatterPhases(g, x, xOff, padded);
        }
    }

    /**
     * Stride 1: copies the input rows into the padded planes (rows {@link #phaseWidth} wide, the
     * input after the left padding), zeroing around them.
     */
    private static void padRows(ConvGeometry g, float[] x, int xOff, float[] padded) {
        int h = g.h();
        int w = g.w();
        int hp = paddedHeight(g);
        int wp = phaseWidth(g);
        for (int c = 0; c < g.cg(); c++) {
            int base = c * hp * wp;
            Arrays.fill(padded, base, base + g.pH() * wp + g.pW(), 0f);
            for (int r = 0; r < h; r++) {
                int dst = base + (r + g.pH()) * wp + g.pW();
                System.arraycopy(x, xOff + (c * h + r) * w, padded, dst, w);
                // The right border of this row (if stored) and the left border of the next are adjacent.
                int next = r + 1 < h ? dst + wp : base + hp * wp;
                Arrays.fill(padded, dst + w, next, 0f);
            }
            if (h == 0) {
                Arrays.fill(padded, base, base + hp * wp, 0f);
            }
        }
        int end = g.cg() * hp * wp;
        Arrays.fill(padded, end, end + g.dW() * (g.kW() - 1) + SLACK, 0f);
    }

    /**
     * Larger strides: each input row goes to its row phase, its columns dealt out to the column
     * phases (the buffer is zero already). Padded column {@code pc} lands in phase
     * {@code pc mod sW} at {@code pc / sW}; walking one phase's columns steps both by one.
     */
    private static void scatterPhases(ConvGeometry g, float[] x, int xOff, float[] padded) {
        int sH = g.sH();
        int sW = g.sW();
        int wq = phaseWidth(g);
        int plane = phasePlane(g);
        int w = g.w();
        for (int c = 0; c < g.cg(); c++) {
            for (int r = 0; r < g.h(); r++) {
                int pr = r + g.pH();
                int rowBase = (c * sH + pr % sH) * sW * plane + pr / sH * wq;
                int src = xOff + (c * g.h() + r) * w;
                if (sW == 2) {
                    deal2(x, src, w, padded, rowBase, plane, g.pW());
                    continue;
                }
                for (int b = 0; b < sW; b++) {
                    // The first input column whose padded column is in phase b.
                    int col = Math.floorMod(b - g.pW(), sW);
                    int dst = rowBase + b * plane + (col + g.pW()) / sW;
                    for (; col < w; col += sW, dst++) {
                        padded[dst] = x[src + col];
                    }
                }
            }
        }
    }

    /**
     * Column stride 2, the common case: one sequential pass over the input row, even and odd
     * columns alternately to their two phases, instead of one strided pass per phase (which
     * reads each input row twice). Input column {@code 2i} is padded column {@code 2i + pW}:
     * phase {@code pW mod 2}, index {@code i + pW / 2}; column {@code 2i + 1} goes to the other
     * phase at {@code i + (pW + 1) / 2}.
     */
    private static void deal2(float[] x, int src, int w, float[] padded, int rowBase, int plane, int pW) {
        int even = rowBase + (pW & 1) * plane + (pW >> 1);
        int odd = rowBase + (1 - (pW & 1)) * plane + ((pW + 1) >> 1);
        int i = 0;
        for (; 2 * i + 1 < w; i++) {
            padded[even + i] = x[src + 2 * i];
            padded[odd + i] = x[src + 2 * i + 1];
        }
        if (2 * i < w) {
            padded[even + i] = x[src + 2 * i];
        }
    }
}
