package dev.lanes.autograd;

import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.Arrays;
import java.util.Random;

/** Random small {@code conv2d} problems and a direct seven-loop reference to check them against. */
final class ConvCases {

    private ConvCases() {
    }

    /** One problem: sizes, hyperparameters and F64 values. */
    record Case(Tensor x, Tensor w, Tensor b, int[] stride, int[] padding, int[] dilation, int groups) {

        Tensor run() {
            return Ops.conv2d(x, w, b, stride, padding, dilation, groups);
        }

        @Override
        public String toString() {
            return "conv2d(x" + x.shape() + ", w" + w.shape() + ", b" + (b == null ? "=none" : b.shape())
                    + ", stride=" + Arrays.toString(stride) + ", padding=" + Arrays.toString(padding)
                    + ", dilation=" + Arrays.toString(dilation) + ", groups=" + groups + ")";
        }
    }

    /** A tiny random case: stride 1-3, padding 0-2, dilation 1-2, groups 1-3, odd and even sizes. */
    static Case random(Random r) {
        int groups = 1 + r.nextInt(3);
        int cg = 1 + r.nextInt(2);
        int og = 1 + r.nextInt(2);
        int kH = 1 + r.nextInt(3);
        int kW = 1 + r.nextInt(3);
        int[] s = {1 + r.nextInt(3), 1 + r.nextInt(3)};
        int[] p = {r.nextInt(3), r.nextInt(3)};
        int[] d = {1 + r.nextInt(2), 1 + r.nextInt(2)};
        int h = Math.max(1, d[0] * (kH - 1) + 1 - 2 * p[0]) + r.nextInt(4);
        int w = Math.max(1, d[1] * (kW - 1) + 1 - 2 * p[1]) + r.nextInt(4);
        int n = 1 + r.nextInt(2);
        Generator gen = new Generator(r.nextLong());
        Tensor x = Tensor.uniform(gen, DType.F64, -1, 1, n, cg * groups, h, w);
        Tensor wt = Tensor.uniform(gen, DType.F64, -1, 1, og * groups, cg, kH, kW);
        Tensor b = r.nextBoolean() ? Tensor.uniform(gen, DType.F64, -1, 1, og * groups) : null;
        return new Case(x, wt, b, s, p, d, groups);
    }

    /** {@code conv2d} by its definition, one output element at a time. */
    static double[] reference(Case c) {
        Tensor x = c.x();
        Tensor w = c.w();
        int n = x.size(0);
        int cIn = x.size(1);
        int h = x.size(2);
        int wd = x.size(3);
        int cOut = w.size(0);
        int cg = w.size(1);
        int kH = w.size(2);
        int kW = w.size(3);
        int og = cOut / c.groups();
        int hOut = (h + 2 * c.padding()[0] - c.dilation()[0] * (kH - 1) - 1) / c.stride()[0] + 1;
        int wOut = (wd + 2 * c.padding()[1] - c.dilation()[1] * (kW - 1) - 1) / c.stride()[1] + 1;
        double[] y = new double[n * cOut * hOut * wOut];
        int at = 0;
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < cOut; o++) {
                int grp = o / og;
                for (int oh = 0; oh < hOut; oh++) {
                    for (int ow = 0; ow < wOut; ow++) {
                        double s = c.b() == null ? 0 : c.b().getFlat(o);
                        for (int ci = 0; ci < cg; ci++) {
                            for (int i = 0; i < kH; i++) {
                                for (int j = 0; j < kW; j++) {
                                    int ih = oh * c.stride()[0] - c.padding()[0] + i * c.dilation()[0];
                                    int iw = ow * c.stride()[1] - c.padding()[1] + j * c.dilation()[1];
                                    if (ih >= 0 && ih < h && iw >= 0 && iw < wd) {
                                        s += x.get(b, grp * cg + ci, ih, iw) * w.get(o, ci, i, j);
                                    }
                                }
                            }
                        }
                        y[at++] = s;
                    }
                }
            }
        }
        assert cIn == cg * c.groups();
        return y;
    }
}
