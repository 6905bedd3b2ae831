package dev.lanes.nn;

import dev.lanes.autograd.Ops;
import dev.lanes.autograd.internal.ZeroState;
import dev.lanes.autograd.SequenceOutput;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@link RNNCell}, {@link LSTMCell} and {@link GRUCell} share, as PyTorch's
 * {@code RNNCellBase}: parameters {@code weight_ih [G N, d]}, {@code weight_hh [G N, N]} and the
 * biases, initialised from U(-1/sqrt(N), 1/sqrt(N)); input {@code [B, d]} or unbatched
 * {@code [d]}, states {@code [B, N]} or {@code [N]}, zeros when absent. A step runs through the
 * same fused tape node as a one-step sequence layer.
 *
 * <p>{@link RNNCell} and {@link LSTMCell} keep one bias per gate by default and, when made with
 * separate biases, PyTorch's {@code bias_ih} and {@code bias_hh} as two parameters (see
 * {@link RecurrentOptions} for why training differs); {@link GRUCell} always keeps both.
 */
public abstract sealed class RecurrentCell extends Layer permits RNNCell, LSTMCell, GRUCell {

    private final String kind;
    private final int gates;
    private final int inputSize;
    private final int hiddenSize;
    private final List<SummedBias> summedBiases = new ArrayList<>();
    private final List<Parameter> slots = new ArrayList<>();
    /** Whether the biases are PyTorch's pair as parameters but one sum in the kernel (RNN, LSTM). */
    private final boolean sumsBiasPair;

    /**
     * @param kind       the name in messages ("LSTMCell")
     * @param gates      gate rows per weight (1, 4 or 3)
     * @param twoBiases  whether the cell's kernel takes PyTorch's two biases (GRU) rather than
     *                   their sum
     * @param separate   whether a cell whose kernel takes the sum keeps the two as parameters
     * @param inputSize  features of the input, >= 1
     * @param hiddenSize features of the state, >= 1
     * @param bias       whether to have biases
     * @param dtype      parameter type
     * @param gen        the source of the initial values
     */
    protected RecurrentCell(String kind, int gates, boolean twoBiases, boolean separate, int inputSize,
                            int hiddenSize, boolean bias, DType dtype, Generator gen) {
        if (inputSize < 1 || hiddenSize < 1) {
            throw new IllegalArgumentException(kind + ": input_size and hidden_size must be >= 1, got input_size="
                    + inputSize + ", hidden_size=" + hiddenSize);
        }
        this.kind = kind;
        this.gates = gates;
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.sumsBiasPair = bias && separate && !twoBiases;
        double bound = 1 / Math.sqrt(hiddenSize);
        int rows = gates * hiddenSize;
        slots.add(registerParameter("weight_ih", Tensor.uniform(gen, dtype, -bound, bound, rows, inputSize)));
        slots.add(registerParameter("weight_hh", Tensor.uniform(gen, dtype, -bound, bound, rows, hiddenSize)));
        if (bias) {
            Tensor bIh = Tensor.uniform(gen, dtype, -bound, bound, rows);
            Tensor bHh = Tensor.uniform(gen, dtype, -bound, bound, rows);
            // The pair and the sum come from the same two draws, so both start from one effective bias.
            if (twoBiases || separate) {
                slots.add(registerParameter("bias_ih", bIh));
                slots.add(registerParameter("bias_hh", bHh));
            } else {
                slots.add(registerParameter("bias", Ops.add(bIh, bHh)));
                summedBiases.add(new SummedBias("bias", "bias_ih", "bias_hh"));
            }
        }
    }

    /** @return the parameters' current type (it follows {@link #to}) */
    private DType dtype() {
        return slots.get(0).tensor().dtype();
    }

    /** @return the gate rows per weight: 1 (RNN), 4 (LSTM) or 3 (GRU) */
    final int gates() {
        return gates;
    }

    /**
     * @param batch the number of sequences fed together, >= 1, such that the session's buffers
     *              ({@code batch x gates x hiddenSize} elements of gate scratch, {@code batch x
     *              inputSize} of input) fit in arrays
     * @return a new streaming inference session with zero states, for one thread at a time; see
     *         {@link CellSession}
     * @throws IllegalArgumentException when {@code batch} is below 1 or a buffer would not fit in
     *                                  an array (the sizes named)
     */
    public final CellSession session(int batch) {
        return new CellSession(this, batch);
    }

    /**
     * One inference step in place, with the same operations in the same order as the fused
     * layer, so the bits match {@code forward}: {@code h} (and {@code c}) are replaced by the next
     * state. Allocates nothing.
     *
     * @param w        the current weights as the kernel takes them (as {@link #kernelWeights()})
     * @param zeroBias zeros of the bias length, for a cell without bias
     * @param s1       scratch {@code [B, G N]}
     * @param s2       scratch {@code [B, G N]}
     */
    abstract void inferenceStep(Tensor x, Tensor h, Tensor c, Tensor[] w, Tensor zeroBias, Tensor s1, Tensor s2);

    /** @return the input features */
    public final int inputSize() {
        return inputSize;
    }

    /** @return the state features */
    public final int hiddenSize() {
        return hiddenSize;
    }

    /** @return the current parameter tensors: W_ih, W_hh, then the biases */
    protected final Tensor[] weights() {
        return weightsInto(new Tensor[slots.size()]);
    }

    /** Fills {@code out} (one slot per parameter) with the current parameter tensors, allocating nothing; @return out */
    final Tensor[] weightsInto(Tensor[] out) {
        for (int i = 0; i < out.length; i++) {
            out[i] = slots.get(i).tensor();
        }
        return out;
    }

    /** @return whether the bias parameters are PyTorch's pair while the kernel takes their sum */
    final boolean sumsBiasPair() {
        return sumsBiasPair;
    }

    /**
     * @return the current parameters as the fused kernel takes them: W_ih, W_hh, then the biases,
     *         a separate pair added on the tape into the one bias of an RNN or LSTM kernel
     */
    final Tensor[] kernelWeights() {
        return sumsBiasPair ? BiasPair.summed(weights()) : weights();
    }

    /**
     * Checks the arguments and runs one step.
     *
     * @param input {@code [B, d]} or {@code [d]}
     * @param hx    {@code [B, N]} or {@code [N]}, or null for zeros
     * @param cx    the cell state for LSTM (given exactly when {@code hx} is), else null
     * @param cell  whether there is a cell state
     * @return h' (and c') shaped like the states
     */
    protected final SequenceOutput step(Tensor input, Tensor hx, Tensor cx, boolean cell) {
        if (input == null) {
            throw new NullPointerException(kind + ": input is null");
        }
        if (input.rank() != 1 && input.rank() != 2) {
            throw new IllegalArgumentException(kind + ": Expected input to be 1D or 2D, got " + input.rank()
                    + "D instead (shape " + input.shape() + ")");
        }
        if (input.dtype() != dtype()) {
            throw new IllegalArgumentException(kind + ": input must have the type " + dtype() + ", got "
                    + input.dtype());
        }
        if (input.size(-1) != inputSize) {
            throw new IllegalArgumentException(kind + ": input has inconsistent input_size: got " + input.size(-1)
                    + " expected " + inputSize);
        }
        if (cell && (hx == null) != (cx == null)) {
            throw new IllegalArgumentException(kind + ": give both h and c or neither");
        }
        boolean batched = input.rank() == 2;
        int batch = batched ? input.size(0) : 1;
        if (batch < 1) {
            throw new IllegalArgumentException(kind + ": the batch is empty (input " + input.shape() + ")");
        }
        Tensor h = state("hx", hx, batched, batch);
        Tensor c = cell ? state("cx", cx, batched, batch) : null;
        SequenceOutput r = run(Ops.reshape(input, 1, batch, inputSize), h, c);
        if (batched) {
            return new SequenceOutput(r.hN(), r.hN(), r.cN());
        }
        Tensor h1 = Ops.reshape(r.hN(), hiddenSize);
        return new SequenceOutput(h1, h1, cell ? Ops.reshape(r.cN(), hiddenSize) : null);
    }

    /** Runs the fused layer for one step: x {@code [1, B, d]}, states {@code [B, N]}. */
    abstract SequenceOutput run(Tensor x, Tensor h, Tensor c);

    private Tensor state(String name, Tensor s, boolean batched, int batch) {
        if (s == null) {
            return ZeroState.zeros(dtype(), batch, hiddenSize);
        }
        if (s.dtype() != dtype()) {
            throw new IllegalArgumentException(kind + ": " + name + " must have the type " + dtype() + ", got "
                    + s.dtype());
        }
        if (s.rank() != (batched ? 2 : 1)) {
            throw new IllegalArgumentException(kind + ": Expected " + name + " to be " + (batched ? "2D" : "1D")
                    + " for " + (batched ? "batched" : "unbatched") + " input, got " + s.rank() + "D (shape "
                    + s.shape() + ")");
        }
        if (batched && s.size(0) != batch) {
            throw new IllegalArgumentException(kind + ": Input batch size " + batch + " doesn't match " + name
                    + " batch size " + s.size(0));
        }
        if (s.size(-1) != hiddenSize) {
            throw new IllegalArgumentException(kind + ": " + name + " has inconsistent hidden_size: got "
                    + s.size(-1) + ", expected " + hiddenSize);
        }
        return batched ? s : Ops.reshape(s, 1, hiddenSize);
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
        return inputSize + ", " + hiddenSize + (slots.size() == 2 ? ", bias=False" : "");
    }
}
