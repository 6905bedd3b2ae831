package dev.lanes.autograd;

import dev.lanes.autograd.internal.Lowerable;
import dev.lanes.autograd.internal.Lowering;
import dev.lanes.autograd.internal.Slot;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.GradFn;
import dev.lanes.tensor.internal.StepArena;

/**
 * Averaging over rectangular windows of each {@code [H, W]} plane, the shared core of average and
 * adaptive average pooling: output {@code (i, j)} is the sum of rows {@code [rs[i], re[i])} and
 * columns {@code [cs[j], ce[j])} divided by {@code div[i][j]}. Backward spreads {@code g / div}
 * over the window.
 */
final class WindowAverage extends GradFn implements Lowerable {

    private final int[] inDims;
    private final int[] rs;
    private final int[] re;
    private final int[] cs;
    private final int[] ce;
    private final double[][] div;

    private WindowAverage(String op, String torchName, Tensor x, int[] rs, int[] re, int[] cs, int[] ce, double[][] div) {
        super(op, torchName, x);
        this.inDims = x.dims();
        this.rs = rs;
        this.re = re;
        this.cs = cs;
        this.ce = ce;
        this.div = div;
    }

    static Tensor average(String op, String torchName, Tensor x, int[] rs, int[] re, int[] cs, int[] ce,
                          double[][] div) {
        int[] d = x.dims();
        int h = d[2];
        int w = d[3];
        int oh = rs.length;
        int ow = cs.length;
        int planes = d[0] * d[1];
        if (x.dtype() == DType.F32) {
            Tensor y = StepArena.empty(DType.F32, d[0], d[1], oh, ow); // written whole
            averageFloats(x.f32(), 0, y.f32(), 0, planes, h, w, rs, re, cs, ce, div);
            return Tape.output(op, y, () -> new WindowAverage(op, torchName, x, rs, re, cs, ce, div), x);
        }
        double[] xs = x.toDoubleArray();
        double[] ys = new double[planes * oh * ow];
        for (int p = 0; p < planes; p++) {
            int base = p * h * w;
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    double s = 0;
                    for (int r = rs[i]; r < re[i]; r++) {
                        for (int q = cs[j]; q < ce[j]; q++) {
                            s += xs[base + r * w + q];
                        }
                    }
                    ys[(p * oh + i) * ow + j] = s / div[i][j];
                }
            }
        }
        Tensor y = NchwChecks.tensor(x.dtype(), ys, d[0], d[1], oh, ow);
        return Tape.output(op, y, () -> new WindowAverage(op, torchName, x, rs, re, cs, ce, div), x);
    }

    /**
     * The F32 forward: each window summed in double in row-major order, divided in double and
     * rounded once, as the double loop computes it on the same values.
     */
    private static void averageFloats(float[] x, int xOff, float[] y, int yOff, int planes, int h, int w, int[] rs,
                                      int[] re, int[] cs, int[] ce, double[][] div) {
        int oh = rs.length;
        int ow = cs.length;
        for (int p = 0; p < planes; p++) {
            int base = xOff + p * h * w;
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    double s = 0;
                    for (int r = rs[i]; r < re[i]; r++) {
                        for (int q = cs[j]; q < ce[j]; q++) {
                            s += x[base + r * w + q];
                        }
                    }
                    y[yOff + (p * oh + i) * ow + j] = (float) (s / div[i][j]);
                }
            }
        }
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        DType dtype = g.dtype();
        double[] gs = g.toDoubleArray();
        int h = inDims[2];
        int w = inDims[3];
        int oh = rs.length;
        int ow = cs.length;
        int planes = inDims[0] * inDims[1];
        double[] dx = new double[planes * h * w];
        for (int p = 0; p < planes; p++) {
            int base = p * h * w;
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    double v = gs[(p * oh + i) * ow + j] / div[i][j];
                    for (int r = rs[i]; r < re[i]; r++) {
                        for (int q = cs[j]; q < ce[j]; q++) {
                            dx[base + r * w + q] += v;
                        }
                    }
                }
            }
        }
        return new Tensor[] {NchwChecks.tensor(dtype, dx, inDims)};
    }

    /** The F32 forward on the arena, whatever the traced dtype. */
    @Override
    public void lower(Lowering l) {
        int planes = inDims[0] * inDims[1];
        int h = inDims[2];
        int w = inDims[3];
        Slot x = l.in(input(0));
        Slot y = l.out();
        l.step(mem -> averageFloats(mem, x.at(), mem, y.at(), planes, h, w, rs, re, cs, ce, div));
    }
}
