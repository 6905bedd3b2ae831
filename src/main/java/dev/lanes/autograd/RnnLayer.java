package dev.lanes.autograd;

import dev.lanes.autograd.internal.Lowerable;
import dev.lanes.autograd.internal.Lowering;
import dev.lanes.autograd.internal.Slot;
import dev.lanes.autograd.internal.Split;
import dev.lanes.kernel.Activation;
import dev.lanes.kernel.internal.Elementwise;
import dev.lanes.kernel.internal.GemvPanels;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.Dispatch;
import dev.lanes.tensor.internal.GradFn;
import dev.lanes.tensor.internal.StepArena;

/**
 * One direction of one simple RNN layer over a whole sequence, fused like {@link LstmLayer}:
 * {@code h_t = f(W x_t + U h_{t-1} + b)} with f tanh, relu or sigmoid. One GEMM projects every
 * step's input into the output buffer; each step adds one recurrent GEMM and one fused pass
 * adds the bias and activates in place. Backward: per step the activation's derivative from the
 * output and one GEMM for the gradient reaching h_{t-1}; then one GEMM per weight matrix. One
 * tape node with two outputs (output, h_T).
 *
 * <p>Inputs: x {@code [T, B, d]}, h0 {@code [B, N]}, W_ih {@code [N, d]}, W_hh {@code [N, N]},
 * one bias {@code [N]} or none.
 */
final class RnnLayer extends GradFn implements Lowerable {

    private final Activation activation;
    private final boolean reverse;
    private final boolean hasBias;
    private Tensor ys;

    private RnnLayer(Tensor[] inputs, Activation activation, boolean reverse, boolean hasBias, Tensor ys) {
        super("rnn", activation == Activation.RELU ? "RnnReluBackward0" : "RnnTanhBackward0", 2, inputs);
        this.activation = activation;
        this.reverse = reverse;
        this.hasBias = hasBias;
        this.ys = ys;
    }

    static SequenceOutput apply(Tensor x, Tensor h0, Tensor wIh, Tensor wHh, Tensor bias, Activation activation,
                                boolean reverse) {
        if (activation != Activation.TANH && activation != Activation.RELU && activation != Activation.SIGMOID) {
            throw new IllegalArgumentException("rnn: the nonlinearity must be TANH, RELU or SIGMOID, got "
                    + activation);
        }
        Sequences.check("rnn", 1, x, h0, null, wIh, wHh, bias);
        int steps = x.size(0);
        int batch = x.size(1);
        int hidden = wHh.size(1);
        int s = batch * hidden;
        Tensor ys = Sequences.project(x, wIh);
        Tensor b = bias != null ? bias : StepArena.zeros(x.dtype(), hidden);
        StepProduct recurrent = StepProduct.forward(wHh, batch);
        for (int step = 0; step < steps; step++) {
            int t = Sequences.time(step, steps, reverse);
            int prev = step == 0 ? 0 : Sequences.time(step - 1, steps, reverse) * s;
            Tensor hPrev = step == 0 ? h0 : ys;
            recurrent.multiply(batch, hPrev, prev, 1, ys, t * s);
            Dispatch.biasActivate(activation, batch, hidden, b, ys, t * s);
        }
        SequenceOutput out = new SequenceOutput(ys, Sequences.step(ys, Sequences.time(steps - 1, steps, reverse)),
                null);
        Tensor[] inputs = Sequences.present(x, h0, wIh, wHh, bias);
        Tape.outputs("rnn", () -> new RnnLayer(inputs, activation, reverse, bias != null, ys), inputs,
                out.output(), out.hN());
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
        int s = batch * hidden;
        Tensor dPre = Workspace.take(x.dtype(), steps, batch, hidden); // each step writes its slice
        Tensor dh = Sequences.startGradient(g[1], h0);
        Tensor dhStep = StepArena.zeros(x.dtype(), batch, hidden);
        StepProduct recurrent = StepProduct.backward(wHh, batch);
        for (int step = steps - 1; step >= 0; step--) {
            int t = Sequences.time(step, steps, reverse);
            Sequences.stepGradient(dh, g[0], t, dhStep);
            Dispatch.activateBackward(activation, ys, t * s, dhStep, 0, dPre, t * s, s);
            recurrent.multiply(batch, dPre, t * s, 0, dh, 0);
        }
        Tensor[] grads = new Tensor[hasBias ? 5 : 4];
        grads[0] = needsGrad(0) ? Sequences.inputGradient(dPre, wIh, x) : null;
        grads[1] = dh;
        grads[2] = needsGrad(2) ? Sequences.inputWeightGradient(dPre, x) : null;
        grads[3] = needsGrad(3) ? Sequences.hiddenWeightGradient(dPre, ys, h0, reverse) : null;
        if (hasBias) {
            grads[4] = needsGrad(4) ? Sequences.biasGradient(dPre) : null;
        }
        Workspace.give(dPre);
        return grads;
    }

    @Override
    protected void release() {
        super.release();
        ys = null;
    }

    /**
     * The eager forward on the arena: the input projection into the output, then per step the
     * recurrent product and the activation; when the recurrent product reads panels
     * ({@link ConstantProduct#readsPanels}), each step is one split whose tiles do all three for
     * their columns.
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
        int s = batch * hidden;
        float[] bias = hasBias ? l.constant(input(4)) : new float[hidden];
        Slot x = l.in(x0);
        Slot h0 = l.in(input(1));
        Slot ys = l.out(0);
        Slot hN = l.out(1);
        if (ConstantProduct.readsPanels(l, batch) && d > 0) {
            // One tile of a step computes both products and the activation for its columns: a step is one split.
            GemvPanels project = ConstantProduct.panels(l, l.constant(wIh), hidden, d);
            GemvPanels recurrent = ConstantProduct.panels(l, l.constant(wHh), hidden, hidden);
            Split cell = l.split(project.tiles(), (mem, j, step, unused) -> {
                int t = Sequences.time(step, steps, reverse);
                int hPrev = Sequences.stateBefore(step, steps, reverse, h0.at(), ys.at(), s);
                int y = ys.at() + t * s;
                project.multiply(batch, j, j + 1, mem, x.at() + t * batch * d, 0f, mem, y);
                recurrent.multiply(batch, j, j + 1, mem, hPrev, 1f, mem, y);
                int c = j * GemvPanels.TILE;
                Elementwise.biasActivate(activation, batch, Math.min(GemvPanels.TILE, hidden - c), bias, c, mem, y + c,
                        hidden);
            });
            l.splitStep((mem, splitter) -> {
                for (int step = 0; step < steps; step++) {
                    splitter.run(cell, mem, step, 0);
                }
                Sequences.copyLast(mem, steps, reverse, ys.at(), s, hN.at());
            });
            return;
        }
        ConstantProduct project = new ConstantProduct(l, wIh, null, steps * batch, false);
        ConstantProduct recurrent = new ConstantProduct(l, wHh, null, batch, true);
        l.splitStep((mem, splitter) -> {
            project.multiply(mem, splitter, x.at(), ys.at());
            for (int step = 0; step < steps; step++) {
                int t = Sequences.time(step, steps, reverse);
                int hPrev = Sequences.stateBefore(step, steps, reverse, h0.at(), ys.at(), s);
                recurrent.multiply(mem, splitter, hPrev, ys.at() + t * s);
                Elementwise.biasActivate(activation, batch, hidden, bias, 0, mem, ys.at() + t * s, hidden);
            }
            Sequences.copyLast(mem, steps, reverse, ys.at(), s, hN.at());
        });
    }
}
