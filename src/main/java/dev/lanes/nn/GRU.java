package dev.lanes.nn;

import dev.lanes.autograd.Ops;
import dev.lanes.autograd.SequenceOutput;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;

/**
 * {@code torch.nn.GRU}: per layer and step, with gate rows r, z, n,
 * {@code r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)}, {@code z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)},
 * {@code n = tanh(W_in x + b_in + r * (W_hn h + b_hn))}, {@code h' = (1 - z) n + z h}.
 *
 * <p>Both of PyTorch's biases are kept ({@code b_hn} sits inside the reset product, so it cannot
 * be merged): {@code parameterCount()} of one layer is {@code 3 (N d + N^2 + 2N)}, and
 * {@link RecurrentOptions#separateBiases()} changes nothing.
 */
public final class GRU extends RecurrentBase {

    /**
     * @param options sizes and flags
     * @param gen     the source of the initial values and dropout masks
     */
    public GRU(RecurrentOptions options, Generator gen) {
        super("GRU", 3, true, options, gen);
    }

    /** A one-layer F32 GRU with biases. */
    public GRU(int inputSize, int hiddenSize, Generator gen) {
        this(RecurrentOptions.of(inputSize, hiddenSize), gen);
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
        return Ops.gruLayer(x, h0, p[0], p[1], p.length > 2 ? p[2] : null, p.length > 2 ? p[3] : null, reverse);
    }
}
