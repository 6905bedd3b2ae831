package dev.lanes.nn;

import dev.lanes.autograd.Ops;
import dev.lanes.autograd.SequenceOutput;
import dev.lanes.kernel.Activation;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.Dispatch;

/**
 * {@code torch.nn.GRUCell}: one step of {@link GRU}'s equations, with PyTorch's two biases
 * ({@code 3 (N d + N^2 + 2N)} parameters).
 */
public final class GRUCell extends RecurrentCell {

    /**
     * @param inputSize  features of the input
     * @param hiddenSize features of the state
     * @param bias       whether to have biases
     * @param dtype      parameter type
     * @param gen        the source of the initial values
     */
    public GRUCell(int inputSize, int hiddenSize, boolean bias, DType dtype, Generator gen) {
        super("GRUCell", 3, true, false, inputSize, hiddenSize, bias, dtype, gen);
    }

    /** An F32 cell with biases. */
    public GRUCell(int inputSize, int hiddenSize, Generator gen) {
        this(inputSize, hiddenSize, true, DType.F32, gen);
    }

    /**
     * @param input {@code [B, d]} or {@code [d]}
     * @param hx    {@code [B, N]} or {@code [N]}, or null for zeros
     * @return the next state, shaped like {@code hx}
     */
    public Tensor forward(Tensor input, Tensor hx) {
        return step(input, hx, null, false).hN();
    }

    @Override
    public Tensor forward(Tensor input) {
        return forward(input, null);
    }

    @Override
    SequenceOutput run(Tensor x, Tensor h, Tensor c) {
        Tensor[] p = weights();
        return Ops.gruLayer(x, h, p[0], p[1], p.length > 2 ? p[2] : null, p.length > 2 ? p[3] : null, false);
    }

    @Override
    void inferenceStep(Tensor x, Tensor h, Tensor c, Tensor[] w, Tensor zeroBias, Tensor gx, Tensor gh) {
        int b = x.size(0);
        int d = inputSize();
        int n = hiddenSize();
        int g = 3 * n;
        Dispatch.gemm(false, true, b, g, d, 1, x, 0, d, w[0], 0, d, 0, gx, 0, g);
        Tensor bHh = zeroBias;
        if (w.length > 2) {
            Dispatch.biasActivate(Activation.IDENTITY, b, g, w[2], gx, 0);
            bHh = w[3];
        }
        // W_h h + b_h as the layer computes it: the bias rows first, the product added onto them.
        for (int r = 0; r < b; r++) {
            Dispatch.copy(bHh, 0, gh, r * g, g);
        }
        Dispatch.gemm(false, true, b, g, n, 1, h, 0, n, w[1], 0, n, 1, gh, 0, g);
        Dispatch.gruForward(b, n, gx, 0, gh, 0, h, 0, h, 0);
    }
}
