package dev.lanes.serve;

import dev.lanes.kernel.Activation;
import dev.lanes.kernel.internal.ArrayChecks;
import dev.lanes.nn.GRUCell;
import dev.lanes.nn.LSTMCell;
import dev.lanes.nn.LstmState;
import dev.lanes.nn.RNNCell;
import dev.lanes.nn.RecurrentCell;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.HashMap;
import java.util.Map;

/**
 * A frozen recurrent cell for serving: the weights are copied (in F32) when the plan is made
 * and never change, so any number of threads can run {@link RecurrentSession}s on one plan at
 * once; each session owns its state and buffers, so a step allocates nothing. Training the
 * original cell afterwards does not affect the plan.
 *
 * <p>A step is the cell's captured {@link Plan} for the session's batch (one plan per batch size,
 * made by the first session of that size), with the state as inputs and outputs: the cell's own
 * forward and kernels, so a step gives the bits of the live cell in eval mode.
 */
public final class RecurrentPlan {

    private final RecurrentCell cell;
    private final NonFinitePolicy policy;
    private final CaptureOptions options;
    /** The step's plan per batch size; guarded by this. */
    private final Map<Integer, Plan> plans = new HashMap<>();

    private RecurrentPlan(RecurrentCell frozen, NonFinitePolicy policy, CaptureOptions options) {
        this.cell = frozen;
        this.policy = policy;
        this.options = options;
    }

    /**
     * Freezes a cell's current weights. An {@link RNNCell} or {@link LSTMCell} that keeps
     * PyTorch's {@code bias_ih} and {@code bias_hh} as separate parameters is frozen with their
     * sum (added in double, rounded once), the one bias per gate its kernel uses, so a step adds
     * nothing.
     *
     * @param cell   an {@link LSTMCell}, {@link GRUCell} or {@link RNNCell}
     * @param policy what sessions do with non-finite inputs
     * @return the plan
     * @throws IllegalArgumentException when the cell is of another kind, or a parameter holds NaN,
     *                                  an infinity or a value beyond the float range (the parameter
     *                                  named, with its first bad element)
     */
    public static RecurrentPlan freeze(RecurrentCell cell, NonFinitePolicy policy) {
        return freeze(cell, policy, CaptureOptions.defaults());
    }

    /**
     * {@link #freeze(RecurrentCell, NonFinitePolicy)} with the step's plans built as {@code options}
     * say: {@link CaptureOptions#withBf16Weights BF16 weights}, say, which halve the bytes a step
     * streams.
     *
     * @throws IllegalArgumentException as {@link #freeze(RecurrentCell, NonFinitePolicy)}, or when a
     *                                  weight is beyond BF16's range with BF16 weights (on the
     *                                  first session of a batch size)
     */
    public static RecurrentPlan freeze(RecurrentCell cell, NonFinitePolicy policy, CaptureOptions options) {
        if (cell == null || policy == null || options == null) {
            throw new NullPointerException("RecurrentPlan.freeze: " + (cell == null ? "cell" : policy == null
                    ? "policy" : "options") + " is null");
        }
        FreezeChecks.finite("RecurrentPlan.freeze: " + cell.getClass().getSimpleName(), cell.namedParameters(), true);
        // Loaded by PyTorch's names into a one-bias copy, which adds a separate pair of biases.
        Map<String, Tensor> state = cell.stateDict();
        boolean bias = state.containsKey("bias_ih");
        int d = cell.inputSize();
        int n = cell.hiddenSize();
        Generator unused = new Generator(0);
        RecurrentCell copy = switch (cell) {
            case LSTMCell c -> new LSTMCell(d, n, bias, DType.F32, unused);
            case GRUCell c -> new GRUCell(d, n, bias, DType.F32, unused);
            case RNNCell c -> new RNNCell(d, n, bias, c.nonlinearity(), DType.F32, unused);
            default -> throw new IllegalArgumentException("RecurrentPlan.freeze: cannot freeze a "
                    + cell.getClass().getName());
        };
        copy.loadStateDict(state);
        copy.eval();
        return new RecurrentPlan(copy, policy, options);
    }

    /** {@link #freeze(RecurrentCell, NonFinitePolicy)} with {@link NonFinitePolicy#PROPAGATE}. */
    public static RecurrentPlan freeze(RecurrentCell cell) {
        return freeze(cell, NonFinitePolicy.PROPAGATE);
    }

    /**
     * @param batch the number of streams stepped together, >= 1, such that the step's buffers
     *              fit in arrays (for example {@code batch x 4 x hiddenSize()} floats of an LSTM's
     *              gates at most {@code Integer.MAX_VALUE - 8})
     * @return a new session with zero states, for one thread at a time (a second thread entering
     *         it during a call gets an {@link IllegalStateException})
     * @throws IllegalArgumentException when {@code batch} is below 1 or a buffer would not fit in
     *                                  an array (the sizes named)
     */
    public RecurrentSession session(int batch) {
        return session(batch, false, "RecurrentPlan.session");
    }

    /**
     * {@link #session(int)} whose steps spread over the library's threads, as
     * {@link Plan#parallelSession()} does (the same bits, nothing allocated per step): for one
     * latency-bound stream on an otherwise idle machine.
     *
     * @throws IllegalArgumentException as {@link #session(int)}
     */
    public RecurrentSession parallelSession(int batch) {
        return session(batch, true, "RecurrentPlan.parallelSession");
    }

    private RecurrentSession session(int batch, boolean parallel, String op) {
        if (batch < 1) {
            throw new IllegalArgumentException(op + ": batch must be >= 1, got " + batch);
        }
        int d = cell.inputSize();
        int n = cell.hiddenSize();
        int gates = cell instanceof LSTMCell ? 4 : cell instanceof GRUCell ? 3 : 1;
        ArrayChecks.arrayLength(op, "floats of input", batch, d);
        ArrayChecks.arrayLength(op, "floats of gates", batch, gates, n);
        Plan p = plan(batch);
        return new RecurrentSession(parallel ? p.parallelSession() : p.session(), policy, d, n, hasCellState());
    }

    /** The step's plan for {@code batch} streams: inputs x, h (and c), outputs h' (and c'). */
    private synchronized Plan plan(int batch) {
        Plan p = plans.get(batch);
        if (p == null) {
            int d = cell.inputSize();
            int n = cell.hiddenSize();
            Tensor x = Tensor.zeros(DType.F32, batch, d);
            Tensor h = Tensor.zeros(DType.F32, batch, n);
            if (cell instanceof LSTMCell lstm) {
                p = Plan.capture(lstm, options, in -> {
                    LstmState s = lstm.forward(in[0], new LstmState(in[1], in[2]));
                    return new Tensor[] {s.h(), s.c()};
                }, x, h, Tensor.zeros(DType.F32, batch, n));
            } else if (cell instanceof GRUCell gru) {
                p = Plan.capture(gru, options, in -> new Tensor[] {gru.forward(in[0], in[1])}, x, h);
            } else {
                RNNCell rnn = (RNNCell) cell;
                p = Plan.capture(rnn, options, in -> new Tensor[] {rnn.forward(in[0], in[1])}, x, h);
            }
            plans.put(batch, p);
        }
        return p;
    }

    /** @return the input features per step */
    public int inputSize() {
        return cell.inputSize();
    }

    /** @return the state features */
    public int hiddenSize() {
        return cell.hiddenSize();
    }

    /** @return whether sessions keep a cell state (LSTM) */
    public boolean hasCellState() {
        return cell instanceof LSTMCell;
    }

    /** @return the activation of a frozen RNN cell, or null for LSTM and GRU */
    public Activation nonlinearity() {
        return cell instanceof RNNCell r ? r.nonlinearity() : null;
    }
}
