package dev.lanes.serve;

import dev.lanes.autograd.NoGrad;
import dev.lanes.autograd.internal.PlanCompiler;
import dev.lanes.autograd.internal.PlanProgram;
import dev.lanes.autograd.internal.Trace;
import dev.lanes.nn.Layer;
import dev.lanes.tensor.Shape;
import dev.lanes.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A model compiled for serving: its eval-mode forward pass captured once over fixed input
 * shapes, as a list of steps over one preallocated arena. Capturing runs the model's own forward
 * on example inputs and records each operation it performs (as {@code torch.jit.trace} does), so
 * any module built from supported operations can be captured, including user modules with their
 * own {@code forward}. Weights are copied once in F32 (linear and recurrent ones optionally in
 * BF16, {@link CaptureOptions#withBf16Weights}) and prepacked for the kernels (a linear layer's
 * weight as GEMM or matrix-vector panels, a convolution's as channel blocks); each value gets a
 * place in the arena that it shares with values whose lifetimes do not overlap.
 *
 * <p>A plan is immutable and independent of the module: training the module afterwards does not
 * change it. Any number of threads may each run their own {@link PlanSession} on one plan, and a
 * {@link #parallelSession()} spreads one call over the library's threads; a call allocates nothing
 * and gives the same bits on every session and thread. Outputs agree with the module's eval-mode
 * outputs to float rounding.
 *
 * <p>What a trace cannot see it cannot plan: control flow that depends on the input's values
 * is recorded as the example took it, and a tensor made inside {@code forward} from data read
 * out of another tensor is refused (register constants as buffers). An operation without a plan
 * form is refused at capture, naming the operation and the module that ran it.
 */
public final class Plan {

    /** A forward pass over several inputs or outputs, for {@link #capture(Layer, Forward, Tensor...)}. */
    @FunctionalInterface
    public interface Forward {
        /**
         * @param inputs tensors shaped as the examples
         * @return the outputs (at least one)
         */
        Tensor[] apply(Tensor[] inputs);
    }

    private final PlanProgram program;
    private final CaptureOptions options;
    private final Shape[] inputShapes;
    private final Shape[] outputShapes;

    private Plan(PlanProgram program, CaptureOptions options, Shape[] inputShapes, Shape[] outputShapes) {
        this.program = program;
        this.options = options;
        this.inputShapes = inputShapes;
        this.outputShapes = outputShapes;
    }

    /**
     * Captures {@code model.forward} on inputs shaped as {@code example}.
     *
     * @see #capture(Layer, CaptureOptions, Forward, Tensor...)
     */
    public static Plan capture(Layer model, Tensor example) {
        return capture(model, CaptureOptions.defaults(), example);
    }

    /**
     * Captures {@code model.forward} on inputs shaped as {@code example}, built as {@code options} say.
     *
     * @see #capture(Layer, CaptureOptions, Forward, Tensor...)
     */
    public static Plan capture(Layer model, CaptureOptions options, Tensor example) {
        if (model == null) {
            throw new NullPointerException("Plan.capture: model is null");
        }
        return capture(model, options, in -> new Tensor[] {model.forward(in[0])}, example);
    }

    /**
     * Captures a forward pass with several inputs or outputs, with the default options.
     *
     * @see #capture(Layer, CaptureOptions, Forward, Tensor...)
     */
    public static Plan capture(Layer model, Forward forward, Tensor... examples) {
        return capture(model, CaptureOptions.defaults(), forward, examples);
    }

    /**
     * Captures a forward pass of {@code model} with several inputs or outputs: a recurrent cell's
     * step with its state, say {@code in -> { LstmState s = cell.forward(in[0], new LstmState(in[1],
     * in[2])); return new Tensor[] {s.h(), s.c()}; }}. The pass runs once, in eval mode (the
     * module's modes are restored afterwards), without recording gradients; the plan's inputs
     * have the examples' shapes, its outputs those of the tensors returned.
     *
     * @param model    the module whose parameters and buffers the pass reads; they become the plan's weights
     * @param options  how to build the plan ({@link CaptureOptions#withBf16Weights}, say)
     * @param forward  the pass, from the inputs to the outputs
     * @param examples one tensor per input (F32 or F64), each a different tensor
     * @return the plan
     * @throws IllegalArgumentException when an operation cannot be planned, or reads a tensor that
     *                                  is neither an input, a parameter or buffer of {@code model}, a
     *                                  scalar, nor computed by the pass (the operation and module
     *                                  named); when a weight is not finite in F32 (named), or beyond
     *                                  BF16's range when the options ask for BF16; when the examples
     *                                  are missing or repeated, or the pass returns none
     */
    public static Plan capture(Layer model, CaptureOptions options, Forward forward, Tensor... examples) {
        if (model == null || options == null || forward == null || examples == null) {
            throw new NullPointerException("Plan.capture: " + (model == null ? "model" : options == null ? "options"
                    : forward == null ? "forward" : "examples") + " is null");
        }
        if (examples.length == 0) {
            throw new IllegalArgumentException("Plan.capture: give at least one example input");
        }
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < examples.length; i++) {
            if (examples[i] == null) {
                throw new NullPointerException("Plan.capture: example " + i + " is null");
            }
            if (!seen.add(examples[i])) {
                throw new IllegalArgumentException("Plan.capture: example " + i + " is the same tensor as an earlier one;"
                        + " give each input its own tensor");
            }
        }
        Map<Tensor, String> names = new IdentityHashMap<>();
        model.namedParameters().forEach((k, v) -> names.putIfAbsent(v, k));
        model.namedBuffers().forEach((k, v) -> names.putIfAbsent(v, k));
        ModuleLocator locator = new ModuleLocator(model);
        List<Layer> order = preOrder(model);
        Map<Layer, Boolean> modes = new IdentityHashMap<>();
        order.forEach(m -> modes.put(m, m.isTraining()));
        Tensor[] examplesCopy = examples.clone();
        Tensor[] outputs;
        Trace trace = Trace.begin(locator);
        model.eval();
        try (NoGrad ignored = NoGrad.enter()) {
            outputs = forward.apply(examplesCopy);
        } finally {
            trace.end();
            // Setting a mode sets it below too, so modules are set after all their ancestors.
            for (Layer m : order) {
                if (modes.get(m)) {
                    m.train();
                } else {
                    m.eval();
                }
            }
        }
        if (outputs == null || outputs.length == 0) {
            throw new IllegalArgumentException("Plan.capture: the forward pass returned no outputs");
        }
        for (int i = 0; i < outputs.length; i++) {
            if (outputs[i] == null) {
                throw new IllegalArgumentException("Plan.capture: output " + i + " of the forward pass is null");
            }
        }
        PlanProgram program = PlanCompiler.compile(trace.entries(), List.of(examplesCopy), List.of(outputs), names,
                options.bf16Weights());
        Shape[] in = new Shape[examples.length];
        for (int i = 0; i < in.length; i++) {
            in[i] = examples[i].shape();
        }
        Shape[] out = new Shape[outputs.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = outputs[i].shape();
        }
        return new Plan(program, options, in, out);
    }

    /**
     * The modules in pre-order, a module shared by several parents once under each, so that each
     * module's last place comes after every one of its ancestors.
     */
    private static List<Layer> preOrder(Layer root) {
        List<Layer> order = new ArrayList<>();
        order.add(root);
        for (int i = 0; i < order.size(); i++) {
            order.addAll(i + 1, order.get(i).children().values());
        }
        return order;
    }

    /**
     * @return a new session with its own arena, for one thread at a time; inputs under
     *         {@link NonFinitePolicy#PROPAGATE}
     */
    public PlanSession session() {
        return session(NonFinitePolicy.PROPAGATE);
    }

    /**
     * @param policy what the session does with an input that holds NaN or an infinity
     * @return a new session with its own arena, for one thread at a time
     */
    public PlanSession session(NonFinitePolicy policy) {
        if (policy == null) {
            throw new NullPointerException("Plan.session: policy is null");
        }
        return new PlanSession(this, policy, false);
    }

    /**
     * A session that spreads each call over the library's threads ({@code Kernels.setThreads},
     * {@code -Dlanes.threads}): the matrix products of linear and recurrent layers with at most
     * four rows (or BF16 weights) split their output columns among the threads, a recurrent
     * layer's step its hidden units (products and cell together), a channel-blocked convolution (the ResNet
     * path) its output rows; the rest of a call runs on the calling thread. The parts are sized
     * for the thread count when the session is made. For one request at a time on an otherwise
     * idle machine; a service that runs a request per thread does better with one
     * {@link #session()} per thread. Results are the bits of {@link #session()}, for any number of
     * threads, and a call allocates nothing.
     *
     * @return a new session with its own arena, for one calling thread at a time; inputs under
     *         {@link NonFinitePolicy#PROPAGATE}
     */
    public PlanSession parallelSession() {
        return parallelSession(NonFinitePolicy.PROPAGATE);
    }

    /**
     * {@link #parallelSession()} with a policy for non-finite inputs.
     *
     * @param policy what the session does with an input that holds NaN or an infinity
     * @return a new session with its own arena
     */
    public PlanSession parallelSession(NonFinitePolicy policy) {
        if (policy == null) {
            throw new NullPointerException("Plan.parallelSession: policy is null");
        }
        return new PlanSession(this, policy, true);
    }

    /** @return the options the plan was captured with */
    public CaptureOptions options() {
        return options;
    }

    PlanProgram program() {
        return program;
    }

    /** @return the number of inputs */
    public int inputCount() {
        return inputShapes.length;
    }

    /** @return the shape of input {@code i} */
    public Shape inputShape(int i) {
        return inputShapes[Objects.checkIndex(i, inputShapes.length)];
    }

    /** @return the number of outputs */
    public int outputCount() {
        return outputShapes.length;
    }

    /** @return the shape of output {@code i} */
    public Shape outputShape(int i) {
        return outputShapes[Objects.checkIndex(i, outputShapes.length)];
    }

    /** @return the floats of each session's arena (activations, working memory and weights read as operands) */
    public int arenaSize() {
        return program.arenaSize();
    }

    /** @return the operations the plan runs, one per step, in order */
    public List<String> steps() {
        return program.stepNames();
    }

    @Override
    public String toString() {
        return "Plan(inputs " + List.of(inputShapes) + ", outputs " + List.of(outputShapes) + ", " + steps().size()
                + " steps, arena of " + arenaSize() + " floats)";
    }
}
