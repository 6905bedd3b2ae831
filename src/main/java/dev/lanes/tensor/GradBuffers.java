package dev.lanes.tensor;

/**
 * What the engine lets one node's backward reuse instead of allocating: gradients that nothing
 * else holds. A node that returns fresh gradients ({@link GradFn#returnsFreshGradients}) may
 * <ul>
 *   <li>overwrite an output gradient it {@link #owns} and return it as the gradient of one
 *       input (a batch norm computes its input gradient in place of its output gradient);</li>
 *   <li>add its gradient for an input into that input's {@link #partialSum} and return the sum
 *       (a convolution adds its input gradient into the gradient the shortcut of a residual block
 *       already sent), which spares the engine a new tensor and a pass to add the two.</li>
 * </ul>
 * Either way the result is the same bits: the engine would add a returned gradient into the
 * partial sum with the same {@code sum + gradient}, element by element. Nodes that do not return
 * fresh gradients are offered nothing.
 */
public final class GradBuffers {

    /** Offers nothing. */
    static final GradBuffers NONE = new GradBuffers(null, null);

    private final boolean[] owned;
    private final Tensor[] partialSums;

    GradBuffers(boolean[] owned, Tensor[] partialSums) {
        this.owned = owned;
        this.partialSums = partialSums;
    }

    /**
     * @param output an output index of the node
     * @return whether that output's gradient is held by nothing but this call: the node may write
     *         into it and return it as the gradient of one input
     */
    public boolean owns(int output) {
        return owned != null && output < owned.length && owned[output];
    }

    /**
     * @param input an input index of the node
     * @return the sum of the gradients other nodes have sent so far for that input, held by
     *         nothing else, or null: the node may add its own gradient for the input into it in
     *         place ({@code sum + gradient} per element) and return it as that input's gradient
     */
    public Tensor partialSum(int input) {
        return partialSums == null || input >= partialSums.length ? null : partialSums[input];
    }
}
