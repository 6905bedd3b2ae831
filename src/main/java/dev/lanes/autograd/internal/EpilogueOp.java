package dev.lanes.autograd.internal;

import dev.lanes.tensor.Tensor;

/**
 * A tape node whose forward is elementwise on one operand (a batch norm in eval mode, an
 * activation, an addition of a tensor of the same shape), so that a plan can fuse it into the
 * operation producing that operand ({@link EpilogueHost}): the compiler rewrites the pair into one
 * operation when the operand is read by nothing else and is not an output of the plan.
 */
public interface EpilogueOp extends Lowerable {

    /**
     * @return whether this node's output is elementwise in {@code through}, one of its operands,
     *         has its shape, and can be computed by {@link #epilogue} on runs of it
     */
    boolean fusesAfter(Tensor through);

    /**
     * Declares this node's other operands and returns its work on runs of {@code through}
     * ({@link #fusesAfter} it); the node's output is whatever the work writes. Called while the
     * node is the current operation of {@code l}, also by the node's own {@link #lower}.
     */
    Epilogue epilogue(Lowering l, Tensor through);
}
