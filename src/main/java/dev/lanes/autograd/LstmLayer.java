package dev.lanes.autograd;

import dev.lanes.autograd.internal.Lowerable;
import dev.lanes.autograd.internal.Lowering;
import dev.lanes.autograd.internal.Slot;
import dev.lanes.autograd.internal.Split;
import dev.lanes.kernel.internal.GemvPanels;
import dev.lanes.kernel.internal.Recurrent;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.Dispatch;
import dev.lanes.tensor.internal.GradFn;
import dev.lanes.tensor.internal.StepArena;

/**
 * One direction of one LSTM layer over a whole sequence, fused: one GEMM projects every step's
 * input, then each step adds one recurrent GEMM into its slice of the gate buffer and one fused
 * pointwise pass ({@code Recurrent.lstmForward}) adds the bias, activates the gates (i, f, g, o)
 * and computes c_t and h_t. Backward mirrors it: per step one fused pointwise backward and one
 * GEMM for the gradient reaching h_{t-1}; after the loop one GEMM per weight matrix and one bias
 * sum over all steps. One tape node with three outputs (output, h_T, c_T).
 *
 * <p>Inputs: x {@code [T, B, d]}, h0 and c0 {@code [B, N]}, W_ih {@code [4N, d]}, W_hh
 * {@code [4N, N]}, and one bias per gate {@code [4N]} or none.
 */
final class LstmLayer extends GradFn implements Lowerable {

    private final boolean reverse;
    private final boolean hasBias;
    /** Activated gates [T, B, 4N], cell states and their tanh [T, B, N], hidden states (the output). */
    private Tensor gates;
    private Tensor cs;
    private Tensor tanhCs;
    private Tensor ys;

    private LstmLayer(Tensor[] inputs, boolean reverse, boolean hasBias, Tensor gates, Tensor cs, Tensor tanhCs,
                      Tensor ys) {
        super("lstm", "LstmBackward0", 3, inputs);
        this.reverse = reverse;
        this.hasBias = hasBias;
        this.gates = gates;
        this.cs = cs;
        this.tanhCs = tanhCs;
        this.ys = ys;
    }

    static SequenceOutput apply(Tensor x, Tensor h0, Tensor c0, Tensor wIh, Tensor wHh, Tensor bias,
                                boolean reverse) {
        Sequences.check("lstm", 4, x, h0, c0, wIh, wHh, bias);
        int steps = x.size(0);
        int batch = x.size(1);
        int hidden = wHh.size(1);
        int g = 4 * hidden;
        int s = batch * hidden;
        Tensor gates = Sequences.project(x, wIh);
        Tensor b = bias != null ? bias : StepArena.zeros(x.dtype(), g);
        Tensor ys = StepArena.zeros(x.dtype(), steps, batch, hidden);
        // Every step writes its slice of these (and of the gates) before any read.
        Tensor cs = Workspace.take(x.dtype(), steps, batch, hidden);
        Tensor tanhCs = Workspace.take(x.dtype(), steps, batch, hidden);
        StepProduct recurrent = StepProduct.forward(wHh, batch);
        for (int step = 0; step < steps; step++) {
            int t = Sequences.time(step, steps, reverse);
            int prev = step == 0 ? 0 : Sequences.time(step - 1, steps, reverse) * s;
            Tensor hPrev = step == 0 ? h0 : ys;
            Tensor cPrev = step == 0 ? c0 : cs;
            recurrent.multiply(batch, hPrev, prev, 1, gates, t * batch * g);
            Dispatch.lstmForward(batch, hidden, gates, t * batch * g, b, cPrev, prev, cs, t * s, tanhCs, t * s, ys,
                    t * s);
        }
        int last = Sequences.time(steps - 1, steps, reverse);
        SequenceOutput out = new SequenceOutput(ys, Sequences.step(ys, last), Sequences.step(cs, last));
        Tensor[] inputs = Sequences.present(x, h0, c0, wIh, wHh, bias);
        Tape.outputs("lstm", () -> new LstmLayer(inputs, reverse, bias != null, gates, cs, tanhCs, ys), inputs,
                out.output(), out.hN(), out.cN());
        return out;
    }

    @Override
    protected Tensor[] backward(Tensor gradOutput) {
        return backward(new Tensor[] {gradOutput, null, null});
    }

    @Override
    protected Tensor[] backward(Tensor[] g) {
        Tensor x = input(0);
        Tensor h0 = input(1);
        Tensor c0 = input(2);
        Tensor wIh = input(3);
        Tensor wHh = input(4);
        int steps = x.size(0);
        int batch = x.size(1);
        int hidden = wHh.size(1);
        int gs = 4 * hidden;
        int s = batch * hidden;
        Tensor dGates = Workspace.take(x.dtype(), steps, batch, gs); // each step writes its slice
        Tensor dh = Sequences.startGradient(g[1], h0);
        Tensor dc = Sequences.startGradient(g[2], c0);
        Tensor dhStep = StepArena.zeros(x.dtype(), batch, hidden);
        StepProduct recurrent = StepProduct.backward(wHh, batch);
        for (int step = steps - 1; step >= 0; step--) {
            int t = Sequences.time(step, steps, reverse);
            Sequences.stepGradient(dh, g[0], t, dhStep);
            Tensor cPrev = step == 0 ? c0 : cs;
            int prev = step == 0 ? 0 : Sequences.time(step - 1, steps, reverse) * s;
            // dc is updated in place: it holds the gradient reaching c_t, then the one reaching c_{t-1}.
            Dispatch.lstmBackward(batch, hidden, gates, t * batch * gs, cPrev, prev, tanhCs, t * s, dhStep, 0, dc, 0,
                    dGates, t * batch * gs, dc, 0);
            recurrent.multiply(batch, dGates, t * batch * gs, 0, dh, 0);
        }
        Tensor[] grads = new Tensor[hasBias ? 6 : 5];
        grads[0] = needsGrad(0) ? Sequences.inputGradient(dGates, wIh, x) : null;
        grads[1] = dh;
        grads[2] = dc;
        grads[3] = needsGrad(3) ? Sequences.inputWeightGradient(dGates, x) : null;
        grads[4] = needsGrad(4) ? Sequences.hiddenWeightGradient(dGates, ys, h0, reverse) : null;
        if (hasBias) {
            grads[5] = needsGrad(5) ? Sequences.biasGradient(dGates) : null;
        }
        Workspace.give(dGates);
        return grads;
    }

    @Override
    protected void release() {
        super.release();
        Workspace.give(gates, cs, tanhCs);
        gates = null;
        cs = null;
        tanhCs = null;
        ys = null;
    }

    /**
     * The eager forward on the arena: the input projection, then per step the recurrent product
     * into the gates and the fused cell; gates and cell states are working memory of the step.
     * Recurrent products that read panels ({@link ConstantProduct#readsPanels}) take the
     * unit-blocked form instead ({@link #lowerUnitBlocked}).
     */
    @Override
    public void lower(Lowering l) {
        Tensor x0 = input(0);
        Tensor wIh = input(3);
        Tensor wHh = input(4);
        int steps = x0.size(0);
        int batch = x0.size(1);
        int d = x0.size(2);
        int hidden = wHh.size(1);
        int g = 4 * hidden;
        int s = batch * hidden;
        if (ConstantProduct.readsPanels(l, batch) && d > 0) {
            lowerUnitBlocked(l, steps, batch, d, hidden);
            return;
        }
        ConstantProduct project = new ConstantProduct(l, wIh, null, steps * batch, false);
        ConstantProduct recurrent = new ConstantProduct(l, wHh, null, batch, true);
        float[] bias = hasBias ? l.constant(input(5)) : new float[g];
        Slot x = l.in(x0);
        Slot h0 = l.in(input(1));
        Slot c0 = l.in(input(2));
        Slot ys = l.out(0);
        Slot hN = l.out(1);
        Slot cN = l.out(2);
        Slot gates = l.scratch(steps * batch * g);
        Slot cs = l.scratch(steps * s);
        Slot tanhCs = l.scratch(steps * s);
        l.splitStep((mem, splitter) -> {
            project.multiply(mem, splitter, x.at(), gates.at());
            for (int step = 0; step < steps; step++) {
                int t = Sequences.time(step, steps, reverse);
                int hPrev = Sequences.stateBefore(step, steps, reverse, h0.at(), ys.at(), s);
                int cPrev = Sequences.stateBefore(step, steps, reverse, c0.at(), cs.at(), s);
                int gt = gates.at() + t * batch * g;
                recurrent.multiply(mem, splitter, hPrev, gt);
                Recurrent.lstmForward(batch, hidden, mem, gt, bias, 0, mem, cPrev, mem, cs.at() + t * s, mem,
                        tanhCs.at() + t * s, mem, ys.at() + t * s);
            }
            Sequences.copyLast(mem, steps, reverse, ys.at(), s, hN.at());
            Sequences.copyLast(mem, steps, reverse, cs.at(), s, cN.at());
        });
    }

    /**
     * The layer with its gate columns regrouped by blocks of hidden units ({@link GateBlocks}), so
     * that one tile of a step computes both products and the cell for its units: a step is one
     * split, and a parallel session meets once per step.
     */
    private void lowerUnitBlocked(Lowering l, int steps, int batch, int d, int hidden) {
        int s = batch * hidden;
        GateBlocks blocks = new GateBlocks(4, hidden);
        int cols = blocks.columns();
        GemvPanels project = ConstantProduct.panels(l, blocks.regroup(l.constant(input(3)), d), cols, d);
        GemvPanels recurrent = ConstantProduct.panels(l, blocks.regroup(l.constant(input(4)), hidden), cols, hidden);
        float[] bias = blocks.regroup(hasBias ? l.constant(input(5)) : new float[4 * hidden], 1);
        Slot x = l.in(input(0));
        Slot h0 = l.in(input(1));
        Slot c0 = l.in(input(2));
        Slot ys = l.out(0);
        Slot hN = l.out(1);
        Slot cN = l.out(2);
        Slot gates = l.scratch(batch * cols);
        Slot cs = l.scratch(steps * s);
        Slot tanhC = l.scratch(s);
        Split cell = l.split(blocks.blocks(), (mem, j, step, unused) -> {
            int t = Sequences.time(step, steps, reverse);
            int hPrev = Sequences.stateBefore(step, steps, reverse, h0.at(), ys.at(), s);
            int cPrev = Sequences.stateBefore(step, steps, reverse, c0.at(), cs.at(), s);
            project.multiply(batch, j, j + 1, mem, x.at() + t * batch * d, 0f, mem, gates.at());
            recurrent.multiply(batch, j, j + 1, mem, hPrev, 1f, mem, gates.at());
            int width = blocks.width(j);
            for (int r = 0; r < batch; r++) {
                int unit = r * hidden + blocks.first(j);
                Recurrent.lstmForward(1, width, mem, gates.at() + r * cols + blocks.column(j), bias, blocks.column(j),
                        mem, cPrev + unit, mem, cs.at() + t * s + unit, mem, tanhC.at() + unit, mem,
                        ys.at() + t * s + unit);
            }
        });
        l.splitStep((mem, splitter) -> {
            for (int step = 0; step < steps; step++) {
                splitter.run(cell, mem, step, 0);
            }
            Sequences.copyLast(mem, steps, reverse, ys.at(), s, hN.at());
            Sequences.copyLast(mem, steps, reverse, cs.at(), s, cN.at());
        });
    }
}
