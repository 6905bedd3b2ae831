package dev.lanes.kernel.internal;

import static dev.lanes.kernel.internal.ArrayChecks.inPlaceOrDisjoint;
import static dev.lanes.kernel.internal.ArrayChecks.length;
import static dev.lanes.kernel.internal.ArrayChecks.matrix;
import static dev.lanes.kernel.internal.ArrayChecks.nonNull;
import static dev.lanes.kernel.internal.ArrayChecks.range;

import dev.lanes.kernel.Activation;
import java.lang.reflect.Array;

/**
 * Pointwise kernels on {@code float[]} and {@code double[]} ranges: activations and their
 * derivatives, the declared pointwise operations, arithmetic, and the fused forms the layers use.
 * See {@link ElementwiseKernels}, {@link PointwiseKernels} and {@link ArithmeticKernels} for what
 * each computes.
 *
 * <p>Every method reads {@code n} elements of each input from its offset and writes {@code n}
 * elements of the output from its offset. An output may be one of the inputs exactly (same array
 * and offset: in place) or share no element with any; partial overlap is rejected. Invalid
 * arguments raise {@link IllegalArgumentException} naming the operation and the values; a null
 * array raises {@link NullPointerException}. Single precision results are the same bits on every
 * provider and thread count.
 */
public final class Elementwise {

    /** Length from which {@code activate} on floats runs on several threads (transcendental functions only). */
    public static final int PARALLEL_MIN = 1 << 15;
    /** Elements per parallel chunk: a multiple of every vector length, about 32 KB of floats. */
    private static final int PARALLEL_CHUNK = 1 << 13;

    private Elementwise() {
    }

    private static ElementwiseKernels kernels() {
        return Providers.provider().elementwise();
    }

    private static PointwiseKernels pointwiseKernels() {
        return Providers.provider().pointwise();
    }

    private static ArithmeticKernels arithmetic() {
        return Providers.provider().arithmetic();
    }

    /**
     * {@code y = f(x)}. From {@link #PARALLEL_MIN} elements the work is split over
     * {@link Parallel}'s threads in fixed chunks (each element is computed the same way wherever
     * it falls, so the bits do not depend on the thread count).
     */
    public static void activate(Activation f, float[] x, int xOff, float[] y, int yOff, int n) {
        unary(opName(f), x, xOff, y, yOff, n);
        ElementwiseKernels k = kernels();
        if (n < PARALLEL_MIN || !Parallel.canSplit() || f == Activation.IDENTITY || f == Activation.RELU) {
            k.activate(f, x, xOff, y, yOff, n);
            return;
        }
        int chunks = (n + PARALLEL_CHUNK - 1) / PARALLEL_CHUNK;
        Parallel.forEach(chunks, c -> {
            int from = c * PARALLEL_CHUNK;
            k.activate(f, x, xOff + from, y, yOff + from, Math.min(PARALLEL_CHUNK, n - from));
        });
    }


    /** {@code y = f(x)}. */
    public static void activate(Activation f, double[] x, int xOff, double[] y, int yOff, int n) {
        unary(opName(f), x, xOff, y, yOff, n);
        kernels().activate(f, x, xOff, y, yOff, n);
    }

    /**
     * {@code dx = dy * f'(y)} from the forward output {@code y}: {@code y (1 - y)} for sigmoid,
     * {@code 1 - y^2} for tanh, {@code y > 0} for relu, {@code y} for exp.
     */
    public static void activateBackward(Activation f, float[] y, int yOff, float[] dy, int dyOff,
                                        float[] dx, int dxOff, int n) {
        binary(backwardName(f), "y", y, yOff, "dy", dy, dyOff, "dx", dx, dxOff, n);
        kernels().activateBackward(f, y, yOff, dy, dyOff, dx, dxOff, n);
    }

    /** {@code dx = dy * f'(y)} from the forward output {@code y}. */
    public static void activateBackward(Activation f, double[] y, int yOff, double[] dy, int dyOff,
                                        double[] dx, int dxOff, int n) {
        binary(backwardName(f), "y", y, yOff, "dy", dy, dyOff, "dx", dx, dxOff, n);
        kernels().activateBackward(f, y, yOff, dy, dyOff, dx, dxOff, n);
    }

    /** {@code y = ln(x)}: -Inf at 0, NaN below. Its derivative {@code dy / x} is {@link Binary#DIV}. */
    public static void log(float[] x, int xOff, float[] y, int yOff, int n) {
        unary("log", x, xOff, y, yOff, n);
        pointwiseKernels().pointwise(PointwiseOp.LOG, x, xOff, y, yOff, n);
    }

    /** {@code y = ln(x)}. */
    public static void log(double[] x, int xOff, double[] y, int yOff, int n) {
        unary("log", x, xOff, y, yOff, n);
        pointwiseKernels().pointwise(PointwiseOp.LOG, x, xOff, y, yOff, n);
    }

    /** {@code y = a op b}: add, sub, the Hadamard product, div. */
    public static void binary(Binary op, float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        binary(opName(op), "a", a, aOff, "b", b, bOff, "y", y, yOff, n);
        switch (op) {
            case ADD -> arithmetic().add(a, aOff, b, bOff, y, yOff, n);
            case SUB -> arithmetic().sub(a, aOff, b, bOff, y, yOff, n);
            case MUL -> arithmetic().mul(a, aOff, b, bOff, y, yOff, n);
            case DIV -> arithmetic().div(a, aOff, b, bOff, y, yOff, n);
        }
    }

    /** {@code y = a op b}. */
    public static void binary(Binary op, double[] a, int aOff, double[] b, int bOff, double[] y, int yOff, int n) {
        binary(opName(op), "a", a, aOff, "b", b, bOff, "y", y, yOff, n);
        switch (op) {
            case ADD -> arithmetic().add(a, aOff, b, bOff, y, yOff, n);
            case SUB -> arithmetic().sub(a, aOff, b, bOff, y, yOff, n);
            case MUL -> arithmetic().mul(a, aOff, b, bOff, y, yOff, n);
            case DIV -> arithmetic().div(a, aOff, b, bOff, y, yOff, n);
        }
    }

    /** {@code y = alpha * x}. */
    public static void scale(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        unary("scale", x, xOff, y, yOff, n);
        arithmetic().scale(x, xOff, y, yOff, n, alpha);
    }

    /** {@code y = alpha * x}. */
    public static void scale(double alpha, double[] x, int xOff, double[] y, int yOff, int n) {
        unary("scale", x, xOff, y, yOff, n);
        arithmetic().scale(x, xOff, y, yOff, n, alpha);
    }

    /** {@code y = y + alpha * x} (two roundings, no fused multiply-add). */
    public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        unary("axpy", x, xOff, y, yOff, n);
        arithmetic().axpy(x, xOff, y, yOff, n, alpha);
    }

    /** {@code y = y + alpha * x}. */
    public static void axpy(double alpha, double[] x, int xOff, double[] y, int yOff, int n) {
        unary("axpy", x, xOff, y, yOff, n);
        arithmetic().axpy(x, xOff, y, yOff, n, alpha);
    }

    /** {@code y = y + a * b}: accumulates a Hadamard product. */
    public static void addProduct(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        binary("addProduct", "a", a, aOff, "b", b, bOff, "y", y, yOff, n);
        arithmetic().addProduct(a, aOff, b, bOff, y, yOff, n);
    }

    /** {@code y = y + a * b}. */
    public static void addProduct(double[] a, int aOff, double[] b, int bOff, double[] y, int yOff, int n) {
        binary("addProduct", "a", a, aOff, "b", b, bOff, "y", y, yOff, n);
        arithmetic().addProduct(a, aOff, b, bOff, y, yOff, n);
    }

    /** {@code y = a * b + c * d}, e.g. the LSTM cell state {@code c' = f * c + i * g}. */
    public static void sumOfProducts(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff,
                                     float[] d, int dOff, float[] y, int yOff, int n) {
        binary("sumOfProducts", "a", a, aOff, "b", b, bOff, "y", y, yOff, n);
        binary("sumOfProducts", "c", c, cOff, "d", d, dOff, "y", y, yOff, n);
        arithmetic().sumOfProducts(a, aOff, b, bOff, c, cOff, d, dOff, y, yOff, n);
    }

    /** {@code y = a * b + c * d}. */
    public static void sumOfProducts(double[] a, int aOff, double[] b, int bOff, double[] c, int cOff,
                                     double[] d, int dOff, double[] y, int yOff, int n) {
        binary("sumOfProducts", "a", a, aOff, "b", b, bOff, "y", y, yOff, n);
        binary("sumOfProducts", "c", c, cOff, "d", d, dOff, "y", y, yOff, n);
        arithmetic().sumOfProducts(a, aOff, b, bOff, c, cOff, d, dOff, y, yOff, n);
    }

    /**
     * In place on the {@code rows x cols} row-major matrix {@code x} with leading dimension
     * {@code ldx}: {@code x[i][j] = f(x[i][j] + bias[j])}, the bias add and activation of a layer
     * in one pass over its GEMM output.
     */
    public static void biasActivate(Activation f, int rows, int cols, float[] bias, int biasOff,
                                    float[] x, int xOff, int ldx) {
        biasMatrix(f, rows, cols, bias, biasOff, x, xOff, ldx);
        kernels().biasActivate(f, rows, cols, bias, biasOff, x, xOff, ldx);
    }

    /** In place: {@code x[i][j] = f(x[i][j] + bias[j])}. */
    public static void biasActivate(Activation f, int rows, int cols, double[] bias, int biasOff,
                                    double[] x, int xOff, int ldx) {
        biasMatrix(f, rows, cols, bias, biasOff, x, xOff, ldx);
        kernels().biasActivate(f, rows, cols, bias, biasOff, x, xOff, ldx);
    }

    /**
     * {@code y = op(x)} for a declared pointwise operation. From {@link #PARALLEL_MIN} float
     * elements the work is split over {@link Parallel}'s threads in fixed chunks, so the bits do
     * not depend on the thread count.
     */
    public static void pointwise(PointwiseOp op, float[] x, int xOff, float[] y, int yOff, int n) {
        unary(checked(op).opName(), x, xOff, y, yOff, n);
        PointwiseKernels k = pointwiseKernels();
        if (n < PARALLEL_MIN || !Parallel.canSplit()) {
            k.pointwise(op, x, xOff, y, yOff, n);
            return;
        }
        Parallel.forEach((n + PARALLEL_CHUNK - 1) / PARALLEL_CHUNK, c -> {
            int from = c * PARALLEL_CHUNK;
            k.pointwise(op, x, xOff + from, y, yOff + from, Math.min(PARALLEL_CHUNK, n - from));
        });
    }

    /** {@code y = op(x)}. */
    public static void pointwise(PointwiseOp op, double[] x, int xOff, double[] y, int yOff, int n) {
        unary(checked(op).opName(), x, xOff, y, yOff, n);
        pointwiseKernels().pointwise(op, x, xOff, y, yOff, n);
    }

    /**
     * {@code dx = dy * op'}: {@code x} must be given when the operation's derivative reads the
     * input, {@code y} when it reads the output (each may be null otherwise). Split over threads
     * like {@link #pointwise(PointwiseOp, float[], int, float[], int, int)}.
     */
    public static void pointwiseBackward(PointwiseOp op, float[] x, int xOff, float[] y, int yOff, float[] dy,
                                         int dyOff, float[] dx, int dxOff, int n) {
        checkBackward(op, x, xOff, y, yOff, dy, dyOff, dx, dxOff, n);
        PointwiseKernels k = pointwiseKernels();
        if (n < PARALLEL_MIN || !Parallel.canSplit()) {
            k.pointwiseBackward(op, x, xOff, y, yOff, dy, dyOff, dx, dxOff, n);
            return;
        }
        Parallel.forEach((n + PARALLEL_CHUNK - 1) / PARALLEL_CHUNK, c -> {
            int from = c * PARALLEL_CHUNK;
            k.pointwiseBackward(op, x, xOff + from, y, yOff + from, dy, dyOff + from, dx, dxOff + from,
                    Math.min(PARALLEL_CHUNK, n - from));
        });
    }

    /** {@code dx = dy * op'}. */
    public static void pointwiseBackward(PointwiseOp op, double[] x, int xOff, double[] y, int yOff, double[] dy,
                                         int dyOff, double[] dx, int dxOff, int n) {
        checkBackward(op, x, xOff, y, yOff, dy, dyOff, dx, dxOff, n);
        pointwiseKernels().pointwiseBackward(op, x, xOff, y, yOff, dy, dyOff, dx, dxOff, n);
    }

    private static PointwiseOp checked(PointwiseOp op) {
        if (op == null) {
            throw new NullPointerException("pointwise: the operation is null");
        }
        return op;
    }

    private static void checkBackward(PointwiseOp op, Object x, int xOff, Object y, int yOff, Object dy, int dyOff,
                                      Object dx, int dxOff, int n) {
        String name = checked(op).backwardName();
        unary(name, dy, dyOff, dx, dxOff, n);
        if (op.backwardUsesInput()) {
            nonNull(name, "x", x);
            range(name, "x", Array.getLength(x), xOff, n);
            inPlaceOrDisjoint(name, "x", x, xOff, "dx", dx, dxOff, n);
        }
        if (op.backwardUsesOutput()) {
            nonNull(name, "y", y);
            range(name, "y", Array.getLength(y), yOff, n);
            inPlaceOrDisjoint(name, "y", y, yOff, "dx", dx, dxOff, n);
        }
    }

    private static String opName(Activation f) {
        if (f == null) {
            throw new NullPointerException("activate: the activation is null");
        }
        return f.opName();
    }

    private static String backwardName(Activation f) {
        if (f == null) {
            throw new NullPointerException("activateBackward: the activation is null");
        }
        return f.backwardName();
    }

    private static String opName(Binary op) {
        if (op == null) {
            throw new NullPointerException("binary: the operation is null");
        }
        return op.opName();
    }

    private static void unary(String op, Object x, int xOff, Object y, int yOff, int n) {
        nonNull(op, "x", x);
        nonNull(op, "y", y);
        length(op, n);
        range(op, "x", Array.getLength(x), xOff, n);
        range(op, "y", Array.getLength(y), yOff, n);
        inPlaceOrDisjoint(op, "x", x, xOff, "y", y, yOff, n);
    }

    private static void binary(String op, String aName, Object a, int aOff, String bName, Object b, int bOff,
                               String yName, Object y, int yOff, int n) {
        nonNull(op, aName, a);
        nonNull(op, bName, b);
        nonNull(op, yName, y);
        length(op, n);
        range(op, aName, Array.getLength(a), aOff, n);
        range(op, bName, Array.getLength(b), bOff, n);
        range(op, yName, Array.getLength(y), yOff, n);
        inPlaceOrDisjoint(op, aName, a, aOff, yName, y, yOff, n);
        inPlaceOrDisjoint(op, bName, b, bOff, yName, y, yOff, n);
    }

    private static void biasMatrix(Activation f, int rows, int cols, Object bias, int biasOff, Object x, int xOff,
                                   int ldx) {
        String op = "biasActivate";
        nonNull(op, "the activation", f);
        nonNull(op, "bias", bias);
        nonNull(op, "x", x);
        matrix(op, "x", Array.getLength(x), xOff, rows, cols, ldx);
        range(op, "bias", Array.getLength(bias), biasOff, cols);
        if (bias == x && rows > 0 && cols > 0) {
            long xEnd = xOff + (long) (rows - 1) * ldx + cols;
            ArrayChecks.disjoint(op, "bias", bias, biasOff, (long) biasOff + cols, "x", x, xOff, xEnd);
        }
    }
}
