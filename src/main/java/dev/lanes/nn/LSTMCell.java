package dev.lanes.nn;

import dev.lanes.autograd.Ops;
import dev.lanes.autograd.SequenceOutput;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.Dispatch;

/**
 * {@code torch.nn.LSTMCell}: one step of {@link LSTM}'s equations. One bias per gate
 * ({@code 4 (N d + N^2 + N)} parameters), exported as PyTorch's {@code bias_ih} with a zero
 * {@code bias_hh} and imported as their sum; or, made with {@code separateBiases}, PyTorch's
 * {@code bias_ih} and {@code bias_hh} as two parameters ({@code 4 (N d + N^2 + 2N)}), saved and
 * loaded as they are, with {@code b = b_ih + b_hh}, which trains as PyTorch's cell does.
 */
public final class LSTMCell extends RecurrentCell {

    private final boolean separateBiases;

    /**
     * @param inputSize      features of the input
     * @param hiddenSize     features of the state
     * @param bias           whether to have biases
     * @param separateBiases whether the biases are PyTorch's {@code bias_ih} and {@code bias_hh},
     *                       two trainable parameters, rather than their sum (no effect without
     *                       bias)
     * @param dtype          parameter type
     * @param gen            the source of the initial values
     */
    public LSTMCell(int inputSize, int hiddenSize, boolean bias, boolean separateBiases, DType dtype,
                    Generator gen) {
        super("LSTMCell", 4, false, separateBiases, inputSize, hiddenSize, bias, dtype, gen);
        this.separateBiases = separateBiases;
    }

    /**
     * A cell with one bias per gate (if any), as the equations count them.
     *
     * @param inputSize  features of the input
     * @param hiddenSize features of the state
     * @param bias       whether to have a bias
     * @param dtype      parameter type
     * @param gen        the source of the initial values
     */
    public LSTMCell(int inputSize, int hiddenSize, boolean bias, DType dtype, Generator gen) {
        this(inputSize, hiddenSize, bias, false, dtype, gen);
    }

    /** An F32 cell with a bias. */
    public LSTMCell(int inputSize, int hiddenSize, Generator gen) {
        this(inputSize, hiddenSize, true, DType.F32, gen);
    }

    /** @return whether the cell was made to keep PyTorch's two biases as separate parameters */
    public boolean separateBiases() {
        return separateBiases;
    }

    /**
     * @param input {@code [B, d]} or {@code [d]}
     * @param state {@code (h, c)}, each {@code [B, N]} or {@code [N]}, or null for zeros
     * @return the next {@code (h, c)}
     */
    public LstmState forward(Tensor input, LstmState state) {
        SequenceOutput r = step(input, state == null ? null : state.h(), state == null ? null : state.c(), true);
        return new LstmState(r.hN(), r.cN());
    }

    @Override
    SequenceOutput run(Tensor x, Tensor h, Tensor c) {
        Tensor[] p = kernelWeights();
        return Ops.lstmLayer(x, h, c, p[0], p[1], p.length > 2 ? p[2] : null, false);
    }

    @Override
    void inferenceStep(Tensor x, Tensor h, Tensor c, Tensor[] w, Tensor zeroBias, Tensor gates, Tensor tanhC) {
        int b = x.size(0);
        int d = inputSize();
        int n = hiddenSize();
        int g = 4 * n;
        Dispatch.gemm(false, true, b, g, d, 1, x, 0, d, w[0], 0, d, 0, gates, 0, g);
        Dispatch.gemm(false, true, b, g, n, 1, h, 0, n, w[1], 0, n, 1, gates, 0, g);
        Dispatch.lstmForward(b, n, gates, 0, w.length > 2 ? w[2] : zeroBias, c, 0, c, 0, tanhC, 0, h, 0);
    }
}
