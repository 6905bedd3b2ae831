package dev.lanes.tensor.internal;

import dev.lanes.kernel.internal.Parallel;
import dev.lanes.tensor.Tensor;

/**
 * What the engine passes one node's backward besides the output gradients
 * ({@link GradFn#backward(Tensor[], BackwardContext)}).
 *
 * <p>Buffers to reuse instead of allocating, offered only to nodes that return fresh gradients
 * ({@link GradFn#returnsFreshGradients}), since they hold nothing else:
 * <ul>
 *   <li>an output gradient the node {@link #owns} it may overwrite and return as the gradient of
 *       one input (a batch norm computes its input gradient in place of its output gradient);</li>
 *   <li>an input's {@link #partialSum} it may add its gradient for that input into and return
 *       (a convolution adds its input gradient into the gradient the shortcut of a residual block
 *       already sent), which spares the engine a new tensor and a pass to add the two.</li>
 * </ul>
 * Either way the result is the same bits: the engine would add a returned gradient into the
 * partial sum with the same {@code sum + gradient}, element by element.
 *
 * <p>And a way to return a gradient that is still being computed: {@link #later}. Nothing waits
 * for a leaf's gradient (a weight's) until the backward pass ends, so a node can leave it to the
 * pool's idle workers ({@link Parallel#later}) while the pass goes on.
 */
public final class BackwardContext {

    private final boolean[] owned;
    private final Tensor[] partialSums;
    private final Parallel.Pending[] later;

    /**
     * @param inputs      the node's number of inputs
     * @param owned       per output, whether its gradient is the node's to overwrite; null for none
     * @param partialSums per input, an owned partial sum or null; null for none
     */
    BackwardContext(int inputs, boolean[] owned, Tensor[] partialSums) {
        this.owned = owned;
        this.partialSums = partialSums;
        this.later = new Parallel.Pending[inputs];
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

    /**
     * Declares that the gradient the node returns for {@code input} is filled in by {@code work}.
     * The engine awaits {@code work} before it reads that gradient: when the backward pass ends
     * if the input is a leaf (its {@link Tensor#grad()} is then added to in the usual order), at
     * once otherwise. The work must not read anything the rest of the pass writes.
     *
     * @throws IllegalArgumentException if {@code input} is out of range
     * @throws IllegalStateException    if the input already has work declared
     */
    public void later(int input, Parallel.Pending work) {
        if (input < 0 || input >= later.length) {
            throw new IllegalArgumentException("BackwardContext.later: input " + input + " of " + later.length);
        }
        if (later[input] != null) {
            throw new IllegalStateException("BackwardContext.later: input " + input + " already has work declared");
        }
        later[input] = work;
    }

    /**
     * Finishes the work declared so far, after the node failed: nothing keeps running behind a
     * failed pass. Failures of that work are added to {@code failure} as suppressed.
     */
    void settle(Throwable failure) {
        for (Parallel.Pending work : later) {
            if (work != null) {
                try {
                    work.await();
                } catch (RuntimeException | Error e) {
                    failure.addSuppressed(e);
                }
            }
        }
    }

    /** @return the work declared for {@code input}, or null */
    Parallel.Pending pending(int input) {
        return input < later.length ? later[input] : null;
    }
}
