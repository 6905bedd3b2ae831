package dev.lanes.tensor.internal;

import dev.lanes.tensor.Tensor;

/**
 * The autograd graph's view of a {@link Tensor}: which node produced it, as which output, and
 * the hook that records a node as the producer of its outputs. {@code Tensor} keeps these fields
 * private and hands this package an {@link Access} when it is initialised, so the graph plumbing
 * stays out of the public API.
 */
public final class Graph {

    /** What {@link Tensor} lets the graph read and write; installed once by {@code Tensor}. */
    public interface Access {
        /** @return the node that produced {@code t}, or null for a leaf */
        GradFn producer(Tensor t);

        /** @return which output of its producer {@code t} is */
        int outputIndex(Tensor t);

        /** Makes {@code fn} the producer of {@code t} as output {@code outputIndex}; {@code t} then requires grad. */
        void attach(Tensor t, GradFn fn, int outputIndex);

        /** Replaces the accumulated gradient of the leaf {@code t}. */
        void setGrad(Tensor t, Tensor grad);
    }

    private static volatile Access access;

    private Graph() {
    }

    /**
     * Called once, by {@code Tensor}'s static initialiser.
     *
     * @throws IllegalStateException on a second call
     */
    public static void install(Access a) {
        synchronized (Graph.class) {
            if (access != null) {
                throw new IllegalStateException("Graph.install: already installed");
            }
            access = a;
        }
    }

    private static Access access() {
        Access a = access;
        if (a == null) {
            // Reached only before any Tensor exists: initialise the class, which installs it.
            try {
                Class.forName(Tensor.class.getName(), true, Tensor.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            a = access;
        }
        return a;
    }

    /** @return the node that produced {@code t}, or null for a leaf */
    public static GradFn producer(Tensor t) {
        return access().producer(t);
    }

    /** @return which output of its producer {@code t} is (0 for a leaf) */
    public static int outputIndex(Tensor t) {
        return access().outputIndex(t);
    }

    static void setGrad(Tensor leaf, Tensor grad) {
        access().setGrad(leaf, grad);
    }

    /**
     * Makes {@code grad} the accumulated gradient of {@code leaf}, as if a backward pass had left
     * it there (for gradients combined elsewhere, such as across data-parallel ranks).
     *
     * @throws IllegalArgumentException when {@code leaf} is not a leaf or the grad's dtype or shape differ
     */
    public static void assignGrad(Tensor leaf, Tensor grad) {
        if (producer(leaf) != null || !grad.dtype().equals(leaf.dtype()) || !grad.shape().equals(leaf.shape())) {
            throw new IllegalArgumentException("assignGrad: need a leaf and a gradient of its dtype and shape, got "
                    + leaf.dtype() + " " + leaf.shape() + " and " + grad.dtype() + " " + grad.shape());
        }
        access().setGrad(leaf, grad);
    }

    /**
     * Records {@code fn} as the producer of {@code out}: the hook differentiable functions use.
     *
     * @return {@code out}
     */
    public static Tensor record(Tensor out, GradFn fn) {
        if (producer(out) != null || out.requiresGrad()) {
            throw new IllegalStateException("record: the output of " + fn.name() + " already belongs to the graph");
        }
        if (fn.outputCount() != 1) {
            throw new IllegalArgumentException("record: " + fn.name() + " has " + fn.outputCount() + " outputs;"
                    + " record them together");
        }
        access().attach(out, fn, 0);
        return out;
    }

    /**
     * Records {@code fn} as the producer of all its outputs, in its output order.
     *
     * @throws IllegalArgumentException when the count differs from {@code fn.outputCount()} or an
     *                                  output is given twice
     */
    public static void record(GradFn fn, Tensor... outs) {
        if (outs.length != fn.outputCount()) {
            throw new IllegalArgumentException("record: " + fn.name() + " has " + fn.outputCount() + " outputs, "
                    + outs.length + " given");
        }
        for (int i = 0; i < outs.length; i++) {
            if (producer(outs[i]) != null || outs[i].requiresGrad()) {
                throw new IllegalStateException("record: output " + i + " of " + fn.name()
                        + " already belongs to the graph");
            }
            for (int j = 0; j < i; j++) {
                if (outs[j] == outs[i]) {
                    throw new IllegalArgumentException("record: output " + i + " of " + fn.name()
                            + " is also output " + j);
                }
            }
        }
        for (int i = 0; i < outs.length; i++) {
            access().attach(outs[i], fn, i);
        }
    }
}
