package dev.lanes.nn;

import dev.lanes.autograd.Ops;
import dev.lanes.autograd.SequenceOutput;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;

/**
 * {@code torch.nn.LSTM}: per layer and step, with gate rows i, f, g, o,
 * {@code i = sigmoid(W_ii x + U_hi h + b_i)}, {@code f = sigmoid(...)}, {@code g = tanh(...)},
 * {@code o = sigmoid(...)}, {@code c' = f * c + i * g}, {@code h' = o * tanh(c')}.
 *
 * <p>One bias per gate, as the equations count them: {@code parameterCount()} of one layer is
 * {@code 4 (N d + N^2 + N)}. The state dict speaks PyTorch's names: {@code bias_ih_lK} is the
 * bias and {@code bias_hh_lK} zeros on export; on import the two are added. With
 * {@link RecurrentOptions#withSeparateBiases(boolean) separate biases} the layer keeps PyTorch's
 * {@code bias_ih_lK} and {@code bias_hh_lK} as two parameters ({@code 4 (N d + N^2 + 2N)} per
 * layer), loaded and saved as they are, and trains exactly as PyTorch does.
 */
public final class LSTM extends RecurrentBase {

    /**
     * @param options sizes and flags
     * @param gen     the source of the initial values and dropout masks
     */
    public LSTM(RecurrentOptions options, Generator gen) {
        super("LSTM", 4, false, options, gen);
    }

    /** A one-layer F32 LSTM with bias. */
    public LSTM(int inputSize, int hiddenSize, Generator gen) {
        this(RecurrentOptions.of(inputSize, hiddenSize), gen);
    }

    /**
     * @param input the sequence ({@code [T, B, d]}, {@code [B, T, d]} batch-first, or {@code [T, d]})
     * @param h0    initial hidden states {@code [L * D, B, N]}, or null for zeros
     * @param c0    initial cell states, same shape; given exactly when {@code h0} is
     * @return output {@code [T, B, D * N]}, h_n and c_n {@code [L * D, B, N]}
     */
    public SequenceOutput forward(Tensor input, Tensor h0, Tensor c0) {
        return run(input, h0, c0);
    }

    @Override
    protected SequenceOutput layer(Tensor x, Tensor h0, Tensor c0, Tensor[] p, boolean reverse) {
        return Ops.lstmLayer(x, h0, c0, p[0], p[1], p.length > 2 ? p[2] : null, reverse);
    }

    @Override
    protected boolean hasCellState() {
        return true;
    }
}
