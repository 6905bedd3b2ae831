package dev.lanes.autograd.internal;

import dev.lanes.tensor.Tensor;

/**
 * Elementwise work on an operation's output that a plan runs inside the operation's own tiles, on
 * each run of elements a tile has just written, while the run is still in cache and on the
 * tile's thread ({@link EpilogueOp}, {@link EpilogueHost}). The same work runs as a step of its
 * own when it is not fused, so a consumer computes its output in one place and gives the same
 * bits either way.
 */
@FunctionalInterface
public interface Epilogue {

    /**
     * Computes elements {@code [index, index + n)} of the consumer's output into
     * {@code mem[to, to + n)} from the same elements of its input at {@code mem[from, from + n)};
     * {@code to} may equal {@code from}. A run is any range of whole elements of the input's
     * layout (a channel-blocked input's runs hold whole pixels).
     */
    void apply(float[] mem, int from, int to, int index, int n);

    /** @return {@code first}, then {@code next} on its result in place; {@code first} may be null */
    static Epilogue then(Epilogue first, Epilogue next) {
        if (first == null) {
            return next;
        }
        return (mem, from, to, index, n) -> {
            first.apply(mem, from, to, index, n);
            next.apply(mem, to, to, index, n);
        };
    }

    /**
     * Lowers a consumer that is not fused: one step that applies its {@link EpilogueOp#epilogue}
     * to the whole of its operand {@code through} into the current operation's new output.
     */
    static void lowerAlone(Lowering l, EpilogueOp op, Tensor through) {
        Slot x = l.in(through);
        Epilogue work = op.epilogue(l, through);
        Slot y = l.out();
        int n = x.size();
        l.step(mem -> work.apply(mem, x.at(), y.at(), 0, n));
    }
}
