package dev.lanes.nn;

import dev.lanes.autograd.Ops;
import dev.lanes.autograd.SequenceOutput;
import dev.lanes.kernel.Activation;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;

/**
 * {@code torch.nn.RNN}, the simple recurrent layer: {@code h_t = f(W x_t + U h_{t-1} + b)} with
 * f tanh (PyTorch's default), relu, or the logistic sigmoid (not offered by PyTorch).
 *
 * <p>One bias, as the equation counts it: {@code parameterCount()} of one layer is
 * {@code N d + N^2 + N}. The state dict speaks PyTorch's names: {@code bias_ih_lK} is the bias
 * and {@code bias_hh_lK} zeros on export; on import the two are added. With
 * {@link RecurrentOptions#withSeparateBiases(boolean) separate biases} the layer keeps PyTorch's
 * {@code bias_ih_lK} and {@code bias_hh_lK} as two parameters ({@code N d + N^2 + 2N} per
 * layer), loaded and saved as they are, and trains exactly as PyTorch does.
 */
public final class RNN extends RecurrentBase {

    private final Activation nonlinearity;

    /**
     * @param options      sizes and flags
     * @param nonlinearity {@link Activation#TANH}, {@link Activation#RELU} or {@link Activation#SIGMOID}
     * @param gen          the source of the initial values and dropout masks
     */
    public RNN(RecurrentOptions options, Activation nonlinearity, Generator gen) {
        super("RNN", 1, false, options, gen);
        this.nonlinearity = checkNonlinearity("RNN", nonlinearity);
    }

    /** A one-layer F32 tanh RNN with bias. */
    public RNN(int inputSize, int hiddenSize, Generator gen) {
        this(RecurrentOptions.of(inputSize, hiddenSize), Activation.TANH, gen);
    }

    static Activation checkNonlinearity(String kind, Activation f) {
        if (f != Activation.TANH && f != Activation.RELU && f != Activation.SIGMOID) {
            throw new IllegalArgumentException(kind + ": unknown nonlinearity '" + f + "' (TANH, RELU or SIGMOID)");
        }
        return f;
    }

    /** @return the activation */
    public Activation nonlinearity() {
        return nonlinearity;
    }

    /**
     * @param input the sequence ({@code [T, B, d]}, {@code [B, T, d]} batch-first, or {@code [T, d]})
     * @param h0    initial states {@code [L * D, B, N]}, or null for zeros
     * @return output {@code [T, B, D * N]} and h_n {@code [L * D, B, N]}
     */
    public SequenceOutput forward(Tensor input, Tensor h0) {
        return run(input, h0, null);
    }

    @Override
    protected SequenceOutput layer(Tensor x, Tensor h0, Tensor c0, Tensor[] p, boolean reverse) {
        return Ops.rnnLayer(x, h0, p[0], p[1], p.length > 2 ? p[2] : null, nonlinearity, reverse);
    }
}
