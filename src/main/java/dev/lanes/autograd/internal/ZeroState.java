package dev.lanes.autograd.internal;

import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.GradFn;

/**
 * Zeros that a module makes inside its forward pass (a recurrent layer's initial state when none
 * is given), made visible to a capture: the trace records them as an operation with no inputs,
 * which a plan folds into a fixed value, instead of refusing them as a tensor made outside the
 * traced operations.
 */
public final class ZeroState {

    private ZeroState() {
    }

    /** @return a new tensor of zeros, recorded by the trace active on this thread (if any) */
    public static Tensor zeros(DType dtype, int... dims) {
        Tensor t = Tensor.zeros(dtype, dims);
        Trace trace = Trace.active();
        if (trace != null) {
            trace.record("zeros", new Node(), new Tensor[0], t);
        }
        return t;
    }

    /** The trace's record of the zeros; never on the tape. */
    private static final class Node extends GradFn implements Lowerable {

        Node() {
            super("zeros", "ZerosBackward0");
        }

        @Override
        protected Tensor[] backward(Tensor gradOutput) {
            throw new UnsupportedOperationException("zeros: not on the autograd tape");
        }

        @Override
        public void lower(Lowering l) {
            Slot y = l.out();
            l.step(mem -> java.util.Arrays.fill(mem, y.at(), y.at() + y.size(), 0f));
        }
    }
}
