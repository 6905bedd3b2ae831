package dev.lanes.tensor.internal;

import dev.lanes.kernel.internal.Binary;
import dev.lanes.kernel.internal.Parallel;
import dev.lanes.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The backward pass behind {@link Tensor#backward(Tensor, boolean)}: computes the gradient of
 * one tensor with respect to every leaf that requires one and adds it to the leaf's
 * {@link Tensor#grad()}.
 *
 * <p>The nodes are visited in reverse topological order, found with an explicit stack (no
 * recursion, so a graph thousands of steps deep is fine). Each node's output gradient is the sum
 * of what its consumers sent it; the node runs once.
 */
public final class BackwardEngine {

    private BackwardEngine() {
    }

    /**
     * Runs the pass from {@code root}, whose gradient is {@code gradOutput} (already checked to
     * match it).
     *
     * @param retainGraph keep the saved tensors so that backward can run through the graph again
     */
    public static void run(Tensor root, Tensor gradOutput, boolean retainGraph) {
        if (Graph.producer(root) == null) {
            accumulate(root, gradOutput);
            return;
        }
        List<GradFn> order = topologicalOrder(Graph.producer(root));
        // Leaf gradients to add once the pass ends, in the order they came: kept back from the
        // first one still being computed (BackwardContext.later) onwards.
        List<LeafGradient> deferred = new ArrayList<>();
        try {
            walk(root, order, gradOutput, retainGraph, deferred);
        } catch (RuntimeException | Error e) {
            for (LeafGradient d : deferred) {
                if (d.work != null) {
                    try {
                        d.work.await();
                    } catch (RuntimeException | Error suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
            }
            throw e;
        }
        for (LeafGradient d : deferred) {
            if (d.work != null) {
                d.work.await();
            }
            accumulate(d.leaf, d.grad);
        }
    }

    /** A leaf's gradient held back until the pass ends, and the work still filling it (or null). */
    private record LeafGradient(Tensor leaf, Tensor grad, Parallel.Pending work) {
    }

    /** Runs the nodes of {@code order} (the root's first), adding leaf gradients or deferring them. */
    private static void walk(Tensor root, List<GradFn> order, Tensor gradOutput, boolean retainGraph, List<LeafGradient> deferred) {
        // The gradients waiting for each node, one slot per output. A pending gradient is in
        // `owned` while that slot is the only thing holding it: a sum built here, or a gradient
        // from a node that returns fresh ones (GradFn.returnsFreshGradients). Another gradient for
        // the slot is then added into it in place, and the node it waits for may reuse it
        // (BackwardContext). Other gradients may be shared (a backward can return its output
        // gradient itself for several inputs) and are copied before the first addition.
        Map<GradFn, Tensor[]> pending = new IdentityHashMap<>();
        Set<Tensor> owned = Collections.newSetFromMap(new IdentityHashMap<>());
        pendingSlots(pending, Graph.producer(root))[Graph.outputIndex(root)] = gradOutput;
        for (GradFn node : order) {
            Tensor[] g = pending.remove(node);
            if (g == null) {
                continue;
            }
            Tensor[] inputs = node.inputs();
            boolean freshGrads = node.returnsFreshGradients();
            BackwardContext context = freshGrads ? offers(g, inputs, pending, owned)
                    : new BackwardContext(inputs.length, null, null);
            for (Tensor t : g) {
                if (t != null) {
                    owned.remove(t);
                }
            }
            Tensor[] grads;
            try {
                grads = node.backward(g, context);
            } catch (RuntimeException | Error e) {
                context.settle(e);
                throw e;
            }
            for (int i = 0; i < inputs.length; i++) {
                Tensor in = inputs[i];
                Parallel.Pending work = context.pending(i);
                if (work != null && (!in.requiresGrad() || grads[i] == null || Graph.producer(in) != null
                        || GradMode.anomalyDetection())) {
                    work.await(); // needed now (or not at all)
                    work = null;
                }
                if (!in.requiresGrad() || grads[i] == null) {
                    continue;
                }
                Tensor gi = grads[i];
                if (!gi.shape().equals(in.shape()) || gi.dtype() != in.dtype()) {
                    throw new IllegalStateException(node.name() + " backward returned " + gi.dtype() + " " + gi.shape()
                            + " for an input of " + in.dtype() + " " + in.shape());
                }
                if (GradMode.anomalyDetection() && !gi.allFinite()) {
                    throw new ArithmeticException("anomaly: the backward of '" + node.name()
                            + "' produced NaN or Inf in the gradient of input " + i);
                }
                if (Graph.producer(in) == null) {
                    if (work == null && deferred.isEmpty()) {
                        accumulate(in, gi);
                    } else {
                        deferred.add(new LeafGradient(in, gi, work));
                    }
                    continue;
                }
                if (gi == context.partialSum(i)) {
                    continue; // the node added its gradient into the pending sum, in place
                }
                Tensor[] slots = pendingSlots(pending, Graph.producer(in));
                Tensor sum = slots[Graph.outputIndex(in)];
                if (sum == null) {
                    slots[Graph.outputIndex(in)] = gi;
                    if (freshGrads) {
                        owned.add(gi);
                    } else {
                        owned.remove(gi);
                    }
                } else if (owned.contains(sum)) {
                    sum.addInPlace(gi);
                } else {
                    // The first gradient may be shared (with the caller or another input): add
                    // into a fresh tensor, in one pass, rather than copy it.
                    Tensor fresh = StepArena.empty(sum.dtype(), sum.shape()); // the sum writes it whole
                    if (Parallel.splits(fresh.numel(), Parallel.ELEMENTWISE_GRAIN)) {
                        Tensor first = sum;
                        Tensor next = gi;
                        Parallel.forRanges(fresh.numel(), Parallel.ELEMENTWISE_GRAIN, (from, to) ->
                                Dispatch.binary(Binary.ADD, first, from, next, from, fresh, from, to - from));
                    } else {
                        Dispatch.binary(Binary.ADD, sum, gi, fresh);
                    }
                    owned.add(fresh);
                    slots[Graph.outputIndex(in)] = fresh;
                }
            }
            if (!retainGraph) {
                node.release();
            }
        }
    }

    /**
     * What a node that returns fresh gradients may reuse: its output gradients that are owned,
     * and the owned pending sums of its inputs (offered once per distinct input tensor, so that a
     * node whose inputs repeat cannot add two gradients into one offer).
     */
    private static BackwardContext offers(Tensor[] g, Tensor[] inputs, Map<GradFn, Tensor[]> pending,
                                          Set<Tensor> owned) {
        boolean[] own = new boolean[g.length];
        for (int j = 0; j < g.length; j++) {
            own[j] = g[j] != null && owned.contains(g[j]);
        }
        Tensor[] sums = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            Tensor in = inputs[i];
            if (!in.requiresGrad() || Graph.producer(in) == null || repeats(inputs, i)) {
                continue;
            }
            Tensor[] slots = pending.get(Graph.producer(in));
            Tensor sum = slots == null ? null : slots[Graph.outputIndex(in)];
            if (sum != null && owned.contains(sum)) {
                sums[i] = sum;
            }
        }
        return new BackwardContext(inputs.length, own, sums);
    }

    /** @return whether {@code inputs[i]} is also another of the inputs */
    private static boolean repeats(Tensor[] inputs, int i) {
        for (int j = 0; j < inputs.length; j++) {
            if (j != i && inputs[j] == inputs[i]) {
                return true;
            }
        }
        return false;
    }

    private static Tensor[] pendingSlots(Map<GradFn, Tensor[]> pending, GradFn node) {
        Tensor[] slots = pending.get(node);
        if (slots == null) {
            slots = new Tensor[node.outputCount()];
            pending.put(node, slots);
        }
        return slots;
    }

    private static void accumulate(Tensor leaf, Tensor g) {
        Tensor grad = leaf.grad();
        if (grad == null) {
            Graph.setGrad(leaf, StepArena.copy(g));
        } else {
            grad.addInPlace(g);
        }
    }

    /** Nodes reachable from {@code root}, each before every node it depends on (iterative DFS). */
    private static List<GradFn> topologicalOrder(GradFn root) {
        List<GradFn> postOrder = new ArrayList<>();
        Map<GradFn, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<GradFn> stack = new ArrayDeque<>();
        ArrayDeque<Integer> next = new ArrayDeque<>();
        stack.push(root);
        next.push(0);
        seen.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            GradFn node = stack.peek();
            int i = next.pop();
            Tensor[] inputs = node.inputs();
            if (i < inputs.length) {
                next.push(i + 1);
                GradFn child = Graph.producer(inputs[i]);
                if (child != null && inputs[i].requiresGrad() && seen.put(child, Boolean.TRUE) == null) {
                    stack.push(child);
                    next.push(0);
                }
            } else {
                stack.pop();
                postOrder.add(node);
            }
        }
        Collections.reverse(postOrder);
        return postOrder;
    }
}
