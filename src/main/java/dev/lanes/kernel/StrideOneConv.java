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
