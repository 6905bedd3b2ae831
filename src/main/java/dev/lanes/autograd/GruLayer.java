package dev.lanes.autograd;

import dev.lanes.autograd.internal.Lowerable;
import dev.lanes.autograd.internal.Lowering;
import dev.lanes.autograd.internal.Slot;
import dev.lanes.autograd.internal.Split;
import dev.lanes.kernel.Activation;
import dev.lanes.kernel.internal.Elementwise;
import dev.lanes.kernel.internal.GemvPanels;
import dev.lanes.kernel.internal.Recurrent;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.Dispatch;
import dev.lanes.tensor.internal.GradFn;
import dev.lanes.tensor.internal.StepArena;

/**
 * One direction of one GRU layer over a whole sequence, fused like {@link LstmLayer}, with
 * PyTorch's equations (gate rows r, z, n): {@code r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)},
 * {@code z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)},
 * {@code n = tanh(W_in x + b_in + r * (W_hn h + b_hn))}, {@code h' = (1 - z) n + z h}. The
 * input part {@code W_i x + b_i} of every step comes from one GEMM; each step computes
 * {@code W_h h + b_h} with one GEMM and the rest with one fused pass
 * ({@code Recurrent.gruForward}). Both biases are kept: {@code b_hn} sits inside the reset
 * product. One tape node with two outputs (output, h_T).
 *
 * <p>Inputs: x {@code [T, B, d]}, h0 {@code [B, N]}, W_ih {@code [3N, d]}, W_hh
 * {@code [3N, N]}, b_ih and b_hh {@code [3N]} (both or neither).
 */
final class GruLayer extends GradFn implements Lowerable {

    private final boolean reverse;
    private final boolean hasBias;
    /** Activated gates (r, z, n) [T, B, 3N], the hidden parts W_h h + b_h [T, B, 3N], the output. */
    private Tensor gx;
    private Tensor gh;
    private Tensor ys;

    private GruLayer(Tensor[] inputs, boolean reverse, boolean hasBias, Tensor gx, Tensor gh, Tensor ys) {
        super("gru", "GruBackward0", 2, inputs);
        this.reverse = reverse;
        this.hasBias = hasBias;
        this.gx = gx;
        this.gh = gh;
        this.ys = ys;
    }

    static SequenceOutput apply(Tensor x, Tensor h0, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh,
                                boolean reverse) {
        if ((bIh == null) != (bHh == null)) {
            throw new IllegalArgumentException("gru: give both biases or neither");
        }
        Sequences.check("gru", 3, x, h0, null, wIh, wHh, bIh, bHh);
        int steps = x.size(0);
        int batch = x.size(1);
        int hidden = wHh.size(1);
        int g = 3 * hidden;
        int s = batch * hidden;
        Tensor gx = Sequences.project(x, wIh);
        // Each row of gh is the hidden bias, or zeros, before the recurrent products add to it.
        Tensor gh = bIh != null ? Workspace.take(x.dtype(), steps, batch, g)
                : Workspace.takeZeroed(x.dtype(), steps, batch, g);
        if (bIh != null) {
            Dispatch.biasActivate(Activation.IDENTITY, steps * batch, g, bIh, gx, 0);
            for (int r = 0; r < steps * batch; r++) {
                Dispatch.copy(bHh, 0, gh, r * g, g);
            }
        }
        Tensor ys = StepArena.zeros(x.dtype(), steps, batch, hidden);
        StepProduct recurrent = StepProduct.forward(wHh, batch);
        for (int step = 0; step < steps; step++) {
            int t = Sequences.time(step, steps, reverse);
            int prev = step == 0 ? 0 : Sequences.time(step - 1, steps, reverse) * s;
            Tensor hPrev = step == 0 ? h0 : ys;
            recurrent.multiply(batch, hPrev, prev, 1, gh, t * batch * g);
            Dispatch.gruForward(batch, hidden, gx, t * batch * g, gh, t * batch * g, hPrev, prev, ys, t * s);
        }
        SequenceOutput out = new SequenceOutput(ys, Sequences.step(ys, Sequences.time(steps - 1, steps, reverse)),
                null);
        Tensor[] inputs = Sequences.present(x, h0, wIh, wHh, bIh, bHh);
        Tape.outputs("gru", () -> new GruLayer(inputs, reverse, bIh != null, gx, gh, ys), inputs, out.output(),
                out.hN());
        return out;
    }

    @Override
    protected Tensor[] backward(Tensor gradOutput) {
        return backward(new Tensor[] {gradOutput, null});
    }

    @Override
    protected Tensor[] backward(Tensor[] g) {
        Tensor x = input(0);
        Tensor h0 = input(1);
        Tensor wIh = input(2);
        Tensor wHh = input(3);
        int steps = x.size(0);
        int batch = x.size(1);
        int hidden = wHh.size(1);
        int gs = 3 * hidden;
        int s = batch * hidden;
        // Each step writes its slices of both.
        Tensor dGx = Workspace.take(x.dtype(), steps, batch, gs);
        Tensor dGh = Workspace.take(x.dtype(), steps, batch, gs);
        Tensor dh = Sequences.startGradient(g[1], h0);
        Tensor dhStep = StepArena.zeros(x.dtype(), batch, hidden);
        StepProduct recurrent = StepProduct.backward(wHh, batch);
        for (int step = steps - 1; step >= 0; step--) {
            int t = Sequences.time(step, steps, reverse);
            Sequences.stepGradient(dh, g[0], t, dhStep);
            Tensor hPrev = step == 0 ? h0 : ys;
            int prev = step == 0 ? 0 : Sequences.time(step - 1, steps, reverse) * s;
            // The kernel writes the direct part dh z into dh; the GEMM adds the part through W_hh.
            Dispatch.gruBackward(batch, hidden, gx, t * batch * gs, gh, t * batch * gs, hPrev, prev, dhStep, 0, dGx,
                    t * batch * gs, dGh, t * batch * gs, dh, 0);
            recurrent.multiply(batch, dGh, t * batch * gs, 1, dh, 0);
        }
        Tensor[] grads = new Tensor[hasBias ? 6 : 4];
        grads[0] = needsGrad(0) ? Sequences.inputGradient(dGx, wIh, x) : null;
        grads[1] = dh;
        grads[2] = needsGrad(2) ? Sequences.inputWeightGradient(dGx, x) : null;
        grads[3] = needsGrad(3) ? Sequences.hiddenWeightGradient(dGh, ys, h0, reverse) : null;
        if (hasBias) {
            grads[4] = needsGrad(4) ? Sequences.biasGradient(dGx) : null;
            grads[5] = needsGrad(5) ? Sequences.biasGradient(dGh) : null;
        }
        Workspace.give(dGx, dGh);
        return grads;
    }

    @Override
    protected void release() {
        super.release();
        Workspace.give(gx, gh);
        gx = null;
        gh = null;
        ys = null;
    }

    /**
     * The eager forward on the arena: the input projection with the input bias, rows of the
     * hidden bias the recurrent products add to, then the fused cell per step; when the recurrent
     * product reads panels, the unit-blocked form ({@link #lowerUnitBlocked}).
     */
    @Override
    public void lower(Lowering l) {
        Tensor x0 = input(0);
        Tensor wIh = input(2);
        Tensor wHh = input(3);
        int steps = x0.size(0);
        int batch = x0.size(1);
        int d = x0.size(2);
        int hidden = wHh.size(1);
        int g = 3 * hidden;
        int s = batch * hidden;
        int rows = steps * batch;
        if (ConstantProduct.readsPanels(l, batch) && d > 0) {
            lowerUnitBlocked(l, steps, batch, d, hidden);
            return;
        }
        ConstantProduct project = new ConstantProduct(l, wIh, null, rows, false);
        ConstantProduct recurrent = new ConstantProduct(l, wHh, hasBias ? input(5) : null, batch, false);
        float[] bIh = hasBias ? l.constant(input(4)) : null;
        Slot x = l.in(x0);
        Slot h0 = l.in(input(1));
        Slot ys = l.out(0);
        Slot hN = l.out(1);
        Slot gx = l.scratch(rows * g);
        Slot gh = l.scratch(rows * g);
        l.splitStep((mem, splitter) -> {
            project.multiply(mem, splitter, x.at(), gx.at());
            if (bIh != null) {
                Elementwise.biasActivate(Activation.IDENTITY, rows, g, bIh, 0, mem, gx.at(), g);
            }
            for (int step = 0; step < steps; step++) {
                int t = Sequences.time(step, steps, reverse);
                int hPrev = Sequences.stateBefore(step, steps, reverse, h0.at(), ys.at(), s);
                int gt = t * batch * g;
                recurrent.multiply(mem, splitter, hPrev, gh.at() + gt);
                Recurrent.gruForward(batch, hidden, mem, gx.at() + gt, mem, gh.at() + gt, mem, hPrev, mem,
                        ys.at() + t * s);
            }
            Sequences.copyLast(mem, steps, reverse, ys.at(), s, hN.at());
        });
    }

    /**
     * The layer with its gate columns regrouped by blocks of hidden units ({@link GateBlocks}), for
     * recurrent products that read panels: one tile of a step computes both products with their
     * biases and the cell for its units, so a step is one split.
     */
    private void lowerUnitBlocked(Lowering l, int steps, int batch, int d, int hidden) {
        int s = batch * hidden;
        GateBlocks blocks = new GateBlocks(3, hidden);
        int cols = blocks.columns();
        GemvPanels project = ConstantProduct.panels(l, blocks.regroup(l.constant(input(2)), d), cols, d);
        GemvPanels recurrent = ConstantProduct.panels(l, blocks.regroup(l.constant(input(3)), hidden), cols, hidden);
        float[] bIh = hasBias ? blocks.regroup(l.constant(input(4)), 1) : null;
        float[] bHh = hasBias ? blocks.regroup(l.constant(input(5)), 1) : null;
        float beta = hasBias ? 1f : 0f;
        Slot x = l.in(input(0));
        Slot h0 = l.in(input(1));
        Slot ys = l.out(0);
        Slot hN = l.out(1);
        Slot gx = l.scratch(batch * cols);
        Slot gh = l.scratch(batch * cols);
        Split cell = l.split(blocks.blocks(), (mem, j, step, unused) -> {
            int t = Sequences.time(step, steps, reverse);
            int hPrev = Sequences.stateBefore(step, steps, reverse, h0.at(), ys.at(), s);
            int c = blocks.column(j);
            if (hasBias) {
                // The products add onto their biases: the eager layer's bits (product, then + bias).
                for (int r = 0; r < batch; r++) {
                    System.arraycopy(bIh, c, mem, gx.at() + r * cols + c, GemvPanels.TILE);
                    System.arraycopy(bHh, c, mem, gh.at() + r * cols + c, GemvPanels.TILE);
                }
            }
            project.multiply(batch, j, j + 1, mem, x.at() + t * batch * d, beta, mem, gx.at());
            recurrent.multiply(batch, j, j + 1, mem, hPrev, beta, mem, gh.at());
            int width = blocks.width(j);
            for (int r = 0; r < batch; r++) {
                int unit = r * hidden + blocks.first(j);
                Recurrent.gruForward(1, width, mem, gx.at() + r * cols + c, mem, gh.at() + r * cols + c, mem,
                        hPrev + unit, mem, ys.at() + t * s + unit);
            }
        });
        l.splitStep((mem, splitter) -> {
            for (int step = 0; step < steps; step++) {
                splitter.run(cell, mem, step, 0);
            }
            Sequences.copyLast(mem, steps, reverse, ys.at(), s, hN.at());
        });
    }
}
