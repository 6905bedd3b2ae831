package dev.lanes.serve;

import dev.lanes.autograd.internal.PlanProgram;
import dev.lanes.autograd.internal.Slot;
import dev.lanes.autograd.internal.Splitter;
import dev.lanes.kernel.internal.Parallel;
import dev.lanes.kernel.internal.SessionGuard;
import java.util.Objects;

/**
 * Runs a {@link Plan} over this session's own arena: a call copies the inputs in, runs the steps,
 * and copies the outputs into the session's output arrays, allocating nothing. Inputs are float
 * arrays in the row-major layout of the plan's input shapes. A session from {@link Plan#session()}
 * runs on the calling thread; one from {@link Plan#parallelSession()} splits its products across
 * the library's threads, with the same bits.
 *
 * <p>Not thread-safe: one session per thread; sessions of one plan are independent and give the
 * same bits. A call that starts while another thread's call is running on the same session is
 * refused with an {@link IllegalStateException}. A session may pass from thread to thread between
 * calls; since {@link #run(float[])} returns the session's own array, a caller that hands the
 * session on before reading its output should copy it ({@link #run(float[], float[])}).
 */
public final class PlanSession {

    private final Plan plan;
    private final PlanProgram program;
    private final NonFinitePolicy policy;
    private final float[] mem;
    private final float[][] outputs;
    private final float[][] single = new float[1][];
    private final SessionGuard guard = new SessionGuard("plan.session()");
    private final Runnable body;

    PlanSession(Plan plan, NonFinitePolicy policy, boolean parallel) {
        this.plan = plan;
        this.program = plan.program();
        this.policy = policy;
        this.mem = program.newArena();
        this.outputs = new float[program.outputCount()][];
        for (int i = 0; i < outputs.length; i++) {
            outputs[i] = new float[program.output(i).size()];
        }
        Splitter splitter = parallel ? program.parallelSplitter() : Splitter.SERIAL;
        this.body = () -> program.run(mem, splitter);
    }

    /**
     * Runs a plan with one input.
     *
     * @param input the input, {@code plan.inputShape(0).numel()} floats
     * @return output 0 (the session's own array, overwritten by the next call; the others are
     *         at {@link #output(int)})
     * @throws IllegalArgumentException when the plan takes several inputs, {@code input} has the
     *                                  wrong length (both sizes named), or holds NaN or an infinity
     *                                  under {@link NonFinitePolicy#REJECT}
     * @throws IllegalStateException    when another thread is running a call on this session
     */
    public float[] run(float[] input) {
        guard.enter("PlanSession.run");
        try {
            computeOne(input);
            return outputs[0];
        } finally {
            guard.exit();
        }
    }

    /**
     * Runs a plan with one input into the caller's array, which stays valid whatever the session
     * does next.
     *
     * @param input the input, {@code plan.inputShape(0).numel()} floats
     * @param out   receives output 0, {@code plan.outputShape(0).numel()} floats
     * @return {@code out}
     * @throws IllegalArgumentException as {@link #run(float[])}, or when {@code out} has the wrong length
     * @throws IllegalStateException    when another thread is running a call on this session
     */
    public float[] run(float[] input, float[] out) {
        guard.enter("PlanSession.run");
        try {
            checkOut(out, 0);
            computeOne(input);
            System.arraycopy(outputs[0], 0, out, 0, out.length);
            return out;
        } finally {
            guard.exit();
        }
    }

    /**
     * Runs the plan on all its inputs; read the outputs with {@link #output(int)}. Reuse the
     * {@code inputs} array across calls to allocate nothing.
     *
     * @param inputs one array per input, in the order of the capture's examples
     * @throws IllegalArgumentException when the number of inputs or an input's length is wrong
     *                                  (named), or an input holds NaN or an infinity under
     *                                  {@link NonFinitePolicy#REJECT}
     * @throws IllegalStateException    when another thread is running a call on this session
     */
    public void run(float[][] inputs) {
        guard.enter("PlanSession.run");
        try {
            compute(inputs);
        } finally {
            guard.exit();
        }
    }

    /**
     * @return output {@code i} of the last call: the session's own array, overwritten by the next call
     * @throws IndexOutOfBoundsException when there is no output {@code i}
     */
    public float[] output(int i) {
        return outputs[Objects.checkIndex(i, outputs.length)];
    }

    /** @return the plan this session runs */
    public Plan plan() {
        return plan;
    }

    /**
     * Runs a one-input plan on the floats of {@code x} from {@code off} (the caller has checked
     * the range and the values); for the conveniences that run a plan image by image.
     *
     * @return output 0, the session's own array
     */
    float[] runAt(float[] x, int off) {
        guard.enter("PlanSession.run");
        try {
            Slot in = program.input(0);
            System.arraycopy(x, off, mem, in.at(), in.size());
            runSteps();
            return outputs[0];
        } finally {
            guard.exit();
        }
    }

    /** {@link #compute} for a plan with one input. */
    private void computeOne(float[] input) {
        if (program.inputCount() != 1) {
            throw new IllegalArgumentException("PlanSession.run: this plan takes " + program.inputCount()
                    + " inputs; use run(float[][])");
        }
        single[0] = input;
        try {
            compute(single);
        } finally {
            single[0] = null;
        }
    }

    private void checkOut(float[] out, int i) {
        if (out == null) {
            throw new NullPointerException("PlanSession.run: out is null");
        }
        if (out.length != outputs[i].length) {
            throw new IllegalArgumentException("PlanSession.run: out must hold " + outputs[i].length + " floats "
                    + plan.outputShape(i) + ", got " + out.length);
        }
    }

    private void compute(float[][] inputs) {
        if (inputs == null) {
            throw new NullPointerException("PlanSession.run: inputs is null");
        }
        if (inputs.length != program.inputCount()) {
            throw new IllegalArgumentException("PlanSession.run: this plan takes " + program.inputCount()
                    + " inputs, got " + inputs.length);
        }
        for (int i = 0; i < inputs.length; i++) {
            float[] x = inputs[i];
            if (x == null) {
                throw new NullPointerException("PlanSession.run: input " + i + " is null");
            }
            Slot s = program.input(i);
            if (x.length != s.size()) {
                throw new IllegalArgumentException("PlanSession.run: input " + i + " must hold " + s.size() + " floats "
                        + plan.inputShape(i) + ", got " + x.length);
            }
            if (policy == NonFinitePolicy.REJECT) {
                for (int j = 0; j < x.length; j++) {
                    if (!Float.isFinite(x[j])) {
                        throw new IllegalArgumentException("PlanSession.run: input " + i + " element " + j + " is "
                                + x[j] + "; this session rejects non-finite inputs");
                    }
                }
            }
        }
        for (int i = 0; i < inputs.length; i++) {
            System.arraycopy(inputs[i], 0, mem, program.input(i).at(), inputs[i].length);
        }
        runSteps();
    }

    private void runSteps() {
        Parallel.serially(body);
        for (int i = 0; i < outputs.length; i++) {
            System.arraycopy(mem, program.output(i).at(), outputs[i], 0, outputs[i].length);
        }
    }
}
