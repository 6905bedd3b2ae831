package dev.lanes.autograd;

import dev.lanes.tensor.DType;
import dev.lanes.tensor.Shape;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.StepArena;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The calling thread's idle work buffers of the sequence layers: the gate activations, cell
 * states and gate gradients that a training step allocates and drops again (tens of MB per
 * layer and step). A layer takes them here and hands back only buffers nothing else can still
 * read: a node's saved tensors when the backward engine releases it, a gradient buffer at the
 * end of its backward pass; outputs are never handed back. A buffer that is not handed back (no
 * backward, a retained graph) is simply garbage, so the pool only ever saves allocations.
 *
 * <p>Bounded: at most {@link #PER_SHAPE} idle buffers per dtype and shape and
 * {@link #MAX_BYTES} per thread; beyond that a handed-back buffer is dropped.
 */
final class Workspace {

    /** Idle buffers kept per dtype and shape: a GRU step uses four of one shape (gx, gh and their gradients). */
    static final int PER_SHAPE = 4;
    /** Idle bytes kept per thread. */
    static final long MAX_BYTES = 256L << 20;

    private static final ThreadLocal<Workspace> LOCAL = ThreadLocal.withInitial(Workspace::new);

    private record Key(DType dtype, Shape shape) {
    }

    private final Map<Key, ArrayDeque<Tensor>> idle = new HashMap<>();
    private long bytes;

    private Workspace() {
    }

    /** A tensor of this dtype and shape whose contents are unspecified: the caller writes all of it. */
    static Tensor take(DType dtype, int... dims) {
        Shape shape = Shape.of(dims);
        Workspace w = LOCAL.get();
        ArrayDeque<Tensor> q = w.idle.get(new Key(dtype, shape));
        Tensor t = q == null ? null : q.poll();
        if (t == null) {
            return Tensor.zeros(dtype, shape);
        }
        w.bytes -= size(t);
        return t;
    }

    /** {@link #take} filled with zeros (a buffer that is accumulated into). */
    static Tensor takeZeroed(DType dtype, int... dims) {
        Tensor t = take(dtype, dims);
        if (dtype == DType.F32) {
            Arrays.fill(t.f32(), 0f);
        } else {
            Arrays.fill(t.f64(), 0d);
        }
        return t;
    }

    /**
     * Hands buffers back for later {@link #take}s; the caller must hold the only references.
     * Null entries, tensors that are on a graph, a step memory's tensors and buffers already idle
     * are ignored.
     */
    static void give(Tensor... buffers) {
        Workspace w = LOCAL.get();
        for (Tensor t : buffers) {
            // A step memory's tensor ends with its step; the pool keeps heap buffers only.
            if (t == null || t.requiresGrad() || StepArena.owns(t)) {
                continue;
            }
            long b = size(t);
            ArrayDeque<Tensor> q = w.idle.computeIfAbsent(new Key(t.dtype(), t.shape()), k -> new ArrayDeque<>());
            // A buffer handed back twice would later be taken twice: two owners of one array.
            if (q.size() < PER_SHAPE && w.bytes + b <= MAX_BYTES && q.stream().noneMatch(idle -> idle == t)) {
                q.push(t);
                w.bytes += b;
            }
        }
    }

    /** Drops the calling thread's idle buffers. */
    static void clear() {
        Workspace w = LOCAL.get();
        w.idle.clear();
        w.bytes = 0;
    }

    private static long size(Tensor t) {
        return (long) t.numel() * (t.dtype() == DType.F32 ? Float.BYTES : Double.BYTES);
    }
}
