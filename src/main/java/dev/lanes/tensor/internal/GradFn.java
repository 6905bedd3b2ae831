package dev.lanes.tensor.internal;

import dev.lanes.tensor.Tensor;
/**
 * A node of the autograd tape: the function that produced a tensor, with what its backward
 * needs. Differentiable functions (package {@code dev.lanes.autograd}) subclass it; the engine
 * ({@link Tensor#backward}) walks the nodes from the output to the leaves.
 *
 * <p>Most nodes produce one tensor: {@link #backward(Tensor)} receives the gradient of that
 * tensor and returns the gradient of each input, in input order ({@code null} for inputs that do
 * not require one). A node with several outputs (a recurrent layer's output, h_n and c_n) gives
 * their number to the constructor, is recorded with {@link Graph#record(GradFn, Tensor...)} and
 * overrides {@link #backward(Tensor[])}. After a backward pass without {@code retainGraph}, {@link #release()} drops
 * the saved tensors; a second pass through the node is then an error.
 */
public abstract class GradFn {

    private final String name;
    private final String torchName;
    private final int outputCount;
    private Tensor[] inputs;
    private boolean released;

    /**
     * @param name      the operation's name, as error messages and anomaly mode report it
     * @param torchName the class name PyTorch gives the same node ({@code "AddBackward0"}), printed
     *                  as the {@code grad_fn} of tensors
     * @param inputs    the tensors this node's output was computed from
     */
    protected GradFn(String name, String torchName, Tensor... inputs) {
        this(name, torchName, 1, inputs);
    }

    /**
     * A node with {@code outputCount} outputs.
     *
     * @param outputCount the number of tensors the node produces, >= 1
     */
    protected GradFn(String name, String torchName, int outputCount, Tensor... inputs) {
        if (outputCount < 1) {
            throw new IllegalArgumentException(name + ": a node has at least one output, got " + outputCount);
        }
        this.name = name;
        this.torchName = torchName;
        this.outputCount = outputCount;
        this.inputs = inputs;
    }

    /** @return the number of tensors this node produces */
    public final int outputCount() {
        return outputCount;
    }

    /** @return the operation's name */
    public final String name() {
        return name;
    }

    /** @return the inputs (shared array; do not modify) */
    final Tensor[] inputs() {
        if (released) {
            throw new IllegalStateException("backward: the graph through '" + name + "' has already been freed by a"
                    + " previous backward pass; pass retainGraph = true to the first backward to keep it");
        }
        return inputs;
    }

    /** @return the number of inputs */
    protected final int inputCount() {
        return inputs().length;
    }

    /** @return input {@code i}, for subclasses' backward */
    protected final Tensor input(int i) {
        return inputs()[i];
    }

    /** @return whether input {@code i} needs a gradient */
    protected final boolean needsGrad(int i) {
        return inputs()[i].requiresGrad();
    }

    /**
     * Computes the gradients of the inputs from the gradient of the output.
     *
     * @param gradOutput the gradient of this node's output (same shape and dtype)
     * @return one gradient per input, shaped like it, or {@code null} where not needed
     */
    protected abstract Tensor[] backward(Tensor gradOutput);

    /**
     * Computes the gradients of the inputs from the gradients of all outputs; what the engine
     * calls. Nodes with one output need not override it.
     *
     * @param gradOutputs one gradient per output, in output order; {@code null} for an output no
     *                    gradient reached (treat it as zeros)
     * @return one gradient per input, shaped like it, or {@code null} where not needed
     */
    protected Tensor[] backward(Tensor[] gradOutputs) {
        return backward(gradOutputs[0]);
    }

    /**
     * {@link #backward(Tensor[])} with the engine's {@link BackwardContext}; what the engine calls.
     * Through the context a node may reuse gradient buffers (offered only to nodes that return
     * fresh gradients) and return a gradient that is still being computed. The default ignores it.
     *
     * @param gradOutputs one gradient per output, as for {@link #backward(Tensor[])}
     * @param context     the buffers offered to this call, and where to declare background work
     * @return one gradient per input, shaped like it, or {@code null} where not needed
     */
    protected Tensor[] backward(Tensor[] gradOutputs, BackwardContext context) {
        return backward(gradOutputs);
    }

    /**
     * Whether every gradient {@link #backward} returns is a different tensor for each input that
     * nothing else holds: allocated by that call, or a buffer the engine offered it
     * ({@link BackwardContext#owns}, {@link BackwardContext#partialSum}), and not kept by the node.
     * The engine may then add another gradient for the same tensor into it in place instead of
     * into a fresh sum, and offers the node such buffers. The default, false, is always safe; a
     * node that passes its output gradient through, or returns a tensor it saved, must keep it.
     */
    protected boolean returnsFreshGradients() {
        return false;
    }

    /** Drops the inputs and whatever the subclass saved; called after a non-retaining backward. */
    protected void release() {
        released = true;
        inputs = null;
    }

    @Override
    public String toString() {
        return torchName;
    }
}
