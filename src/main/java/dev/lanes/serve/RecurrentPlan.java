package dev.lanes.serve;

import dev.lanes.kernel.Activation;
import dev.lanes.nn.CellSession;
import dev.lanes.nn.GRUCell;
import dev.lanes.nn.LSTMCell;
import dev.lanes.nn.RNNCell;
import dev.lanes.nn.RecurrentCell;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.Map;

/**
 * A frozen recurrent cell for serving: the weights are copied (in F32) when the plan is made
 * and never change, so any number of threads can run {@link RecurrentSession}s on one plan at
 * once; each session owns its state and buffers, so a step allocates nothing. Training the
 * original cell afterwards does not affect the plan.
 */
public final class RecurrentPlan {

    private final RecurrentCell cell;
    private final NonFinitePolicy policy;

    private RecurrentPlan(RecurrentCell frozen, NonFinitePolicy policy) {
        this.cell = frozen;
        this.policy = policy;
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
        if (cell == null || policy == null) {
            throw new NullPointerException("RecurrentPlan.freeze: " + (cell == null ? "cell" : "policy") + " is null");
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
        return new RecurrentPlan(copy, policy);
    }

    /** {@link #freeze(RecurrentCell, NonFinitePolicy)} with {@link NonFinitePolicy#PROPAGATE}. */
    public static RecurrentPlan freeze(RecurrentCell cell) {
        return freeze(cell, NonFinitePolicy.PROPAGATE);
    }

    /**
     * @param batch the number of streams stepped together, >= 1, such that the session's buffers
     *              fit in arrays (for example {@code batch x 4 x hiddenSize()} floats of an LSTM's
     *              gates at most {@code Integer.MAX_VALUE - 8})
     * @return a new session with zero states, for one thread at a time (a second thread entering
     *         it during a call gets an {@link IllegalStateException})
     * @throws IllegalArgumentException when {@code batch} is below 1 or a buffer would not fit in
     *                                  an array (the sizes named)
     */
    public RecurrentSession session(int batch) {
        CellSession s;
        try {
            s = cell.session(batch);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("RecurrentPlan.session: " + e.getMessage(), e);
        }
        return new RecurrentSession(s, policy, cell.inputSize());
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
