package dev.lanes.nn;

import dev.lanes.autograd.Ops;
import dev.lanes.autograd.SequenceOutput;
import dev.lanes.kernel.Activation;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.Dispatch;

/**
 * {@code torch.nn.RNNCell}: {@code h' = f(W x + U h + b)} with f tanh, relu or sigmoid. One bias
 * ({@code N d + N^2 + N} parameters), exported as PyTorch's {@code bias_ih} with a zero
 * {@code bias_hh} and imported as their sum; or, made with {@code separateBiases}, PyTorch's
 * {@code bias_ih} and {@code bias_hh} as two parameters ({@code N d + N^2 + 2N}), saved and
 * loaded as they are, with {@code b = b_ih + b_hh}, which trains as PyTorch's cell does.
 */
public final class RNNCell extends RecurrentCell {

    private final Activation nonlinearity;
    private final boolean separateBiases;

    /**
     * @param inputSize      features of the input
     * @param hiddenSize     features of the state
     * @param bias           whether to have a bias
     * @param separateBiases whether the bias is PyTorch's {@code bias_ih} and {@code bias_hh},
     *                       two trainable parameters, rather than their sum (no effect without
     *                       bias)
     * @param nonlinearity   {@link Activation#TANH}, {@link Activation#RELU} or {@link Activation#SIGMOID}
     * @param dtype          parameter type
     * @param gen            the source of the initial values
     */
    public RNNCell(int inputSize, int hiddenSize, boolean bias, boolean separateBiases, Activation nonlinearity,
                   DType dtype, Generator gen) {
        super("RNNCell", 1, false, separateBiases, inputSize, hiddenSize, bias, dtype, gen);
        this.nonlinearity = RNN.checkNonlinearity("RNNCell", nonlinearity);
        this.separateBiases = separateBiases;
    }

    /**
     * A cell with one bias (if any), as the equation counts it.
     *
     * @param inputSize    features of the input
     * @param hiddenSize   features of the state
     * @param bias         whether to have a bias
     * @param nonlinearity {@link Activation#TANH}, {@link Activation#RELU} or {@link Activation#SIGMOID}
     * @param dtype        parameter type
     * @param gen          the source of the initial values
     */
    public RNNCell(int inputSize, int hiddenSize, boolean bias, Activation nonlinearity, DType dtype,
                   Generator gen) {
        this(inputSize, hiddenSize, bias, false, nonlinearity, dtype, gen);
    }

    /** An F32 tanh cell with a bias. */
    public RNNCell(int inputSize, int hiddenSize, Generator gen) {
        this(inputSize, hiddenSize, true, Activation.TANH, DType.F32, gen);
    }

    /** @return the activation */
    public Activation nonlinearity() {
        return nonlinearity;
    }

    /** @return whether the cell was made to keep PyTorch's two biases as separate parameters */
    public boolean separateBiases() {
        return separateBiases;
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
        Tensor[] p = kernelWeights();
        return Ops.rnnLayer(x, h, p[0], p[1], p.length > 2 ? p[2] : null, nonlinearity, false);
    }

    @Override
    protected String extraRepr() {
        return super.extraRepr() + (nonlinearity == Activation.TANH ? ""
                : ", nonlinearity=" + nonlinearity.name().toLowerCase(java.util.Locale.ROOT));
    }

    @Override
    void inferenceStep(Tensor x, Tensor h, Tensor c, Tensor[] w, Tensor zeroBias, Tensor pre, Tensor unused) {
        int b = x.size(0);
        int d = inputSize();
        int n = hiddenSize();
        Dispatch.gemm(false, true, b, n, d, 1, x, 0, d, w[0], 0, d, 0, pre, 0, n);
        Dispatch.gemm(false, true, b, n, n, 1, h, 0, n, w[1], 0, n, 1, pre, 0, n);
        Dispatch.biasActivate(nonlinearity, b, n, w.length > 2 ? w[2] : zeroBias, pre, 0);
        Dispatch.copy(pre, 0, h, 0, b * n);
    }
}
