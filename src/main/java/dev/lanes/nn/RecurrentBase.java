package dev.lanes.nn;

import dev.lanes.autograd.Ops;
import dev.lanes.autograd.internal.ZeroState;
import dev.lanes.autograd.SequenceOutput;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Shape;
import dev.lanes.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@link RNN}, {@link LSTM} and {@link GRU} share, as PyTorch's {@code RNNBase}: stacked
 * layers, optional reverse direction, batch-first layout, dropout between layers, input and
 * state checks with PyTorch's messages, and PyTorch's parameter names ({@code weight_ih_l0},
 * {@code weight_hh_l1_reverse}, ...). Each layer and direction runs as one fused tape node.
 *
 * <p>Shapes: input {@code [T, B, d]} ({@code [B, T, d]} when batch-first, {@code [T, d]}
 * unbatched), output {@code [T, B, D * N]}, states {@code [L * D, B, N]} ({@code [L * D, N]}
 * unbatched), with D = 2 when bidirectional.
 */
abstract sealed class RecurrentBase extends Layer permits RNN, LSTM, GRU {

    private final String kind;
    private final RecurrentOptions options;
    private final int gates;
    private final Generator dropoutGen;
    private final List<SummedBias> summedBiases = new ArrayList<>();
    /** Whether the biases are PyTorch's pair as parameters but one sum in the kernel (RNN, LSTM). */
    private final boolean sumsBiasPair;
    /** Per layer and direction (index layer * D + direction): W_ih, W_hh, then the biases. */
    private final List<Parameter[]> weights = new ArrayList<>();

    /**
     * Registers the parameters in PyTorch's order, each drawn from U(-1/sqrt(N), 1/sqrt(N)) as
     * PyTorch does; a single bias is the sum of two such draws (PyTorch's {@code b_ih + b_hh}),
     * and the same two draws are the pair when the biases are kept separate, so both layouts
     * start from the same effective bias.
     *
     * @param kind       the name in messages ("LSTM")
     * @param gates      gate rows per weight (1, 4 or 3)
     * @param twoBiases  whether the layer's kernel takes PyTorch's two biases (GRU) rather than
     *                   their sum
     * @param options    the sizes and flags
     * @param gen        the source of the initial values and of the dropout masks
     */
    protected RecurrentBase(String kind, int gates, boolean twoBiases, RecurrentOptions options, Generator gen) {
        if (gen == null) {
            throw new NullPointerException(kind + ": generator is null");
        }
        this.kind = kind;
        this.options = options;
        this.gates = gates;
        this.dropoutGen = gen;
        this.sumsBiasPair = options.bias() && options.separateBiases() && !twoBiases;
        int n = options.hiddenSize();
        double bound = 1 / Math.sqrt(n);
        for (int layer = 0; layer < options.numLayers(); layer++) {
            for (int dir = 0; dir < options.directions(); dir++) {
                String suffix = "_l" + layer + (dir == 1 ? "_reverse" : "");
                int in = layer == 0 ? options.inputSize() : n * options.directions();
                List<Parameter> p = new ArrayList<>();
                p.add(registerParameter("weight_ih" + suffix,
                        Tensor.uniform(gen, options.dtype(), -bound, bound, gates * n, in)));
                p.add(registerParameter("weight_hh" + suffix,
                        Tensor.uniform(gen, options.dtype(), -bound, bound, gates * n, n)));
                if (options.bias()) {
                    Tensor bIh = Tensor.uniform(gen, options.dtype(), -bound, bound, gates * n);
                    Tensor bHh = Tensor.uniform(gen, options.dtype(), -bound, bound, gates * n);
                    if (twoBiases || options.separateBiases()) {
                        p.add(registerParameter("bias_ih" + suffix, bIh));
                        p.add(registerParameter("bias_hh" + suffix, bHh));
                    } else {
                        p.add(registerParameter("bias" + suffix, Ops.add(bIh, bHh)));
                        summedBiases.add(new SummedBias("bias" + suffix, "bias_ih" + suffix, "bias_hh" + suffix));
                    }
                }
                weights.add(p.toArray(new Parameter[0]));
            }
        }
    }

    /** @return the generator of the dropout between stacked layers (used when {@code options().dropout() > 0}) */
    public final Generator dropoutGenerator() {
        return dropoutGen;
    }

    /** @return the sizes and flags */
    public final RecurrentOptions options() {
        return options;
    }

    /**
     * Runs one direction of one layer over a time-major sequence.
     *
     * @param x       {@code [T, B, in]}
     * @param h0      {@code [B, N]}
     * @param c0      {@code [B, N]} for LSTM, else null
     * @param p       W_ih, W_hh and the biases as the kernel takes them (one per gate for RNN and
     *                LSTM, two for GRU, none without bias)
     * @param reverse whether this is the reverse direction
     */
    protected abstract SequenceOutput layer(Tensor x, Tensor h0, Tensor c0, Tensor[] p, boolean reverse);

    /** @return the parameters' current type (it follows {@link #to}) */
    private DType dtype() {
        return weights.get(0)[0].tensor().dtype();
    }

    /** @return whether the layer has a cell state (LSTM) */
    protected boolean hasCellState() {
        return false;
    }

    /** The output sequence only, from zero initial states. */
    @Override
    public Tensor forward(Tensor input) {
        return run(input, null, null).output();
    }

    /**
     * The whole forward pass.
     *
     * @param input the sequence
     * @param h0    initial hidden states, or null for zeros
     * @param c0    initial cell states (LSTM; given with h0 or not at all), else null
     */
    protected final SequenceOutput run(Tensor input, Tensor h0, Tensor c0) {
        boolean batched = checkInput(input);
        int batch = batched ? input.size(options.batchFirst() ? 0 : 1) : 1;
        int states = options.numLayers() * options.directions();
        int n = options.hiddenSize();
        if (hasCellState() && (h0 == null) != (c0 == null)) {
            throw new IllegalArgumentException(kind + ": give both h0 and c0 or neither");
        }
        if (h0 != null) {
            checkState("hidden", h0, batched, states, batch, n);
        }
        if (c0 != null) {
            checkState("hidden[1]", c0, batched, states, batch, n);
        }
        Tensor x = batched ? input : Ops.reshape(input, input.size(0), 1, input.size(1));
        if (batched && options.batchFirst()) {
            x = Ops.transpose(x, 0, 1);
        }
        Tensor h = h0 == null ? null : Ops.reshape(h0, states, batch, n);
        Tensor c = c0 == null ? null : Ops.reshape(c0, states, batch, n);
        List<Tensor> hN = new ArrayList<>();
        List<Tensor> cN = new ArrayList<>();
        for (int layer = 0; layer < options.numLayers(); layer++) {
            List<Tensor> outs = new ArrayList<>();
            for (int dir = 0; dir < options.directions(); dir++) {
                int idx = layer * options.directions() + dir;
                Tensor hi = initial(h, idx, batch, n);
                Tensor ci = hasCellState() ? initial(c, idx, batch, n) : null;
                Parameter[] slots = weights.get(idx);
                Tensor[] p = new Tensor[slots.length];
                for (int i = 0; i < p.length; i++) {
                    p[i] = slots[i].tensor();
                }
                if (sumsBiasPair) {
                    p = BiasPair.summed(p);
                }
                SequenceOutput r = layer(x, hi, ci, p, dir == 1);
                outs.add(r.output());
                hN.add(r.hN());
                cN.add(r.cN());
            }
            x = outs.size() == 1 ? outs.get(0) : Ops.cat(outs, 2);
            if (options.dropout() > 0 && isTraining() && layer < options.numLayers() - 1) {
                x = Ops.dropout(x, options.dropout(), dropoutGen);
            }
        }
        Tensor output = x;
        if (batched && options.batchFirst()) {
            output = Ops.transpose(output, 0, 1);
        }
        int[] stateDims = batched ? new int[] {states, batch, n} : new int[] {states, n};
        if (!batched) {
            output = Ops.reshape(output, output.size(0), output.size(2));
        }
        Tensor hOut = Ops.reshape(Ops.stack(hN, 0), stateDims);
        Tensor cOut = hasCellState() ? Ops.reshape(Ops.stack(cN, 0), stateDims) : null;
        return new SequenceOutput(output, hOut, cOut);
    }

    /** @return state {@code idx} of {@code [L * D, B, N]} as {@code [B, N]}, or zeros */
    private Tensor initial(Tensor states, int idx, int batch, int n) {
        if (states == null) {
            return ZeroState.zeros(dtype(), batch, n);
        }
        return Ops.reshape(Ops.narrow(states, 0, idx, 1), batch, n);
    }

    /** PyTorch's {@code check_input}; @return whether the input is batched */
    private boolean checkInput(Tensor input) {
        if (input == null) {
            throw new NullPointerException(kind + ": input is null");
        }
        if (input.rank() != 2 && input.rank() != 3) {
            throw new IllegalArgumentException(kind + ": Expected input to be 2D or 3D, got " + input.rank()
                    + "D instead (shape " + input.shape() + ")");
        }
        if (input.dtype() != dtype()) {
            throw new IllegalArgumentException(kind + ": input must have the type " + dtype() + ", got "
                    + input.dtype());
        }
        if (input.size(-1) != options.inputSize()) {
            throw new IllegalArgumentException(kind + ": input.size(-1) must be equal to input_size. Expected "
                    + options.inputSize() + ", got " + input.size(-1));
        }
        if (input.numel() == 0) {
            throw new IllegalArgumentException(kind + ": Expected sequence length and batch size to be larger than 0,"
                    + " got input of shape " + input.shape());
        }
        return input.rank() == 3;
    }

    /** PyTorch's {@code check_hidden_size}. */
    private void checkState(String what, Tensor hx, boolean batched, int states, int batch, int n) {
        if (hx.dtype() != dtype()) {
            throw new IllegalArgumentException(kind + ": " + what + " must have the type " + dtype()
                    + ", got " + hx.dtype());
        }
        if (batched && hx.rank() != 3) {
            throw new IllegalArgumentException(kind + ": For batched 3-D input, hx should also be 3-D but got "
                    + hx.rank() + "-D tensor");
        }
        if (!batched && hx.rank() != 2) {
            throw new IllegalArgumentException(kind + ": For unbatched 2-D input, hx should also be 2-D but got "
                    + hx.rank() + "-D tensor");
        }
        Shape expected = batched ? Shape.of(states, batch, n) : Shape.of(states, n);
        if (!hx.shape().equals(expected)) {
            throw new IllegalArgumentException(kind + ": Expected " + what + " size " + expected + ", got "
                    + hx.shape());
        }
    }

    @Override
    protected Map<String, Tensor> ownStateDict() {
        return SummedBias.export(super.ownStateDict(), summedBiases);
    }

    @Override
    protected Map<String, Tensor> ownStateToSlots(Map<String, Tensor> given, String prefix, List<String> problems) {
        return SummedBias.importState(given, summedBiases, prefix, problems);
    }

    @Override
    protected String extraRepr() {
        StringBuilder b = new StringBuilder().append(options.inputSize()).append(", ").append(options.hiddenSize());
        if (options.numLayers() != 1) {
            b.append(", num_layers=").append(options.numLayers());
        }
        if (!options.bias()) {
            b.append(", bias=False");
        }
        if (options.batchFirst()) {
            b.append(", batch_first=True");
        }
        if (options.dropout() != 0) {
            b.append(", dropout=").append(options.dropout());
        }
        if (options.bidirectional()) {
            b.append(", bidirectional=True");
        }
        return b.toString();
    }
}
