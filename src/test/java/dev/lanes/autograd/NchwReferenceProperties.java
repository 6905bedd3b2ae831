package dev.lanes.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lanes.tensor.Tensor;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Batch norm and the poolings equal naive reference implementations written here from PyTorch's
 * definitions: max pooling over an explicitly {@code -inf}-padded plane, average pooling over a
 * zero-padded plane with the divisor counted cell by cell, adaptive pooling with floating-point
 * floor and ceil, batch norm from its two-pass formula, with the unbiased running variance.
 */
class NchwReferenceProperties {

    private static final double TOL = 1e-12;

    private static double[][] padded(Tensor x, int b, int ch, int ph, int pw, double fill) {
        int h = x.size(2);
        int w = x.size(3);
        double[][] p = new double[h + 2 * ph][w + 2 * pw];
        for (double[] row : p) {
            java.util.Arrays.fill(row, fill);
        }
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
                p[i + ph][j + pw] = x.get(b, ch, i, j);
            }
        }
        return p;
    }

    private static void assertAllClose(double[] expected, Tensor actual, String what) {
        assertEquals(expected.length, actual.numel(), what + " size");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual.getFlat(i), TOL * (1 + Math.abs(expected[i])), what + " element " + i);
        }
    }

    @Property(tries = 50)
    void maxPoolEqualsReference(@ForAll long seed) {
        Random r = new Random(seed);
        int[] dims = {NchwCases.size(r), NchwCases.size(r), NchwCases.size(r) + 1, NchwCases.size(r) + 1};
        NchwCases.Window g = NchwCases.window(r, dims[2], dims[3], true);
        Tensor x = NchwCases.uniform(r, -2, 2, dims);
        Tensor y = Ops.maxPool2d(x, g.kernel(), g.stride(), g.padding(), g.dilation(), g.ceil());
        int oh = y.size(2);
        int ow = y.size(3);
        double[] expected = new double[y.numel()];
        int o = 0;
        for (int b = 0; b < dims[0]; b++) {
            for (int ch = 0; ch < dims[1]; ch++) {
                double[][] p = padded(x, b, ch, g.padding()[0], g.padding()[1], Double.NEGATIVE_INFINITY);
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double m = Double.NEGATIVE_INFINITY;
                        for (int a = 0; a < g.kernel()[0]; a++) {
                            for (int c = 0; c < g.kernel()[1]; c++) {
                                int pi = i * g.stride()[0] + a * g.dilation()[0];
                                int pj = j * g.stride()[1] + c * g.dilation()[1];
                                if (pi < p.length && pj < p[0].length) {
                                    m = Math.max(m, p[pi][pj]);
                                }
                            }
                        }
                        expected[o++] = m;
                    }
                }
            }
        }
        assertAllClose(expected, y, "maxPool2d " + x.shape());
    }

    @Property(tries = 50)
    void avgPoolEqualsReference(@ForAll long seed, @ForAll boolean includePad) {
        Random r = new Random(seed);
        int[] dims = {NchwCases.size(r), NchwCases.size(r), NchwCases.size(r) + 1, NchwCases.size(r) + 1};
        NchwCases.Window g = NchwCases.window(r, dims[2], dims[3], false);
        Tensor x = NchwCases.uniform(r, -2, 2, dims);
        Tensor y = Ops.avgPool2d(x, g.kernel(), g.stride(), g.padding(), g.ceil(), includePad);
        int[] pad = g.padding();
        double[] expected = new double[y.numel()];
        int o = 0;
        for (int b = 0; b < dims[0]; b++) {
            for (int ch = 0; ch < dims[1]; ch++) {
                double[][] p = padded(x, b, ch, pad[0], pad[1], 0);
                for (int i = 0; i < y.size(2); i++) {
                    for (int j = 0; j < y.size(3); j++) {
                        double s = 0;
                        int inPadded = 0;
                        int inInput = 0;
                        for (int a = 0; a < g.kernel()[0]; a++) {
                            for (int c = 0; c < g.kernel()[1]; c++) {
                                int pi = i * g.stride()[0] + a;
                                int pj = j * g.stride()[1] + c;
                                if (pi < p.length && pj < p[0].length) {
                                    s += p[pi][pj];
                                    inPadded++;
                                    if (pi >= pad[0] && pi < pad[0] + dims[2] && pj >= pad[1] && pj < pad[1] + dims[3]) {
                                        inInput++;
                                    }
                                }
                            }
                        }
                        expected[o++] = s / (includePad ? inPadded : inInput);
                    }
                }
            }
        }
        assertAllClose(expected, y, "avgPool2d " + x.shape());
    }

    @Property(tries = 50)
    void adaptiveAvgPoolEqualsReference(@ForAll long seed) {
        Random r = new Random(seed);
        int[] dims = {NchwCases.size(r), NchwCases.size(r), NchwCases.size(r) + 1, NchwCases.size(r) + 1};
        int[] out = {1 + r.nextInt(5), 1 + r.nextInt(5)};
        Tensor x = NchwCases.uniform(r, -2, 2, dims);
        Tensor y = Ops.adaptiveAvgPool2d(x, out);
        double[] expected = new double[y.numel()];
        int o = 0;
        for (int b = 0; b < dims[0]; b++) {
            for (int ch = 0; ch < dims[1]; ch++) {
                for (int i = 0; i < out[0]; i++) {
                    int r0 = (int) Math.floor((double) i * dims[2] / out[0]);
                    int r1 = (int) Math.ceil((double) (i + 1) * dims[2] / out[0]);
                    for (int j = 0; j < out[1]; j++) {
                        int c0 = (int) Math.floor((double) j * dims[3] / out[1]);
                        int c1 = (int) Math.ceil((double) (j + 1) * dims[3] / out[1]);
                        double s = 0;
                        for (int a = r0; a < r1; a++) {
                            for (int c = c0; c < c1; c++) {
                                s += x.get(b, ch, a, c);
                            }
                        }
                        expected[o++] = s / ((r1 - r0) * (c1 - c0));
                    }
                }
            }
        }
        assertAllClose(expected, y, "adaptiveAvgPool2d " + x.shape());
    }

    @Property(tries = 50)
    void batchNormEqualsReference(@ForAll long seed, @ForAll boolean training) {
        Random r = new Random(seed);
        int n = NchwCases.size(r) + 1;
        int c = NchwCases.size(r);
        int h = NchwCases.size(r);
        int w = NchwCases.size(r);
        Tensor x = NchwCases.uniform(r, -2, 2, n, c, h, w);
        Tensor weight = NchwCases.uniform(r, 0.5, 1.5, c);
        Tensor bias = NchwCases.uniform(r, -1, 1, c);
        Tensor rm = NchwCases.uniform(r, -0.5, 0.5, c);
        Tensor rv = NchwCases.uniform(r, 0.5, 2, c);
        double momentum = r.nextDouble();
        double eps = 1e-5;
        double[] rm0 = rm.toDoubleArray();
        double[] rv0 = rv.toDoubleArray();
        Tensor y = Ops.batchNorm(x, rm, rv, weight, bias, training, momentum, eps);
        int m = n * h * w;
        double[] expected = new double[y.numel()];
        for (int ch = 0; ch < c; ch++) {
            double mean = 0;
            double sq = 0;
            for (int b = 0; b < n; b++) {
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < w; j++) {
                        mean += x.get(b, ch, i, j) / m;
                    }
                }
            }
            for (int b = 0; b < n; b++) {
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < w; j++) {
                        double d = x.get(b, ch, i, j) - mean;
                        sq += d * d;
                    }
                }
            }
            double useMean = training ? mean : rm0[ch];
            double useVar = training ? sq / m : rv0[ch];
            for (int b = 0; b < n; b++) {
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < w; j++) {
                        expected[((b * c + ch) * h + i) * w + j] = (x.get(b, ch, i, j) - useMean)
                                / Math.sqrt(useVar + eps) * weight.getFlat(ch) + bias.getFlat(ch);
                    }
                }
            }
            double expMean = training ? (1 - momentum) * rm0[ch] + momentum * mean : rm0[ch];
            double expVar = training ? (1 - momentum) * rv0[ch] + momentum * sq / (m - 1) : rv0[ch];
            assertEquals(expMean, rm.getFlat(ch), TOL, "running_mean " + ch);
            assertEquals(expVar, rv.getFlat(ch), TOL, "running_var " + ch);
        }
        assertAllClose(expected, y, "batchNorm " + x.shape());
    }

    @Property(tries = 50)
    void maxPoolGradientWithTiesGoesToTheFirstMaximumInScanOrder(@ForAll long seed) {
        Random r = new Random(seed);
        int[] dims = {NchwCases.size(r), NchwCases.size(r), NchwCases.size(r) + 1, NchwCases.size(r) + 1};
        NchwCases.Window g = NchwCases.window(r, dims[2], dims[3], true);
        Tensor x = NchwCases.uniform(r, -2, 2, dims);
        for (int i = 0; i < x.numel(); i++) {
            x.setFlat(i, Math.rint(x.getFlat(i)));
        }
        x.requiresGrad(true);
        Tensor y = Ops.maxPool2d(x, g.kernel(), g.stride(), g.padding(), g.dilation(), g.ceil());
        Tensor gy = NchwCases.uniform(r, -1, 1, y.dims());
        y.backward(gy);
        double[] expected = new double[x.numel()];
        int h = dims[2];
        int w = dims[3];
        int o = 0;
        for (int plane = 0; plane < dims[0] * dims[1]; plane++) {
            for (int i = 0; i < y.size(2); i++) {
                for (int j = 0; j < y.size(3); j++) {
                    double best = Double.NEGATIVE_INFINITY;
                    int at = -1;
                    for (int a = 0; a < g.kernel()[0]; a++) {
                        for (int c = 0; c < g.kernel()[1]; c++) {
                            int row = i * g.stride()[0] - g.padding()[0] + a * g.dilation()[0];
                            int col = j * g.stride()[1] - g.padding()[1] + c * g.dilation()[1];
                            if (row >= 0 && row < h && col >= 0 && col < w
                                    && x.getFlat(plane * h * w + row * w + col) > best) {
                                best = x.getFlat(plane * h * w + row * w + col);
                                at = plane * h * w + row * w + col;
                            }
                        }
                    }
                    expected[at] += gy.getFlat(o++);
                }
            }
        }
        assertAllClose(expected, x.grad(), "maxPool2d gradient " + x.shape());
    }

    @Property(tries = 20)
    void maxPoolGradientGoesToTheFirstMaximumInScanOrder(@ForAll long seed) {
        Random r = new Random(seed);
        int h = 2 + r.nextInt(4);
        int w = 2 + r.nextInt(4);
        Tensor x = Tensor.full(dev.lanes.tensor.DType.F64, 1, 1, 1, h, w).requiresGrad(true);
        // Every entry ties: the whole plane is one window, and its first cell takes the gradient.
        Ops.sum(Ops.maxPool2d(x, new int[] {h, w}, null, new int[] {0, 0}, new int[] {1, 1}, false)).backward();
        double[] expected = new double[h * w];
        expected[0] = 1;
        assertArrayEquals(expected, x.grad().toDoubleArray());
    }
}
