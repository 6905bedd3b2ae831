package dev.lanes.autograd;

import dev.lanes.tensor.Shape;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.Dispatch;
import dev.lanes.tensor.internal.StepArena;

/**
 * What the fused sequence layers ({@link RnnLayer}, {@link LstmLayer}, {@link GruLayer}) share:
 * argument checks, the time order of a direction, and the whole-sequence GEMMs that open the
 * forward pass and close the backward pass.
 *
 * <p>Layout: {@code x} is {@code [T, B, d]}, states {@code [B, N]}, per-step buffers
 * {@code [T, B, k]} (step t at offset {@code t * B * k}), weights {@code [gates * N, d]} and
 * {@code [gates * N, N]}.
 */
final class Sequences {

    private Sequences() {
    }

    /** Checks dtypes and shapes; {@code c0} and biases may be null. */
    static void check(String op, int gates, Tensor x, Tensor h0, Tensor c0, Tensor wIh, Tensor wHh,
                      Tensor... biases) {
        Dispatch.sameDType(op, x, h0, wIh, wHh);
        if (x.rank() != 3 || x.size(0) < 1 || x.size(1) < 1) {
            throw new IllegalArgumentException(op + ": input must be [steps >= 1, batch >= 1, features], got "
                    + x.shape());
        }
        if (wHh.rank() != 2 || wHh.size(0) != gates * wHh.size(1)) {
            throw new IllegalArgumentException(op + ": weight_hh must be [" + gates + " * hidden, hidden], got "
                    + wHh.shape());
        }
        int hidden = wHh.size(1);
        expect(op, "weight_ih", wIh, gates * hidden, x.size(2));
        expect(op, "h0", h0, x.size(1), hidden);
        if (c0 != null) {
            Dispatch.sameDType(op, x, c0);
            expect(op, "c0", c0, x.size(1), hidden);
        }
        for (Tensor b : biases) {
            if (b != null) {
                Dispatch.sameDType(op, x, b);
                expect(op, "bias", b, gates * hidden);
            }
        }
    }

    private static void expect(String op, String name, Tensor t, int... dims) {
        if (!t.shape().equals(Shape.of(dims))) {
            throw new IllegalArgumentException(op + ": " + name + " must be " + Shape.of(dims) + ", got " + t.shape());
        }
    }

    /** @return the time index that step {@code s} of a direction visits */
    static int time(int s, int steps, boolean reverse) {
        return reverse ? steps - 1 - s : s;
    }

    /**
     * @return where in a plan's arena step {@code s} of a direction finds the state it starts
     *         from: {@code initial} for the first step, else the previous step's slice of the
     *         {@code [T, B, N]} sequence at {@code sequence} ({@code size = B * N} floats a step)
     */
    static int stateBefore(int s, int steps, boolean reverse, int initial, int sequence, int size) {
        return s == 0 ? initial : sequence + time(s - 1, steps, reverse) * size;
    }

    /** Copies the slice of the direction's last step in a plan's arena (h_T or c_T) to {@code to}. */
    static void copyLast(float[] mem, int steps, boolean reverse, int sequence, int size, int to) {
        System.arraycopy(mem, sequence + time(steps - 1, steps, reverse) * size, mem, to, size);
    }

    /**
     * @return {@code [T, B, cols]} = {@code x W^T}: the input projection of every step in one GEMM,
     *         in a {@link Workspace} buffer (the product overwrites all of it)
     */
    static Tensor project(Tensor x, Tensor w) {
        int rows = x.size(0) * x.size(1);
        int in = x.size(2);
        int cols = w.size(0);
        Tensor y = Workspace.take(x.dtype(), x.size(0), x.size(1), cols);
        Dispatch.gemm(false, true, rows, cols, in, 1, x, 0, in, w, 0, in, 0, y, 0, cols);
        return y;
    }

    /** @return a new {@code [B, N]} tensor with step {@code t} of a {@code [T, B, N]} sequence */
    static Tensor step(Tensor seq, int t) {
        int s = seq.size(1) * seq.size(2);
        Tensor y = StepArena.zeros(seq.dtype(), seq.size(1), seq.size(2));
        Dispatch.copy(seq, t * s, y, 0, s);
        return y;
    }

    /** {@code out = dh + gy[t]}, the whole gradient reaching h_t ({@code gy} null: none from the output). */
    static void stepGradient(Tensor dh, Tensor gy, int t, Tensor out) {
        int s = dh.numel();
        if (gy == null) {
            Dispatch.copy(dh, 0, out, 0, s);
        } else {
            Dispatch.binary(dev.lanes.kernel.internal.Binary.ADD, dh, 0, gy, t * s, out, 0, s);
        }
    }

    /** @return the gradient a backward starts from: a copy of {@code g}, or zeros when none arrived */
    static Tensor startGradient(Tensor g, Tensor like) {
        return g != null ? StepArena.copy(g) : StepArena.zeros(like.dtype(), like.shape());
    }

    /** @return {@code dx = dG W}: the input gradient of every step in one GEMM */
    static Tensor inputGradient(Tensor dG, Tensor w, Tensor x) {
        int rows = x.size(0) * x.size(1);
        int in = x.size(2);
        int cols = w.size(0);
        Tensor dx = StepArena.zeros(x.dtype(), x.shape());
        Dispatch.gemm(false, false, rows, in, cols, 1, dG, 0, cols, w, 0, in, 0, dx, 0, in);
        return dx;
    }

    /** @return {@code dW = dG^T x} over all steps in one GEMM */
    static Tensor inputWeightGradient(Tensor dG, Tensor x) {
        int rows = x.size(0) * x.size(1);
        int in = x.size(2);
        int cols = dG.size(2);
        Tensor dw = StepArena.zeros(x.dtype(), cols, in);
        Dispatch.gemm(true, false, cols, in, rows, 1, dG, 0, cols, x, 0, in, 0, dw, 0, in);
        return dw;
    }

    /**
     * @return {@code dW = sum_t dG_t^T h_{t-1}}: steps 1..T-1 of the direction read the previous
     *         step's output in one GEMM (the outputs are contiguous), then the first step adds
     *         its product with {@code h0}
     */
    static Tensor hiddenWeightGradient(Tensor dG, Tensor ys, Tensor h0, boolean reverse) {
        int steps = ys.size(0);
        int batch = ys.size(1);
        int hidden = ys.size(2);
        int cols = dG.size(2);
        Tensor dw = StepArena.zeros(ys.dtype(), cols, hidden);
        int rows = (steps - 1) * batch;
        // Forward: dG[1..T-1] pairs with ys[0..T-2]; reverse: dG[0..T-2] with ys[1..T-1].
        int gOff = reverse ? 0 : batch * cols;
        int yOff = reverse ? batch * hidden : 0;
        Dispatch.gemm(true, false, cols, hidden, rows, 1, dG, gOff, cols, ys, yOff, hidden, 0, dw, 0, hidden);
        int first = time(0, steps, reverse);
        Dispatch.gemm(true, false, cols, hidden, batch, 1, dG, first * batch * cols, cols, h0, 0, hidden, 1, dw, 0,
                hidden);
        return dw;
    }

    /** @return the column sums of {@code dG} over all steps and rows: a bias gradient */
    static Tensor biasGradient(Tensor dG) {
        int cols = dG.size(2);
        Tensor db = StepArena.zeros(dG.dtype(), cols);
        Dispatch.addColumnSums(dG.size(0) * dG.size(1), cols, dG, db);
        return db;
    }

    /** @return the inputs to record, without the absent ones */
    static Tensor[] present(Tensor... ts) {
        int n = 0;
        for (Tensor t : ts) {
            n += t != null ? 1 : 0;
        }
        Tensor[] out = new Tensor[n];
        int i = 0;
        for (Tensor t : ts) {
            if (t != null) {
                out[i++] = t;
            }
        }
        return out;
    }
}
