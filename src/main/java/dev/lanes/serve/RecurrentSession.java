package dev.lanes.serve;

import dev.lanes.kernel.internal.SessionGuard;

/**
 * One stream (or a fixed batch of streams) on a {@link RecurrentPlan}: feed one time step at a
 * time with {@link #step(float[])}, read the state after it. Allocates nothing per step.
 *
 * <p>Not thread-safe: one session per thread; sessions of one plan are independent. A
 * {@link #step} or {@link #reset} that starts while another thread's call is running on the
 * same session is refused with an {@link IllegalStateException} (the running call and the
 * state are not disturbed), rather than interleaving two updates of one state. A session may
 * pass from thread to thread between calls (a stream served by a pool of threads); the arrays
 * that {@link #step}, {@link #hidden()} and {@link #cellState()} return are the session's own,
 * so read them before handing the session on.
 */
public final class RecurrentSession {

    private final PlanSession plan;
    private final NonFinitePolicy policy;
    private final int width;
    /** The plan's inputs: the step's input and the state, which each step replaces with its outputs. */
    private final float[][] inputs;
    private final float[] hidden;
    private final float[] cell;
    private final SessionGuard guard = new SessionGuard("plan.session(...)");

    RecurrentSession(PlanSession plan, NonFinitePolicy policy, int inputSize, int hiddenSize, boolean cellState) {
        this.plan = plan;
        this.policy = policy;
        this.width = inputSize;
        int batch = plan.plan().inputShape(0).size(0);
        this.hidden = new float[batch * hiddenSize];
        this.cell = cellState ? new float[batch * hiddenSize] : null;
        this.inputs = cellState ? new float[][] {new float[batch * inputSize], hidden, cell}
                : new float[][] {new float[batch * inputSize], hidden};
    }

    /**
     * Advances one step.
     *
     * @param x the step's input, {@code batch * inputSize} floats, row-major
     * @return the hidden state after the step, {@code batch * hiddenSize} floats (the session's
     *         own array, overwritten by the next step)
     * @throws IllegalArgumentException when {@code x} has the wrong length, or holds NaN or an
     *                                  infinity under {@link NonFinitePolicy#REJECT} (the state is
     *                                  then unchanged)
     * @throws IllegalStateException    when another thread is running a call on this session (the
     *                                  state is then unchanged by this call)
     */
    public float[] step(float[] x) {
        guard.enter("RecurrentSession.step");
        try {
            return advance(x);
        } finally {
            guard.exit();
        }
    }

    private float[] advance(float[] x) {
        if (x == null) {
            throw new NullPointerException("RecurrentSession.step: x is null");
        }
        float[] input = inputs[0];
        if (x.length != input.length) {
            throw new IllegalArgumentException("RecurrentSession.step: expected " + input.length + " floats ("
                    + input.length / width + " x " + width + "), got " + x.length);
        }
        if (policy == NonFinitePolicy.REJECT) {
            for (int i = 0; i < x.length; i++) {
                if (!Float.isFinite(x[i])) {
                    throw new IllegalArgumentException("RecurrentSession.step: input element " + i + " (row "
                            + i / width + ", feature " + i % width + ") is " + x[i]
                            + "; this plan rejects non-finite inputs");
                }
            }
        }
        System.arraycopy(x, 0, input, 0, x.length);
        plan.run(inputs);
        System.arraycopy(plan.output(0), 0, hidden, 0, hidden.length);
        if (cell != null) {
            System.arraycopy(plan.output(1), 0, cell, 0, cell.length);
        }
        return hidden;
    }

    /** @return the hidden state, {@code batch * hiddenSize} floats (the session's own array) */
    public float[] hidden() {
        return hidden;
    }

    /** @return the cell state of an LSTM plan (the session's own array), or null */
    public float[] cellState() {
        return cell;
    }

    /**
     * Zeroes the state, to start new sequences.
     *
     * @throws IllegalStateException when another thread is running a call on this session
     */
    public void reset() {
        guard.enter("RecurrentSession.reset");
        try {
            java.util.Arrays.fill(hidden, 0f);
            if (cell != null) {
                java.util.Arrays.fill(cell, 0f);
            }
        } finally {
            guard.exit();
        }
    }
}
