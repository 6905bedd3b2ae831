package dev.lanes.kernel.internal;

/**
 * The columns matrix of a convolution, and its adjoint, for one image and one group. Row
 * {@code (c * kH + i) * kW + j} of {@code cols} holds, for every output position
 * ({@code l = hOut * wOut} columns), the input element under kernel tap {@code (i, j)} of
 * channel {@code c} (zero where it falls in the padding), so that the convolution of the group
 * is the product {@code W_g · cols}. Input planes are NCHW: channel {@code c} of the group
 * starts at {@code xOff + c * h * w}.
 *
 * <p>Bad ranges raise {@link IllegalArgumentException} naming the array and the range.
 */
public final class Im2Col {

    private Im2Col() {
    }

    /**
     * Writes rows {@code [rowStart, rowEnd)} of the columns matrix of the {@code cIn/groups}
     * channels starting at {@code xOff}, as a {@code (rowEnd - rowStart) x l} matrix from
     * {@code colsOff}; every element of that range is written.
     */
    public static void im2col(ConvGeometry g, float[] x, int xOff, int rowStart, int rowEnd, float[] cols,
                              int colsOff) {
        check(g, x.length, xOff, rowStart, rowEnd, cols.length, colsOff);
        fill(g, x, xOff, rowStart, rowEnd, cols, colsOff);
    }

    /** {@link #im2col(ConvGeometry, float[], int, int, int, float[], int)} in double precision. */
    public static void im2col(ConvGeometry g, double[] x, int xOff, int rowStart, int rowEnd, double[] cols,
                              int colsOff) {
        check(g, x.length, xOff, rowStart, rowEnd, cols.length, colsOff);
        fill(g, x, xOff, rowStart, rowEnd, cols, colsOff);
    }

    /**
     * The adjoint of {@link #im2col}: adds each element of the full {@code k x l} columns matrix
     * at {@code colsOff} to the input element it was taken from ({@code dx} from {@code dxOff});
     * padding taps are dropped.
     */
    public static void col2im(ConvGeometry g, float[] cols, int colsOff, float[] dx, int dxOff) {
        check(g, dx.length, dxOff, 0, g.k(), cols.length, colsOff);
        add(g, cols, colsOff, dx, dxOff);
    }

    /** {@link #col2im(ConvGeometry, float[], int, float[], int)} in double precision. */
    public static void col2im(ConvGeometry g, double[] cols, int colsOff, double[] dx, int dxOff) {
        check(g, dx.length, dxOff, 0, g.k(), cols.length, colsOff);
        add(g, cols, colsOff, dx, dxOff);
    }

    private static void check(ConvGeometry g, int xLength, int xOff, int rowStart, int rowEnd, int colsLength,
                              int colsOff) {
        long planes = (long) g.cg() * g.h() * g.w();
        if (xOff < 0 || xOff + planes > xLength) {
            throw new IllegalArgumentException("im2col: input range [" + xOff + ", " + (xOff + planes)
                    + ") is outside an array of " + xLength);
        }
        if (rowStart < 0 || rowEnd < rowStart || rowEnd > g.k()) {
            throw new IllegalArgumentException("im2col: rows [" + rowStart + ", " + rowEnd + ") outside [0, " + g.k()
                    + ")");
        }
        long size = (long) (rowEnd - rowStart) * g.l();
        if (colsOff < 0 || colsOff + size > colsLength) {
            throw new IllegalArgumentException("im2col: columns range [" + colsOff + ", " + (colsOff + size)
                    + ") is outside an array of " + colsLength);
        }
    }

    /** The first output column whose tap lands inside the input: {@code ceil((pad - off) / s)}, >= 0. */
    private static int first(int pad, int off, int s) {
        int t = pad - off;
        return t <= 0 ? 0 : (t + s - 1) / s;
    }

    /** One past the last output column whose tap lands inside an input of size {@code size}. */
    private static int last(int pad, int off, int s, int size, int outSize) {
        int t = size - 1 + pad - off;
        return t < 0 ? 0 : Math.min(outSize, t / s + 1);
    }

    private static void fill(ConvGeometry g, Object x, int xOff, int rowStart, int rowEnd, Object cols, int colsOff) {
        if (g.sH() == 1 && g.sW() == 1 && g.wOut() == g.w()) {
            fillSameWidth(g, x, xOff, rowStart, rowEnd, cols, colsOff);
            return;
        }
        int taps = g.kH() * g.kW();
        int h = g.h();
        int w = g.w();
        int hOut = g.hOut();
        int wOut = g.wOut();
        int sW = g.sW();
        for (int row = rowStart; row < rowEnd; row++) {
            int plane = xOff + row / taps * h * w;
            int offH = row / g.kW() % g.kH() * g.dH();
            int offW = row % g.kW() * g.dW();
            int lo = Math.min(wOut, first(g.pW(), offW, sW));
            int hi = Math.max(lo, last(g.pW(), offW, sW, w, wOut));
            for (int oh = 0; oh < hOut; oh++) {
                int dst = colsOff + ((row - rowStart) * hOut + oh) * wOut;
                int ih = oh * g.sH() - g.pH() + offH;
                if (ih < 0 || ih >= h) {
                    StridedMoves.zero(cols, dst, dst + wOut);
                    continue;
                }
                StridedMoves.zero(cols, dst, dst + lo);
                int src = plane + ih * w - g.pW() + offW;
                if (hi > lo) {
                    StridedMoves.copy(x, src + lo * sW, sW, cols, dst + lo, 1, hi - lo);
                }
                StridedMoves.zero(cols, dst + hi, dst + wOut);
            }
        }
    }

    private static void add(ConvGeometry g, Object cols, int colsOff, Object dx, int dxOff) {
        int row = 0;
        for (int c = 0; c < g.cg(); c++) {
            int plane = dxOff + c * g.h() * g.w();
            for (int i = 0; i < g.kH(); i++) {
                int offH = i * g.dH();
                for (int j = 0; j < g.kW(); j++, row++) {
                    int offW = j * g.dW();
                    int lo = Math.min(g.wOut(), first(g.pW(), offW, g.sW()));
                    int hi = last(g.pW(), offW, g.sW(), g.w(), g.wOut());
                    for (int oh = 0; oh < g.hOut(); oh++) {
                        int ih = oh * g.sH() - g.pH() + offH;
                        if (ih < 0 || ih >= g.h()) {
                            continue;
                        }
                        int src = colsOff + (row * g.hOut() + oh) * g.wOut();
                        int dst = plane + ih * g.w() - g.pW() + offW;
                        if (hi > lo) {
                            StridedMoves.addInto(cols, src + lo, dx, dst + lo * g.sW(), g.sW(), hi - lo);
                        }
                    }
                }
            }
        }
    }

    /**
     * Stride 1 with the output as wide as the input (e.g. 3x3 with padding 1): the rows of one
     * tap over consecutive output rows come from consecutive input rows, so the whole tap is one
     * copy, after which the few columns that fell into the padding are zeroed.
     */
    private static void fillSameWidth(ConvGeometry g, Object x, int xOff, int rowStart, int rowEnd, Object cols,
                                      int colsOff) {
        int taps = g.kH() * g.kW();
        int h = g.h();
        int w = g.w();
        int hOut = g.hOut();
        int l = g.l();
        for (int row = rowStart; row < rowEnd; row++) {
            int plane = xOff + row / taps * h * w;
            int offH = row / g.kW() % g.kH() * g.dH();
            int offW = row % g.kW() * g.dW();
            int lo = Math.min(w, first(g.pW(), offW, 1));
            int hi = Math.max(lo, last(g.pW(), offW, 1, w, w));
            int base = colsOff + (row - rowStart) * l;
            int oh0 = Math.min(hOut, Math.max(0, g.pH() - offH));
            int oh1 = Math.max(oh0, Math.min(hOut, h + g.pH() - offH));
            StridedMoves.zero(cols, base, base + oh0 * w);
            StridedMoves.zero(cols, base + oh1 * w, base + l);
            if (oh1 > oh0 && hi > lo) {
                int src = plane + (oh0 - g.pH() + offH) * w - g.pW() + offW;
                int from = base + oh0 * w + lo;
                int to = base + (oh1 - 1) * w + hi;
                System.arraycopy(x, src + lo, cols, from, to - from);
            }
            for (int oh = oh0; oh < oh1; oh++) {
                int dst = base + oh * w;
                StridedMoves.zero(cols, dst, dst + lo);
                StridedMoves.zero(cols, dst + hi, dst + w);
            }
        }
    }

}
