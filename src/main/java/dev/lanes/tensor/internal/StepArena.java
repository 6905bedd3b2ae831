package dev.lanes.tensor.internal;

import dev.lanes.tensor.DType;
import dev.lanes.tensor.Shape;
import dev.lanes.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The memory of repeated training steps: while a step is open on its thread, the tensors the
 * operations and the backward pass create there ({@link #zeros}, {@link #copy}) take their
 * storage from the arrays of the previous step, matched by type and length, instead of new
 * heap arrays. A step of a model with fixed shapes asks for the same lengths every time, so
 * from the second step on it allocates no storage at all, and the arena holds one step's worth.
 *
 * <p>Closing a step ends its tensors: each one remembers the arena and the step it was made in,
 * and {@link Tensor} refuses to read or write one whose step has ended, so a tensor kept past
 * its step fails loudly instead of seeing the next step's values. Arrays are only reused in a
 * later step, never within one, so no two live tensors share an array they did not share before.
 *
 * <p>Confined to the thread that opens its steps; other threads (the pool's workers) allocate
 * from the heap as usual. Arrays not asked for during a step are dropped when it closes, so a
 * change of shapes does not keep the old ones.
 */
public final class StepArena {

    /** How {@link Tensor} makes a tensor over arena storage; installed once by {@code Tensor}. */
    public interface Factory {
        /** @return a tensor over {@code f} or {@code d} that belongs to {@code arena}'s step {@code step} */
        Tensor wrap(DType dtype, Shape shape, float[] f, double[] d, StepArena arena, int step);

        /** @return the arena whose step made {@code t}, or null for heap storage */
        StepArena arena(Tensor t);
    }

    private static volatile Factory factory;
    private static final ThreadLocal<StepArena> OPEN = new ThreadLocal<>();

    private final Pool<float[]> floats = new Pool<>();
    private final Pool<double[]> doubles = new Pool<>();
    private final Pool<int[]> ints = new Pool<>();
    private Thread owner;
    private int step;
    private boolean open;

    /**
     * Called once, by {@code Tensor}'s static initialiser.
     *
     * @throws IllegalStateException on a second call
     */
    public static void install(Factory f) {
        synchronized (StepArena.class) {
            if (factory != null) {
                throw new IllegalStateException("StepArena.install: already installed");
            }
            factory = f;
        }
    }

    private static Factory factory() {
        Factory f = factory;
        if (f == null) {
            // Reached only before any Tensor exists: initialise the class, which installs it.
            try {
                Class.forName(Tensor.class.getName(), true, Tensor.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            f = factory;
        }
        return f;
    }

    /**
     * Starts a step on the calling thread.
     *
     * @throws IllegalStateException when a step of this arena is open, when another arena has a
     *                               step open on this thread, or when the arena belongs to
     *                               another thread
     */
    public void open() {
        Thread t = Thread.currentThread();
        if (owner != null && owner != t) {
            throw new IllegalStateException("step memory: it belongs to thread " + owner.getName()
                    + "; each thread needs its own");
        }
        if (open) {
            throw new IllegalStateException("step memory: a step is already open; close it first");
        }
        if (OPEN.get() != null) {
            throw new IllegalStateException("step memory: another step memory has a step open on this thread");
        }
        owner = t;
        open = true;
        OPEN.set(this);
    }

    /**
     * Ends the open step: its tensors become unreadable and their arrays serve the next step.
     *
     * @throws IllegalStateException when no step is open or the caller is not the owner thread
     */
    public void close() {
        if (!open || owner != Thread.currentThread()) {
            throw new IllegalStateException("step memory: no step is open on this thread");
        }
        open = false;
        step++;
        OPEN.remove();
        floats.endStep();
        doubles.endStep();
        ints.endStep();
    }

    /** Drops every array the arena holds; the next step allocates them again. */
    public void clear() {
        floats.clear();
        doubles.clear();
        ints.clear();
    }

    /** @return bytes of storage held for the next step (the last step's arrays) */
    public long bytes() {
        return floats.elements() * Float.BYTES + doubles.elements() * Double.BYTES + ints.elements() * Integer.BYTES;
    }

    /** @return whether a tensor made in step {@code step} of {@code arena} may still be used */
    public static boolean live(StepArena arena, int step) {
        return arena == null || arena.step == step;
    }

    /** @return whether {@code t} was made by an arena (whatever its step) */
    public static boolean owns(Tensor t) {
        return factory().arena(t) != null;
    }

    /**
     * A tensor of zeros: from the open step's arena when the calling thread has one, else new.
     * Operations create their outputs, saved tensors and gradients here.
     */
    public static Tensor zeros(DType dtype, Shape shape) {
        Tensor t = empty(dtype, shape);
        if (owns(t)) {
            if (dtype == DType.F32) {
                Arrays.fill(t.f32(), 0f);
            } else {
                Arrays.fill(t.f64(), 0d);
            }
        }
        return t;
    }

    /**
     * A tensor for an operation that writes every element before anything reads it: like
     * {@link #zeros}, but a reused array keeps its old values instead of being zeroed first (new
     * arrays are zero, as always).
     */
    public static Tensor empty(DType dtype, Shape shape) {
        StepArena a = OPEN.get();
        if (a == null) {
            return Tensor.zeros(dtype, shape);
        }
        int n = shape.numel();
        return dtype == DType.F32 ? factory().wrap(dtype, shape, a.floats.take(n, float[]::new), null, a, a.step)
                : factory().wrap(dtype, shape, null, a.doubles.take(n, double[]::new), a, a.step);
    }

    /** {@link #empty} of the given sizes. */
    public static Tensor empty(DType dtype, int... dims) {
        return empty(dtype, Shape.of(dims));
    }

    /** {@link #zeros} of the given sizes. */
    public static Tensor zeros(DType dtype, int... dims) {
        return zeros(dtype, Shape.of(dims));
    }

    /**
     * A float array of exactly {@code n} elements with unspecified contents, for buffers that
     * live within one operation of the step and are written before they are read: from the
     * open step's arena when the calling thread has one, else new.
     */
    public static float[] floats(int n) {
        StepArena a = OPEN.get();
        return a == null ? new float[n] : a.floats.take(n, float[]::new);
    }

    /** {@link #floats} for doubles: a saved per-channel statistic, say. */
    public static double[] doubles(int n) {
        StepArena a = OPEN.get();
        return a == null ? new double[n] : a.doubles.take(n, double[]::new);
    }

    /** {@link #floats} for ints: the positions a max pool saves for its backward pass, say. */
    public static int[] ints(int n) {
        StepArena a = OPEN.get();
        return a == null ? new int[n] : a.ints.take(n, int[]::new);
    }

    /** A copy of {@code t}'s values, outside the graph, from the open step's arena when there is one. */
    public static Tensor copy(Tensor t) {
        if (OPEN.get() == null) {
            return t.copy();
        }
        Tensor c = empty(t.dtype(), t.shape());
        if (t.dtype() == DType.F32) {
            System.arraycopy(t.f32(), 0, c.f32(), 0, t.numel());
        } else {
            System.arraycopy(t.f64(), 0, c.f64(), 0, t.numel());
        }
        return c;
    }

    /**
     * Arrays by length: those the last step used, waiting to be taken again, and those taken in
     * this step. A handful of distinct lengths per model, so a linear search; no allocation once
     * the lists have grown.
     */
    private static final class Pool<A> {
        private int[] lengths = new int[8];
        private final List<ArrayDeque<A>> idle = new ArrayList<>();
        private int kinds;
        private final List<A> taken = new ArrayList<>();
        private int[] takenLengths = new int[64];
        private long elements;

        A take(int n, IntFunction<A> make) {
            int i = index(n);
            A a = i < 0 ? null : idle.get(i).poll();
            if (a == null) {
                a = make.apply(n);
            }
            if (taken.size() == takenLengths.length) {
                takenLengths = Arrays.copyOf(takenLengths, 2 * takenLengths.length);
            }
            takenLengths[taken.size()] = n;
            taken.add(a);
            return a;
        }

        private int index(int n) {
            for (int i = 0; i < kinds; i++) {
                if (lengths[i] == n) {
                    return i;
                }
            }
            return -1;
        }

        /** The step's arrays become the idle ones; arrays the step did not take are dropped. */
        void endStep() {
            for (int i = 0; i < kinds; i++) {
                idle.get(i).clear();
            }
            elements = 0;
            for (int k = 0; k < taken.size(); k++) {
                int n = takenLengths[k];
                int i = index(n);
                if (i < 0) {
                    if (kinds == lengths.length) {
                        lengths = Arrays.copyOf(lengths, 2 * kinds);
                    }
                    if (idle.size() == kinds) {
                        idle.add(new ArrayDeque<>());
                    }
                    lengths[kinds] = n;
                    i = kinds++;
                }
                idle.get(i).add(taken.get(k));
                elements += n;
            }
            taken.clear();
        }

        void clear() {
            for (int i = 0; i < kinds; i++) {
                idle.get(i).clear();
            }
            kinds = 0;
            elements = 0;
        }

        long elements() {
            return elements;
        }
    }
}
