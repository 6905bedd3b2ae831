package dev.lanes.autograd.internal;

/**
 * A tape node that a compiled plan can run: it declares its operands and output to the
 * {@link Lowering} and hands it the steps that compute the output on the plan's arena, with the
 * same kernels as its eager forward. Nodes that do not implement it make a capture fail, naming
 * the operation.
 */
public interface Lowerable {

    /** Declares this node's operands, outputs and steps; may refuse through {@link Lowering#refuse}. */
    void lower(Lowering l);
}
