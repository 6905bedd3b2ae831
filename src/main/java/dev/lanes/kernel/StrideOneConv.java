package dev.lanes.kernel;

import java.util.Arrays;

/**
 * A stride-1 convolution of one image and one group without the columns matrix. The group's
 * input planes are copied once into a zero-padded buffer ({@code Hp = h + 2 pH} rows of
 * {@code Wp = w + 2 pW}); output position {@code (y, x)} then reads, for kernel tap
 * {@code (c, i, j)}, the padded element at {@code c Hp Wp + (y + i dH) Wp + x + j dW}: for a
 * fixed tap that is one contiguous run of the buffer as {@code y Wp + x} runs over the output
 * rows computed {@code Wp} wide. {@link Blas#sgemmGatherB} multiplies the weights by those runs
 * (one table entry per tap); the {@code Wp - wOut} extra columns of each output row are
 * computed and dropped. Compared with im2col + GEMM this writes the input once instead of
 * {@code kH kW} times and packs nothing.
 */
public final class StrideOneConv {

    private StrideOneConv() {
    }

    /** @return whether {@code g} has stride 1 in both directions */
    public static boolean applies(ConvGeometry g) {
        return g.sH() == 1 && g.sW() == 1;
    }

    private static int paddedHeight(ConvGeometry g) {
        return g.h() + 2 * g.pH();
    }

    private static int paddedWidth(ConvGeometry g) {
        return g.w() + 2 * g.pW();
    }

    /**
     * @return floats of the padded-input buffer of one group: the planes, the slack the last
     *         taps read, and {@link #SLACK} more so that vector kernels can read the last
     *         column block of the product whole
     */
    public static int paddedSize(ConvGeometry g) {
        return g.cg() * paddedHeight(g) * paddedWidth(g) + g.dW() * (g.kW() - 1) + SLACK;
    }

    /** Zero floats after the padded planes, for whole-vector reads past the last column. */
    public static final int SLACK = 64;

    /** @return floats of the wide output buffer of one group: {@code og x hOut x Wp} */
    public static int wideOutputSize(ConvGeometry g) {
        return g.og() * g.hOut() * paddedWidth(g);
    }

    /** @return the row table of B: the offset of each tap {@code (c, i, j)} in the padded buffer */
    public static int[] taps(ConvGeometry g) {
        requireStrideOne(g);
        int hp = paddedHeight(g);
        int wp = paddedWidth(g);
        int[] taps = new int[g.k()];
        int p = 0;
        for (int c = 0; c < g.cg(); c++) {
            for (int i = 0; i < g.kH(); i++) {
                for (int j = 0; j < g.kW(); j++) {
                    taps[p++] = (c * hp + i * g.dH()) * wp + j * g.dW();
                }
            }
        }
        return taps;
    }

    private static void requireStrideOne(ConvGeometry g) {
        if (!applies(g)) {
            throw new IllegalArgumentException("StrideOneConv: stride must be 1, got " + g.sH() + "x" + g.sW());
        }
    }

    /**
     * {@code y = W_g * x_g} for one group: {@code y[yOff..]} receives {@code og} planes of
     * {@code hOut x wOut}.
     *
     * @param g       the geometry (stride 1)
     * @param w       the group's weights, {@code og x k} row-major from {@code wOff}
     * @param x       input planes of the group from {@code xOff} ({@code cg x h x w})
     * @param taps    {@link #taps(ConvGeometry)} of {@code g}
     * @param padded  scratch of at least {@link #paddedSize} floats
     * @param wide    scratch of at least {@link #wideOutputSize} floats
     * @throws IllegalArgumentException when a range or scratch buffer is too small, or the
     *                                  stride is not 1
     */
    public static void run(ConvGeometry g, float[] w, int wOff, float[] x, int xOff, int[] taps, float[] padded,
                           float[] wide, float[] y, int yOff) {
        requireStrideOne(g);
        int hp = paddedHeight(g);
        int wp = paddedWidth(g);
        int plane = g.h() * g.w();
        if (taps.length != g.k() || padded.length < paddedSize(g) || wide.length < wideOutputSize(g)) {
            throw new IllegalArgumentException("StrideOneConv: taps " + taps.length + " (need " + g.k()
                    + "), padded " + padded.length + " (need " + paddedSize(g) + "), wide " + wide.length
                    + " (need " + wideOutputSize(g) + ")");
        }
        if (xOff < 0 || (long) xOff + (long) g.cg() * plane > x.length) {
            throw new IllegalArgumentException("StrideOneConv: input range from " + xOff + " of " + g.cg() * plane
                    + " is outside an array of " + x.length);
        }
        if (yOff < 0 || (long) yOff + (long) g.og() * g.l() > y.length) {
            throw new IllegalArgumentException("StrideOneConv: output range from " + yOff + " of " + g.og() * g.l()
                    + " is outside an array of " + y.length);
        }
        pad(g, x, xOff, padded, hp, wp);
        int n = g.hOut() * wp;
        Blas.sgemmGatherB(g.og(), n, g.k(), w, wOff, g.k(), padded, 0, taps, 0, wide, 0, n);
        for (int co = 0; co < g.og(); co++) {
            for (int oy = 0; oy < g.hOut(); oy++) {
                System.arraycopy(wide, co * n + oy * wp, y, yOff + (co * g.hOut() + oy) * g.wOut(), g.wOut());
            }
        }
    }

    /**
     * Copies the group's input planes from {@code xOff} into the middle of {@code padded}
     * (at least {@link #paddedSize} floats); borders and slack become zero.
     */
    public static void pad(ConvGeometry g, float[] x, int xOff, float[] padded) {
        requireStrideOne(g);
        if (padded.length < paddedSize(g) || xOff < 0 || (long) xOff + (long) g.cg() * g.h() * g.w() > x.length) {
            throw new IllegalArgumentException("StrideOneConv.pad: padded " + padded.length + " (need "
                    + paddedSize(g) + "), input from " + xOff + " of " + g.cg() * g.h() * g.w() + " in " + x.length);
        }
        pad(g, x, xOff, padded, paddedHeight(g), paddedWidth(g));
    }

    /** @return the positions of the wide output, {@code hOut x Wp}: the k of the weight-gradient product */
    public static int widePositions(ConvGeometry g) {
        return g.hOut() * paddedWidth(g);
    }

    /**
     * Writes the group's output gradient ({@code og} planes of {@code hOut x wOut} from
     * {@code dyOff}) as a {@code widePositions x og} matrix: position {@code y Wp + x} by
     * channel, zero in the {@code Wp - wOut} extra columns of each row.
     */
    public static void wideTransposed(ConvGeometry g, float[] dy, int dyOff, float[] out) {
        requireStrideOne(g);
        int wp = paddedWidth(g);
        int og = g.og();
        if (out.length < widePositions(g) * og || dyOff < 0 || (long) dyOff + (long) og * g.l() > dy.length) {
            throw new IllegalArgumentException("StrideOneConv.wideTransposed: out " + out.length + " (need "
                    + widePositions(g) * og + "), gradient from " + dyOff + " of " + og * g.l() + " in " + dy.length);
        }
        for (int y = 0; y < g.hOut(); y++) {
            Arrays.fill(out, (y * wp + g.wOut()) * og, (y + 1) * wp * og, 0f);
        }
        for (int co = 0; co < og; co++) {
            for (int y = 0; y < g.hOut(); y++) {
                int src = dyOff + (co * g.hOut() + y) * g.wOut();
                int dst = y * wp * og + co;
                for (int x = 0; x < g.wOut(); x++) {
                    out[dst + x * og] = dy[src + x];
                }
            }
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
        Blas.sgemmGatherA(r1 - r0, g.og(), widePositions(g), padded, 0, taps, r0, wide, 0, g.og(), accumulate, dwt,
                dwtOff + r0 * g.og(), g.og());
    }

    /** Copies the input planes into the middle of the padded buffer; borders and slack are zero. */
    private static void pad(ConvGeometry g, float[] x, int xOff, float[] padded, int hp, int wp) {
        int h = g.h();
        int w = g.w();
        for (int c = 0; c < g.cg(); c++) {
            int base = c * hp * wp;
            Arrays.fill(padded, base, base + g.pH() * wp + g.pW(), 0f);
            for (int r = 0; r < h; r++) {
                int dst = base + (r + g.pH()) * wp + g.pW();
                System.arraycopy(x, xOff + (c * h + r) * w, padded, dst, w);
                // The right border of this row and the left border of the next are adjacent.
                int next = r + 1 < h ? dst + w + 2 * g.pW() : base + hp * wp;
                Arrays.fill(padded, dst + w, next, 0f);
            }
            if (h == 0) {
                Arrays.fill(padded, base, base + hp * wp, 0f);
            }
        }
        int end = g.cg() * hp * wp;
        Arrays.fill(padded, end, end + g.dW() * (g.kW() - 1) + SLACK, 0f);
    }
}
