package dev.lanes.kernel.internal;

import static dev.lanes.kernel.internal.ArrayChecks.inPlaceOrDisjoint;
import static dev.lanes.kernel.internal.ArrayChecks.length;
import static dev.lanes.kernel.internal.ArrayChecks.matrix;
import static dev.lanes.kernel.internal.ArrayChecks.matrixSize;
import static dev.lanes.kernel.internal.ArrayChecks.nonNull;
import static dev.lanes.kernel.internal.ArrayChecks.range;

import java.lang.reflect.Array;

/**
 * Sums, maxima and row-wise softmax on {@code float[]} and {@code double[]} ranges. Sums are
 * evaluated in the fixed order described in {@link ReductionKernels}, so they are the same bits
 * on every provider, vector width and thread count, and stay accurate for long inputs (blocks of
 * 4096 terms, block results added in double precision).
 *
 * <p>Matrices of the softmax family are contiguous: row {@code r} of a {@code rows x cols}
 * matrix starts at {@code off + r * cols}. Outputs may be an input exactly (in place) or share
 * nothing with it. Invalid arguments raise {@link IllegalArgumentException} naming the operation
 * and the values; a null array raises {@link NullPointerException}.
 */
public final class Reductions {

    private Reductions() {
    }

    private static SumKernels sums() {
        return Providers.provider().sums();
    }

    private static ReductionKernels kernels() {
        return Providers.provider().reductions();
    }

    private static SoftmaxKernels softmaxKernels() {
        return Providers.provider().softmax();
    }

    /** The sum of {@code x[off .. off + n)}; 0 when {@code n == 0}. */
    public static float sum(float[] x, int off, int n) {
        vector("sum", x, off, n);
        return sums().sum(SumTerm.PLAIN, x, off, null, 0, 0, n);
    }

    /** The sum of {@code x[off .. off + n)}. */
    public static double sum(double[] x, int off, int n) {
        vector("sum", x, off, n);
        return sums().sum(SumTerm.PLAIN, x, off, null, 0, 0, n);
    }

    /** The sum of squares (the squared Euclidean norm). */
    public static float sumOfSquares(float[] x, int off, int n) {
        vector("sumOfSquares", x, off, n);
        return sums().sum(SumTerm.SQUARE, x, off, null, 0, 0, n);
    }

    /** The sum of squares. */
    public static double sumOfSquares(double[] x, int off, int n) {
        vector("sumOfSquares", x, off, n);
        return sums().sum(SumTerm.SQUARE, x, off, null, 0, 0, n);
    }

    /**
     * {@code sum((x[i] - center)^2)} in the fixed order, each term rounded as
     * {@code d = x[i] - center; d * d}: with {@code center} near the mean, the second pass of a
     * variance that does not cancel.
     */
    public static float sumOfSquaredDeviations(float[] x, int off, int n, float center) {
        vector("sumOfSquaredDeviations", x, off, n);
        return sums().sum(SumTerm.SQUARED_DEVIATION, x, off, null, 0, center, n);
    }

    /** {@code sum((x[i] - center)^2)} in the fixed order. */
    public static double sumOfSquaredDeviations(double[] x, int off, int n, double center) {
        vector("sumOfSquaredDeviations", x, off, n);
        return sums().sum(SumTerm.SQUARED_DEVIATION, x, off, null, 0, center, n);
    }

    /** The dot product {@code sum(x[i] * y[i])}. */
    public static float dot(float[] x, int xOff, float[] y, int yOff, int n) {
        vector("dot", x, xOff, n);
        range("dot", "y", nonNullLength("dot", "y", y), yOff, n);
        return sums().sum(SumTerm.PRODUCT, x, xOff, y, yOff, 0, n);
    }

    /** The dot product. */
    public static double dot(double[] x, int xOff, double[] y, int yOff, int n) {
        vector("dot", x, xOff, n);
        range("dot", "y", nonNullLength("dot", "y", y), yOff, n);
        return sums().sum(SumTerm.PRODUCT, x, xOff, y, yOff, 0, n);
    }

    /**
     * The largest of {@code x[off .. off + n)}, NaN if any is NaN, +0 over -0 ({@link Math#max}).
     *
     * @throws IllegalArgumentException if {@code n == 0} (the maximum of nothing is undefined)
     */
    public static float max(float[] x, int off, int n) {
        vector("max", x, off, n);
        nonEmpty(n);
        return sums().max(x, off, n);
    }

    /** The largest element; see {@link #max(float[], int, int)}. */
    public static double max(double[] x, int off, int n) {
        vector("max", x, off, n);
        nonEmpty(n);
        return sums().max(x, off, n);
    }

    /**
     * Max pooling of one {@code h x w} plane at {@code xOff} into {@code hOut x wOut} maxima at
     * {@code yOff}, with each maximum's flat index in the plane at {@code argOff} when
     * {@code arg} is not null. See {@link ReductionKernels#maxPool} for ties, NaN and padding.
     *
     * @throws IllegalArgumentException when a range lies outside its array
     */
    public static void maxPool(PoolWindow p, float[] x, int xOff, float[] y, int yOff, int[] arg, int argOff) {
        String op = "maxPool";
        if (p == null) {
            throw new NullPointerException(op + ": the window is null");
        }
        range(op, "x", nonNullLength(op, "x", x), xOff, p.h() * p.w());
        range(op, "y", nonNullLength(op, "y", y), yOff, p.hOut() * p.wOut());
        if (arg != null) {
            range(op, "arg", arg.length, argOff, p.hOut() * p.wOut());
        }
        kernels().maxPool(p, x, xOff, y, yOff, arg, argOff);
    }

    /**
     * Max pooling of one channel-blocked plane ({@code [h][w][block]} at {@code xOff}) into
     * {@code [hOut][wOut][block]} maxima at {@code yOff}, with each maximum's flat pixel index at
     * {@code argOff} when {@code arg} is not null. See {@link ReductionKernels#blockedMaxPool}.
     *
     * @throws IllegalArgumentException when {@code block < 1} or a range lies outside its array
     */
    public static void blockedMaxPool(PoolWindow p, int block, float[] x, int xOff, float[] y, int yOff, int[] arg,
                                      int argOff) {
        String op = "blockedMaxPool";
        if (p == null) {
            throw new NullPointerException(op + ": the window is null");
        }
        if (block < 1) {
            throw new IllegalArgumentException(op + ": block must be at least 1, got " + block);
        }
        range(op, "x", nonNullLength(op, "x", x), xOff, Math.multiplyExact(p.h() * p.w(), block));
        int outputs = Math.multiplyExact(p.hOut() * p.wOut(), block);
        range(op, "y", nonNullLength(op, "y", y), yOff, outputs);
        if (arg != null) {
            range(op, "arg", arg.length, argOff, outputs);
        }
        kernels().blockedMaxPool(p, block, x, xOff, y, yOff, arg, argOff);
    }

    /**
     * {@code y[j] += x[0][j] + x[1][j] + ... + x[rows-1][j]}, added row by row: the bias gradient
     * of a batch. {@code x} is {@code rows x cols} with leading dimension {@code ldx}.
     */
    public static void addColumnSums(int rows, int cols, float[] x, int xOff, int ldx, float[] y, int yOff) {
        columnSums(rows, cols, x, xOff, ldx, y, yOff);
        kernels().addColumnSums(rows, cols, x, xOff, ldx, y, yOff);
    }

    /** {@code y[j] += x[0][j] + ... + x[rows-1][j]}. */
    public static void addColumnSums(int rows, int cols, double[] x, int xOff, int ldx, double[] y, int yOff) {
        columnSums(rows, cols, x, xOff, ldx, y, yOff);
        kernels().addColumnSums(rows, cols, x, xOff, ldx, y, yOff);
    }

    /**
     * Softmax of each row: {@code y = exp(x - max) / sum(exp(x - max))}. A row with an infinite
     * maximum gives NaN, as in PyTorch.
     */
    public static void softmax(int rows, int cols, float[] x, int xOff, float[] y, int yOff) {
        if (rows(rows, cols, "softmax", "x", x, xOff, "y", y, yOff)) {
            softmaxKernels().softmax(rows, cols, x, xOff, y, yOff);
        }
    }

    /** Row-wise softmax. */
    public static void softmax(int rows, int cols, double[] x, int xOff, double[] y, int yOff) {
        if (rows(rows, cols, "softmax", "x", x, xOff, "y", y, yOff)) {
            softmaxKernels().softmax(rows, cols, x, xOff, y, yOff);
        }
    }

    /** Log-softmax of each row: {@code y = (x - max) - ln(sum(exp(x - max)))}. */
    public static void logSoftmax(int rows, int cols, float[] x, int xOff, float[] y, int yOff) {
        if (rows(rows, cols, "logSoftmax", "x", x, xOff, "y", y, yOff)) {
            softmaxKernels().logSoftmax(rows, cols, x, xOff, y, yOff);
        }
    }

    /** Row-wise log-softmax. */
    public static void logSoftmax(int rows, int cols, double[] x, int xOff, double[] y, int yOff) {
        if (rows(rows, cols, "logSoftmax", "x", x, xOff, "y", y, yOff)) {
            softmaxKernels().logSoftmax(rows, cols, x, xOff, y, yOff);
        }
    }

    /** Softmax backward from the output {@code y}: {@code dx = y * (dy - sum(dy * y))} per row. */
    public static void softmaxBackward(int rows, int cols, float[] y, int yOff, float[] dy, int dyOff,
                                       float[] dx, int dxOff) {
        if (backwardRows(rows, cols, "softmaxBackward", y, yOff, dy, dyOff, dx, dxOff)) {
            softmaxKernels().softmaxBackward(rows, cols, y, yOff, dy, dyOff, dx, dxOff);
        }
    }

    /** Softmax backward from the output {@code y}. */
    public static void softmaxBackward(int rows, int cols, double[] y, int yOff, double[] dy, int dyOff,
                                       double[] dx, int dxOff) {
        if (backwardRows(rows, cols, "softmaxBackward", y, yOff, dy, dyOff, dx, dxOff)) {
            softmaxKernels().softmaxBackward(rows, cols, y, yOff, dy, dyOff, dx, dxOff);
        }
    }

    /** Log-softmax backward from the output {@code y}: {@code dx = dy - exp(y) * sum(dy)} per row. */
    public static void logSoftmaxBackward(int rows, int cols, float[] y, int yOff, float[] dy, int dyOff,
                                          float[] dx, int dxOff) {
        if (backwardRows(rows, cols, "logSoftmaxBackward", y, yOff, dy, dyOff, dx, dxOff)) {
            softmaxKernels().logSoftmaxBackward(rows, cols, y, yOff, dy, dyOff, dx, dxOff);
        }
    }

    /** Log-softmax backward from the output {@code y}. */
    public static void logSoftmaxBackward(int rows, int cols, double[] y, int yOff, double[] dy, int dyOff,
                                          double[] dx, int dxOff) {
        if (backwardRows(rows, cols, "logSoftmaxBackward", y, yOff, dy, dyOff, dx, dxOff)) {
            softmaxKernels().logSoftmaxBackward(rows, cols, y, yOff, dy, dyOff, dx, dxOff);
        }
    }

    private static int nonNullLength(String op, String name, Object array) {
        nonNull(op, name, array);
        return Array.getLength(array);
    }

    private static void vector(String op, Object x, int off, int n) {
        length(op, n);
        range(op, "x", nonNullLength(op, "x", x), off, n);
    }

    private static void nonEmpty(int n) {
        if (n == 0) {
            throw new IllegalArgumentException("max: the input is empty");
        }
    }

    private static void columnSums(int rows, int cols, Object x, int xOff, int ldx, Object y, int yOff) {
        String op = "addColumnSums";
        matrix(op, "x", nonNullLength(op, "x", x), xOff, rows, cols, ldx);
        range(op, "y", nonNullLength(op, "y", y), yOff, cols);
        if (rows > 0 && cols > 0) {
            ArrayChecks.disjoint(op, "y", y, yOff, (long) yOff + cols, "x", x, xOff,
                    xOff + (long) (rows - 1) * ldx + cols);
        }
    }

    /** Checks a contiguous row-wise operation; returns whether there is anything to do. */
    private static boolean rows(int rows, int cols, String op, String inName, Object in, int inOff,
                                String outName, Object out, int outOff) {
        int n = matrixSize(op, rows, cols);
        range(op, inName, nonNullLength(op, inName, in), inOff, n);
        range(op, outName, nonNullLength(op, outName, out), outOff, n);
        inPlaceOrDisjoint(op, inName, in, inOff, outName, out, outOff, n);
        return n > 0;
    }

    private static boolean backwardRows(int rows, int cols, String op, Object y, int yOff, Object dy, int dyOff,
                                        Object dx, int dxOff) {
        rows(rows, cols, op, "y", y, yOff, "dx", dx, dxOff);
        return rows(rows, cols, op, "dy", dy, dyOff, "dx", dx, dxOff);
    }
}
