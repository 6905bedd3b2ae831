package dev.lanes.tensor;

/**
 * A node of the autograd tape: the function that produced a tensor, with what its backward
 * needs. Differentiable functions (package {@code dev.lanes.autograd}) subclass it; the engine
 * ({@link Tensor#backward}) walks the nodes from the output to the leaves.
 *
 * <p>Each node produces exactly one tensor. {@link #backward} receives the gradient of that
 * tensor and returns the gradient of each input, in input order ({@code null} for inputs that do
 * not require one). After a backward pass without {@code retainGraph}, {@link #release()} drops
 * the saved tensors; a second pass through the node is then an error.
 */
public abstract class GradFn {

    private final String name;
    private final String torchName;
    private Tensor[] inputs;
    private boolean released;

    /**
     * @param name      the operation's name, as error messages and anomaly mode report it
     * @param torchName the class name PyTorch gives the same node ({@code "AddBackward0"}), printed
     *                  as the {@code grad_fn} of tensors
     * @param inputs    the tensors this node's output was computed from
     */
    protected GradFn(String name, String torchName, Tensor... inputs) {
        this.name = name;
        this.torchName = torchName;
        this.inputs = inputs;
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
