package dev.lanes.nn;

import dev.lanes.kernel.internal.ArrayChecks;
import dev.lanes.kernel.internal.Parallel;
import dev.lanes.kernel.internal.SessionGuard;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import java.util.Arrays;

/**
 * Streaming inference on a recurrent cell: a fixed batch, fed one time step at a time, with the
 * state kept between steps, the serving pattern of LSTM and GRU services. All buffers are made
 * once, so {@link #step()} allocates nothing and records no tape; its kernels run on the calling
 * thread ({@link Parallel#serially}), so sessions on many threads do not compete for the pool
 * and a large cell does not allocate a parallel job per step. Each step reads the cell's
 * current weights, so a session follows training and {@link Layer#loadStateDict}; a step gives
 * the same bits as the cell's {@code forward} on the same input and state.
 *
 * <p>Not thread-safe: use one session per thread (or per stream); any number of sessions may
 * share one cell while its weights do not change. A {@link #step()} or {@link #reset()} that
 * starts while another thread's call is running on the same session is refused with an
 * {@link IllegalStateException} (the running call and the state are not disturbed). Writes to
 * {@link #input()} are the caller's own and cannot be guarded. A session may pass from thread
 * to thread between calls.
 */
public final class CellSession {

    private final RecurrentCell cell;
    private final Tensor input;
    private final Tensor h;
    private final Tensor c;
    private final Tensor scratch;
    private final Tensor scratch2;
    private final Tensor zeroBias;
    private final Tensor[] weights;
    /** For a cell with a separate bias pair: their sum and the weights as the kernel takes them; else null. */
    private final Tensor biasSum;
    private final Tensor[] kernelWeights;
    private final Runnable advance = this::advance;
    private final SessionGuard guard = new SessionGuard("cell.session(...)");

    CellSession(RecurrentCell cell, int batch) {
        String op = cell.getClass().getSimpleName() + ".session";
        if (batch < 1) {
            throw new IllegalArgumentException(op + ": batch must be >= 1, got " + batch);
        }
        this.cell = cell;
        int n = cell.hiddenSize();
        int g = cell.gates() * n;
        ArrayChecks.arrayLength(op, "elements of input", batch, cell.inputSize());
        ArrayChecks.arrayLength(op, "elements of gate scratch", batch, cell.gates(), n);
        DType dtype = cell.weights()[0].dtype();
        this.input = Tensor.zeros(dtype, batch, cell.inputSize());
        this.h = Tensor.zeros(dtype, batch, n);
        this.c = cell.gates() == 4 ? Tensor.zeros(dtype, batch, n) : null;
        this.scratch = Tensor.zeros(dtype, batch, g);
        this.scratch2 = Tensor.zeros(dtype, batch, g);
        this.zeroBias = Tensor.zeros(dtype, g);
        this.weights = cell.weights();
        this.biasSum = cell.sumsBiasPair() ? Tensor.zeros(dtype, g) : null;
        this.kernelWeights = cell.sumsBiasPair() ? new Tensor[3] : null;
    }

    /** @return the input buffer {@code [B, d]}: write the next step's input here, then call {@link #step()} */
    public Tensor input() {
        return input;
    }

    /** @return the hidden state {@code [B, N]}, updated in place by each step */
    public Tensor hidden() {
        return h;
    }

    /** @return the cell state {@code [B, N]} of an LSTM cell, updated in place; null for other cells */
    public Tensor cellState() {
        return c;
    }

    /**
     * Sets the states back to zeros, to start a new sequence.
     *
     * @throws IllegalStateException when another thread is running a call on this session
     */
    public void reset() {
        guard.enter("CellSession.reset");
        try {
            clear(h);
            if (c != null) {
                clear(c);
            }
        } finally {
            guard.exit();
        }
    }

    private static void clear(Tensor t) {
        if (t.dtype() == DType.F32) {
            Arrays.fill(t.f32(), 0f);
        } else {
            Arrays.fill(t.f64(), 0);
        }
    }

    /**
     * Advances one step from {@link #input()}.
     *
     * @return {@link #hidden()}, the new hidden state
     * @throws IllegalStateException when the cell's parameters changed dtype since the session was
     *                               made, or another thread is running a call on this session
     */
    public Tensor step() {
        guard.enter("CellSession.step");
        try {
            Parallel.serially(advance);
            return h;
        } finally {
            guard.exit();
        }
    }

    private void advance() {
        Tensor[] w = cell.weightsInto(weights);
        if (w[0].dtype() != input.dtype()) {
            throw new IllegalStateException("session: the cell's parameters are now " + w[0].dtype()
                    + ", the session was made for " + input.dtype() + "; make a new session");
        }
        if (biasSum != null) {
            // Added every step, like the weights read every step, so the session follows training.
            w = BiasPair.summedInto(w, biasSum, kernelWeights);
        }
        cell.inferenceStep(input, h, c, w, zeroBias, scratch, scratch2);
    }
}
