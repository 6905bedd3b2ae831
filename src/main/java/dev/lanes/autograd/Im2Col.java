package dev.lanes.autograd;

import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;

/**
 * The columns matrix of one image and one group of a convolution, and its adjoint. Row
 * {@code (c * kH + i) * kW + j} of {@code cols} holds, for every output position, the input
 * element under kernel tap {@code (i, j)} of channel {@code c} (zero where it falls in the
 * padding), so that the convolution is {@code W_g · cols}.
 */
final class Im2Col {

    private Im2Col() {
    }

    /**
     * Fills {@code cols[colsOff .. colsOff + k*l)} from the {@code cg} channels of {@code x} that start at
     * {@code xOff}; every element is written.
     */
    static void im2col(ConvGeometry g, Tensor x, int xOff, Tensor cols, int colsOff) {
        im2col(g, x, xOff, 0, g.k(), cols, colsOff);
    }

    /**
     * Rows {@code [rowStart, rowEnd)} of the columns matrix only, written from {@code colsOff}
     * as a {@code (rowEnd - rowStart) x l} matrix.
     */
    static void im2col(ConvGeometry g, Tensor x, int xOff, int rowStart, int rowEnd, Tensor cols, int colsOff) {
        if (x.dtype() == DType.F32) {
            im2col(g, x.f32(), xOff, rowStart, rowEnd, cols.f32(), colsOff);
        } else {
            im2col(g, x.f64(), xOff, rowStart, rowEnd, cols.f64(), colsOff);
        }
    }

    /**
     * The adjoint of {@link #im2col}: adds each element of {@code cols} to the input element it
     * was taken from ({@code cols} from {@code colsOff}, {@code dx} from {@code dxOff}); padding taps are dropped.
     */
    static void col2im(ConvGeometry g, Tensor cols, int colsOff, Tensor dx, int dxOff) {
        if (dx.dtype() == DType.F32) {
            col2im(g, cols.f32(), colsOff, dx.f32(), dxOff);
        } else {
            col2im(g, cols.f64(), colsOff, dx.f64(), dxOff);
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

    private static void im2col(ConvGeometry g, float[] x, int xOff, int rowStart, int rowEnd, float[] cols,
                               int colsOff) {
        int taps = g.kH() * g.kW();
        for (int row = rowStart; row < rowEnd; row++) {
            int plane = xOff + row / taps * g.h() * g.w();
            int offH = row / g.kW() % g.kH() * g.dH();
            int offW = row % g.kW() * g.dW();
            int lo = Math.min(g.wOut(), first(g.pW(), offW, g.sW()));
            int hi = Math.max(lo, last(g.pW(), offW, g.sW(), g.w(), g.wOut()));
            for (int oh = 0; oh < g.hOut(); oh++) {
                int dst = colsOff + ((row - rowStart) * g.hOut() + oh) * g.wOut();
                int ih = oh * g.sH() - g.pH() + offH;
                if (ih < 0 || ih >= g.h()) {
                    java.util.Arrays.fill(cols, dst, dst + g.wOut(), 0f);
                    continue;
                }
                java.util.Arrays.fill(cols, dst, dst + lo, 0f);
                int src = plane + ih * g.w() - g.pW() + offW;
                for (int ow = lo; ow < hi; ow++) {
                    cols[dst + ow] = x[src + ow * g.sW()];
                }
                java.util.Arrays.fill(cols, dst + hi, dst + g.wOut(), 0f);
            }
        }
    }

    private static void im2col(ConvGeometry g, double[] x, int xOff, int rowStart, int rowEnd, double[] cols,
                               int colsOff) {
        int taps = g.kH() * g.kW();
        for (int row = rowStart; row < rowEnd; row++) {
            int plane = xOff + row / taps * g.h() * g.w();
            int offH = row / g.kW() % g.kH() * g.dH();
            int offW = row % g.kW() * g.dW();
            int lo = Math.min(g.wOut(), first(g.pW(), offW, g.sW()));
            int hi = Math.max(lo, last(g.pW(), offW, g.sW(), g.w(), g.wOut()));
            for (int oh = 0; oh < g.hOut(); oh++) {
                int dst = colsOff + ((row - rowStart) * g.hOut() + oh) * g.wOut();
                int ih = oh * g.sH() - g.pH() + offH;
                if (ih < 0 || ih >= g.h()) {
                    java.util.Arrays.fill(cols, dst, dst + g.wOut(), 0d);
                    continue;
                }
                java.util.Arrays.fill(cols, dst, dst + lo, 0d);
                int src = plane + ih * g.w() - g.pW() + offW;
                for (int ow = lo; ow < hi; ow++) {
                    cols[dst + ow] = x[src + ow * g.sW()];
                }
                java.util.Arrays.fill(cols, dst + hi, dst + g.wOut(), 0d);
            }
        }
    }

    private static void col2im(ConvGeometry g, float[] cols, int colsOff, float[] dx, int dxOff) {
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
                        for (int ow = lo; ow < hi; ow++) {
                            dx[dst + ow * g.sW()] += cols[src + ow];
                        }
                    }
                }
            }
        }
    }

    private static void col2im(ConvGeometry g, double[] cols, int colsOff, double[] dx, int dxOff) {
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
                        for (int ow = lo; ow < hi; ow++) {
                            dx[dst + ow * g.sW()] += cols[src + ow];
                        }
                    }
                }
            }
        }
    }
}
