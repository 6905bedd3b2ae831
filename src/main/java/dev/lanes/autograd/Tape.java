package dev.lanes.autograd;

import dev.lanes.autograd.internal.Trace;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.GradFn;
import dev.lanes.tensor.internal.GradMode;
import dev.lanes.tensor.internal.Graph;
import java.util.function.Supplier;

/**
 * What every differentiable function does after its forward pass: anomaly check, then tape; and,
 * while a plan is being captured on this thread, the trace.
 */
final class Tape {

    private Tape() {
    }

    /** @return whether the tape must record an operation on these inputs */
    static boolean needed(Tensor... inputs) {
        if (!GradMode.enabled()) {
            return false;
        }
        for (Tensor t : inputs) {
            if (t.requiresGrad()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Checks the output in anomaly mode and, when an input requires grad and recording is on,
     * records the node that {@code node} builds.
     *
     * @return {@code out}
     */
    static Tensor output(String op, Tensor out, Supplier<GradFn> node, Tensor... inputs) {
        if (GradMode.anomalyDetection() && !out.allFinite()) {
            throw new ArithmeticException("anomaly: " + op + " produced NaN or Inf in its output of shape "
                    + out.shape());
        }
        Trace trace = Trace.active();
        if (trace != null) {
            GradFn fn = node.get();
            trace.record(op, fn, inputs, out);
            if (needed(inputs)) {
                Graph.record(out, fn);
            }
        } else if (needed(inputs)) {
            Graph.record(out, node.get());
        }
        return out;
    }

    /**
     * {@link #output} for a node with several outputs: checks each and records them together.
     */
    static void outputs(String op, Supplier<GradFn> node, Tensor[] inputs, Tensor... outs) {
        if (GradMode.anomalyDetection()) {
            for (int i = 0; i < outs.length; i++) {
                if (!outs[i].allFinite()) {
                    throw new ArithmeticException("anomaly: " + op + " produced NaN or Inf in its output " + i
                            + " of shape " + outs[i].shape());
                }
            }
        }
        Trace trace = Trace.active();
        if (trace != null) {
            GradFn fn = node.get();
            trace.record(op, fn, inputs, outs);
            if (needed(inputs)) {
                Graph.record(fn, outs);
            }
        } else if (needed(inputs)) {
            Graph.record(node.get(), outs);
        }
    }
}
