package dev.lanes.tensor;

import dev.lanes.kernel.internal.Binary;
import dev.lanes.kernel.internal.Elementwise;
import dev.lanes.kernel.internal.Parallel;
import dev.lanes.tensor.internal.BackwardEngine;
import dev.lanes.tensor.internal.GradFn;
import dev.lanes.tensor.internal.Graph;
import dev.lanes.tensor.internal.StepArena;
import dev.lanes.tensor.internal.TensorFormat;
import java.util.Arrays;

/**
 * A dense n-dimensional array of F32 or F64 values in contiguous row-major storage, and a vertex
 * of the autograd graph.
 *
 * <p>The differentiable operations ({@code add}, {@code matmul}, {@code tanh}, ...) are static
 * methods of {@code dev.lanes.autograd.Ops}, which record how they computed their output when
 * any input {@link #requiresGrad() requires a gradient} and recording is on (outside a
 * {@code dev.lanes.autograd.NoGrad} scope); {@link #backward()} then walks that record.
 *
 * <p>Storage is shared by {@link #view} results, like PyTorch views; everything else returns new
 * storage. Tensors are not thread-safe.
 */
public final class Tensor {

    private final DType dtype;
    private final Shape shape;
    private final float[] f;
    private final double[] d;
    // The step memory and step whose arrays these are (null for heap storage): see StepArena.
    private final StepArena arena;
    private final int step;

    private boolean requiresGrad;
    private Tensor grad;
    private GradFn gradFn;
    private int outputIndex;

    static {
        Graph.install(new Graph.Access() {
            @Override
            public GradFn producer(Tensor t) {
                return t.gradFn;
            }

            @Override
            public int outputIndex(Tensor t) {
                return t.outputIndex;
            }

            @Override
            public void attach(Tensor t, GradFn fn, int outputIndex) {
                t.gradFn = fn;
                t.outputIndex = outputIndex;
                t.requiresGrad = true;
            }

            @Override
            public void setGrad(Tensor t, Tensor grad) {
                t.grad = grad;
            }
        });
        StepArena.install(new StepArena.Factory() {
            @Override
            public Tensor wrap(DType dtype, Shape shape, float[] f, double[] d, StepArena arena, int step) {
                return new Tensor(dtype, shape, f, d, arena, step);
            }

            @Override
            public StepArena arena(Tensor t) {
                return t.arena;
            }
        });
    }

    private Tensor(DType dtype, Shape shape, float[] f, double[] d) {
        this(dtype, shape, f, d, null, 0);
    }

    private Tensor(DType dtype, Shape shape, float[] f, double[] d, StepArena arena, int step) {
        this.dtype = dtype;
        this.shape = shape;
        this.f = f;
        this.d = d;
        this.arena = arena;
        this.step = step;
    }

    /**
     * @throws IllegalStateException when the storage belonged to a training step that has ended
     *                               (see {@code dev.lanes.autograd.StepMemory})
     */
    private void checkLive(String op) {
        if (arena != null && !StepArena.live(arena, step)) {
            throw new IllegalStateException(op + ": this " + dtype + " " + shape + " tensor was computed in a step of a"
                    + " StepMemory that has ended, and its storage now serves later steps; copy() the tensors to keep"
                    + " past their step");
        }
    }

    // ---------------------------------------------------------------- factories

    /** A tensor of zeros. */
    public static Tensor zeros(DType dtype, Shape shape) {
        return dtype == DType.F32 ? new Tensor(dtype, shape, new float[shape.numel()], null)
                : new Tensor(dtype, shape, null, new double[shape.numel()]);
    }

    /** A tensor of zeros of the given sizes. */
    public static Tensor zeros(DType dtype, int... dims) {
        return zeros(dtype, Shape.of(dims));
    }

    /** A tensor filled with {@code value} (rounded to F32 for F32 tensors). */
    public static Tensor full(DType dtype, double value, int... dims) {
        Tensor t = zeros(dtype, dims);
        if (dtype == DType.F32) {
            Arrays.fill(t.f, (float) value);
        } else {
            Arrays.fill(t.d, value);
        }
        return t;
    }

    /** A tensor of ones. */
    public static Tensor ones(DType dtype, int... dims) {
        return full(dtype, 1, dims);
    }

    /**
     * An F32 tensor holding a copy of {@code data} in the given shape.
     *
     * @throws IllegalArgumentException if the shape does not hold exactly {@code data.length} elements
     */
    public static Tensor of(float[] data, int... dims) {
        Shape s = Shape.of(dims);
        checkCount("of", data.length, s);
        return new Tensor(DType.F32, s, data.clone(), null);
    }

    /** An F64 tensor holding a copy of {@code data} in the given shape. */
    public static Tensor of(double[] data, int... dims) {
        Shape s = Shape.of(dims);
        checkCount("of", data.length, s);
        return new Tensor(DType.F64, s, null, data.clone());
    }

    /** A rank-0 tensor holding {@code value}. */
    public static Tensor scalar(DType dtype, double value) {
        return full(dtype, value);
    }

    /**
     * The values {@code start, start + step, ...} below {@code end} (above it for a negative step),
     * like {@code torch.arange}.
     */
    public static Tensor arange(DType dtype, double start, double end, double step) {
        if (step == 0 || !Double.isFinite(start) || !Double.isFinite(end) || !Double.isFinite(step)) {
            throw new IllegalArgumentException("arange: need finite bounds and a non-zero step, got start=" + start
                    + ", end=" + end + ", step=" + step);
        }
        double count = Math.ceil((end - start) / step);
        if (count > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("arange: " + count + " elements are too many");
        }
        int n = (int) Math.max(0, count);
        Tensor t = zeros(dtype, n);
        for (int i = 0; i < n; i++) {
            t.setFlat(i, start + i * step);
        }
        return t;
    }

    /** {@code 0, 1, ..., n - 1}. */
    public static Tensor arange(DType dtype, int n) {
        return arange(dtype, 0, n, 1);
    }

    /** Uniform values in [0, 1) from {@code gen}, like {@code torch.rand}. */
    public static Tensor rand(Generator gen, DType dtype, int... dims) {
        Tensor t = zeros(dtype, dims);
        for (int i = 0; i < t.numel(); i++) {
            t.setFlat(i, gen.nextDouble());
        }
        return t;
    }

    /** Uniform values in [lo, hi) from {@code gen}. */
    public static Tensor uniform(Generator gen, DType dtype, double lo, double hi, int... dims) {
        Tensor t = zeros(dtype, dims);
        for (int i = 0; i < t.numel(); i++) {
            t.setFlat(i, gen.uniform(lo, hi));
        }
        return t;
    }

    /** Standard normal values from {@code gen}, like {@code torch.randn}. */
    public static Tensor randn(Generator gen, DType dtype, int... dims) {
        Tensor t = zeros(dtype, dims);
        for (int i = 0; i < t.numel(); i++) {
            t.setFlat(i, gen.normal());
        }
        return t;
    }

    private static void checkCount(String op, int length, Shape s) {
        if (length != s.numel()) {
            throw new IllegalArgumentException(op + ": " + length + " values do not fill shape " + s + " ("
                    + s.numel() + " elements)");
        }
    }

    // ---------------------------------------------------------------- data

    /** @return the element type */
    public DType dtype() {
        return dtype;
    }

    /** @return the shape */
    public Shape shape() {
        return shape;
    }

    /** @return a copy of the sizes */
    public int[] dims() {
        return shape.dims();
    }

    /** @return the number of dimensions */
    public int rank() {
        return shape.rank();
    }

    /** @return the number of elements */
    public int numel() {
        return shape.numel();
    }

    /** @return the size of dimension {@code dim} (negative counts from the end) */
    public int size(int dim) {
        return shape.size(dim);
    }

    /**
     * The live F32 storage (row-major, {@link #numel()} elements). Writing to it changes the
     * tensor and bypasses autograd.
     *
     * @throws IllegalStateException if the tensor is F64
     */
    public float[] f32() {
        checkLive("f32");
        if (f == null) {
            throw new IllegalStateException("f32: the tensor is " + dtype);
        }
        return f;
    }

    /** The live F64 storage; see {@link #f32()}. */
    public double[] f64() {
        checkLive("f64");
        if (d == null) {
            throw new IllegalStateException("f64: the tensor is " + dtype);
        }
        return d;
    }

    /** @return element {@code i} of the row-major storage, widened to double */
    public double getFlat(int i) {
        checkLive("getFlat");
        return f != null ? f[i] : d[i];
    }

    /** Sets element {@code i} of the storage (rounded to float for F32). */
    public void setFlat(int i, double value) {
        checkLive("setFlat");
        if (f != null) {
            f[i] = (float) value;
        } else {
            d[i] = value;
        }
    }

    /** @return the element at the given indices, widened to double */
    public double get(int... index) {
        return getFlat(flatIndex("get", index));
    }

    /** @return the single element of a one-element tensor */
    public double item() {
        if (numel() != 1) {
            throw new IllegalArgumentException("item: a tensor of shape " + shape + " has " + numel()
                    + " elements, not 1");
        }
        return getFlat(0);
    }

    /** @return a copy of the values, widened to double */
    public double[] toDoubleArray() {
        checkLive("toDoubleArray");
        if (d != null) {
            return d.clone();
        }
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = f[i];
        }
        return out;
    }

    /** @return a copy of the values, rounded to float */
    public float[] toFloatArray() {
        checkLive("toFloatArray");
        if (f != null) {
            return f.clone();
        }
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (float) d[i];
        }
        return out;
    }

    private int flatIndex(String op, int[] index) {
        if (index.length != rank()) {
            throw new IllegalArgumentException(op + ": " + index.length + " indices for a tensor of shape " + shape);
        }
        int flat = 0;
        for (int i = 0; i < index.length; i++) {
            int n = shape.size(i);
            int k = index[i] < 0 ? index[i] + n : index[i];
            if (k < 0 || k >= n) {
                throw new IllegalArgumentException(op + ": index " + index[i] + " is out of range for dimension " + i
                        + " of size " + n);
            }
            flat = flat * n + k;
        }
        return flat;
    }

    /** @return a new tensor with the same values in new storage, outside the graph */
    public Tensor copy() {
        checkLive("copy");
        return new Tensor(dtype, shape, f == null ? null : f.clone(), d == null ? null : d.clone());
    }

    /** @return the values converted to {@code target} in new storage (this tensor if it already is), outside the graph */
    public Tensor to(DType target) {
        if (target == dtype) {
            return this;
        }
        return target == DType.F32 ? new Tensor(target, shape, toFloatArray(), null)
                : new Tensor(target, shape, null, toDoubleArray());
    }

    /**
     * The same storage seen with another shape of the same element count, outside the graph (the
     * differentiable form is {@code Ops.reshape}). One size may be -1, inferred.
     */
    public Tensor view(int... dims) {
        checkLive("view");
        Shape s = inferShape("view", dims);
        return new Tensor(dtype, s, f, d, arena, step);
    }

    /** Resolves a -1 in {@code dims} against this tensor's element count. */
    public Shape inferShape(String op, int... dims) {
        int known = 1;
        int free = -1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == -1) {
                if (free >= 0) {
                    throw new IllegalArgumentException(op + ": only one size may be -1, got " + Arrays.toString(dims));
                }
                free = i;
            } else if (dims[i] < 0) {
                throw new IllegalArgumentException(op + ": invalid size " + dims[i] + " in " + Arrays.toString(dims));
            } else {
                known *= dims[i];
            }
        }
        int[] out = dims.clone();
        if (free >= 0) {
            if (known == 0 || numel() % known != 0) {
                throw new IllegalArgumentException(op + ": shape " + Arrays.toString(dims) + " is invalid for "
                        + shape + " (" + numel() + " elements)");
            }
            out[free] = numel() / known;
        }
        Shape s = Shape.of(out);
        if (s.numel() != numel()) {
            throw new IllegalArgumentException(op + ": shape " + s + " is invalid for " + shape + " (" + numel()
                    + " elements)");
        }
        return s;
    }

    /** @return whether every element is finite (no NaN, no infinity) */
    public boolean allFinite() {
        checkLive("allFinite");
        if (f != null) {
            for (float v : f) {
                if (!Float.isFinite(v)) {
                    return false;
                }
            }
        } else {
            for (double v : d) {
                if (!Double.isFinite(v)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** {@code this += other}, elementwise, same shape and dtype, outside the graph. */
    public void addInPlace(Tensor other) {
        checkLive("addInPlace");
        other.checkLive("addInPlace");
        if (!other.shape.equals(shape) || other.dtype != dtype) {
            throw new IllegalArgumentException("addInPlace: " + other.dtype + " " + other.shape + " into " + dtype + " "
                    + shape);
        }
        // Element by element, so the values do not depend on how the ranges are cut.
        if (Parallel.splits(numel(), Parallel.ELEMENTWISE_GRAIN)) {
            Parallel.forRanges(numel(), Parallel.ELEMENTWISE_GRAIN, (from, to) -> addInPlace(other, from, to));
        } else {
            addInPlace(other, 0, numel());
        }
    }

    /** Adds elements {@code [from, to)} of {@code other} into this tensor's. */
    private void addInPlace(Tensor other, int from, int to) {
        if (f != null) {
            Elementwise.binary(Binary.ADD, f, from, other.f, from, f, from, to - from);
        } else {
            Elementwise.binary(Binary.ADD, d, from, other.d, from, d, from, to - from);
        }
    }

    // ---------------------------------------------------------------- autograd

    /** @return whether gradients flow to or through this tensor */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /**
     * Marks a leaf tensor as a variable whose gradient {@link #backward} accumulates in
     * {@link #grad()}.
     *
     * @return this
     * @throws IllegalStateException on a non-leaf (its flag follows its inputs)
     */
    public Tensor requiresGrad(boolean on) {
        if (gradFn != null) {
            throw new IllegalStateException("requiresGrad: only leaf tensors can be changed; this one was computed by "
                    + gradFn.name());
        }
        requiresGrad = on;
        return this;
    }

    /** @return the accumulated gradient of a leaf, or null before any backward pass reached it */
    public Tensor grad() {
        return grad;
    }

    /** Forgets the accumulated gradient. */
    public void zeroGrad() {
        grad = null;
    }

    /** @return whether this tensor was created by the user rather than by a recorded operation */
    public boolean isLeaf() {
        return gradFn == null;
    }

    /** @return the same storage outside the graph: no gradient flows through the result */
    public Tensor detach() {
        checkLive("detach");
        return new Tensor(dtype, shape, f, d, arena, step);
    }

    /** Backward from a one-element tensor, with gradient 1; frees the graph. */
    public void backward() {
        if (numel() != 1) {
            throw new IllegalArgumentException("backward: the gradient can be implied only for a one-element output,"
                    + " this one has shape " + shape + "; pass a gradient");
        }
        backward(full(dtype, 1, shape.dims()), false);
    }

    /** Backward from this tensor with the given gradient; frees the graph. */
    public void backward(Tensor gradOutput) {
        backward(gradOutput, false);
    }

    /**
     * Computes the gradient of this tensor with respect to every leaf that requires one, and adds
     * it to the leaf's {@link #grad()}.
     *
     * <p>The nodes are visited in reverse topological order, found with an explicit stack (no
     * recursion, so a graph thousands of steps deep is fine). Each node's output gradient is the
     * sum of what its consumers sent it; the node runs once.
     *
     * @param gradOutput  the gradient of this tensor (same shape and dtype)
     * @param retainGraph keep the saved tensors so that backward can run through the graph again
     */
    public void backward(Tensor gradOutput, boolean retainGraph) {
        if (!requiresGrad) {
            throw new IllegalStateException("backward: the tensor does not require grad and has no grad_fn");
        }
        if (!gradOutput.shape.equals(shape) || gradOutput.dtype != dtype) {
            throw new IllegalArgumentException("backward: the gradient is " + gradOutput.dtype + " " + gradOutput.shape
                    + ", the output is " + dtype + " " + shape);
        }
        BackwardEngine.run(this, gradOutput, retainGraph);
    }

    // ---------------------------------------------------------------- printing

    /** Prints like PyTorch's {@code repr}: values, then dtype (when F64), grad flag and grad_fn. */
    @Override
    public String toString() {
        return TensorFormat.format(this);
    }
}
