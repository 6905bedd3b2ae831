package dev.lanes.kernel.internal;

import static dev.lanes.kernel.internal.ArrayChecks.disjoint;
import static dev.lanes.kernel.internal.ArrayChecks.disjointRanges;
import static dev.lanes.kernel.internal.ArrayChecks.inPlaceOrDisjoint;
import static dev.lanes.kernel.internal.ArrayChecks.matrix;
import static dev.lanes.kernel.internal.ArrayChecks.matrixSize;
import static dev.lanes.kernel.internal.ArrayChecks.nonNull;
import static dev.lanes.kernel.internal.ArrayChecks.range;

import java.lang.reflect.Array;

/**
 * Layer normalisation of the rows of a contiguous {@code rows x cols} matrix (row {@code r}
 * starts at {@code off + r * cols}), forward and backward, and the elementwise passes of batch
 * normalisation over one channel, on {@code float[]} and {@code double[]};
 * {@link LayerNormKernels} and {@link NormKernels} give the arithmetic, which is the same bits on
 * every provider.
 *
 * <p><b>Threads.</b> Rows are independent, so large calls split them across {@link Parallel}'s
 * threads. The only reduction across rows, the weight and bias gradients of the backward pass,
 * is blocked by {@link #ROW_BLOCK} rows whatever the thread count: each block's column sums are
 * one kernel call (rows added in order, in the working precision), and the block sums are added
 * in block order in double precision, then rounded once. So results are bit-identical for any
 * thread count, and a long batch loses no more accuracy in single precision than one block does.
 *
 * <p>An output may be its input exactly ({@code y} and {@code x}; {@code dx} and {@code dy}) or
 * share nothing with any array of the call; the saved statistics and the parameter gradients
 * share nothing with anything. Invalid arguments raise {@link IllegalArgumentException} naming
 * the operation and the values; a null required array raises {@link NullPointerException}.
 */
public final class Norms {

    /** Rows per block of the backward pass's column sums: part of the arithmetic, never tied to threads. */
    public static final int ROW_BLOCK = 32;
    /** Elements from which a call splits its rows across threads. */
    private static final int PARALLEL_MIN = 1 << 14;
    /** Elements a parallel tile aims at: whole blocks of rows, at least one. */
    private static final int TILE_ELEMENTS = 1 << 13;

    private Norms() {
    }

    private static NormKernels kernels() {
        return Providers.provider().norms();
    }

    private static LayerNormKernels layerNormKernels() {
        return Providers.provider().layerNorm();
    }

    /**
     * {@code y = (x - mean) / sqrt(var + eps) * weight + bias} for each row, with its mean and
     * biased variance over the row; the row's mean and {@code rstd = 1 / sqrt(var + eps)} are
     * written to {@code mean[meanOff + r]} and {@code rstd[rstdOff + r]} for the backward pass.
     *
     * @param weight {@code cols} scales from {@code wOff}, or null for none
     * @param bias   {@code cols} shifts from {@code bOff}, or null for none
     * @param eps    added to the variance: finite and > 0
     */
    public static void layerNorm(int rows, int cols, float[] x, int xOff, float[] weight, int wOff, float[] bias,
                                 int bOff, double eps, float[] y, int yOff, float[] mean, int meanOff, float[] rstd,
                                 int rstdOff) {
        forward(rows, cols, x, xOff, weight, wOff, bias, bOff, eps, y, yOff, mean, meanOff, rstd, rstdOff);
    }

    /** Layer normalisation of each row, in double precision. */
    public static void layerNorm(int rows, int cols, double[] x, int xOff, double[] weight, int wOff, double[] bias,
                                 int bOff, double eps, double[] y, int yOff, double[] mean, int meanOff,
                                 double[] rstd, int rstdOff) {
        forward(rows, cols, x, xOff, weight, wOff, bias, bOff, eps, y, yOff, mean, meanOff, rstd, rstdOff);
    }

    /**
     * The backward pass of {@link #layerNorm}: from the input {@code x}, the saved {@code mean}
     * and {@code rstd}, the forward {@code weight} (or null) and the output gradient {@code dy},
     * writes the input gradient to {@code dx} and the sums over all rows
     * {@code dw[j] = sum(dy * xhat)} and {@code db[j] = sum(dy)}, each only when its array is not
     * null ({@code dw} and {@code db} are overwritten, zeros when {@code rows == 0}).
     */
    public static void layerNormBackward(int rows, int cols, float[] x, int xOff, float[] mean, int meanOff,
                                         float[] rstd, int rstdOff, float[] weight, int wOff, float[] dy, int dyOff,
                                         float[] dx, int dxOff, float[] dw, int dwOff, float[] db, int dbOff) {
        backward(rows, cols, x, xOff, mean, meanOff, rstd, rstdOff, weight, wOff, dy, dyOff, dx, dxOff, dw, dwOff, db,
                dbOff);
    }

    /** The backward pass of {@link #layerNorm}, in double precision. */
    public static void layerNormBackward(int rows, int cols, double[] x, int xOff, double[] mean, int meanOff,
                                         double[] rstd, int rstdOff, double[] weight, int wOff, double[] dy,
                                         int dyOff, double[] dx, int dxOff, double[] dw, int dwOff, double[] db,
                                         int dbOff) {
        backward(rows, cols, x, xOff, mean, meanOff, rstd, rstdOff, weight, wOff, dy, dyOff, dx, dxOff, dw, dwOff, db,
                dbOff);
    }

    // Both precisions share one body: the arrays of a call are all float[] or all double[] (the
    // public overloads guarantee it), and only the kernel call and the partial sums' storage
    // depend on which.

    private static void forward(int rows, int cols, Object x, int xOff, Object weight, int wOff, Object bias, int bOff,
                                double eps, Object y, int yOff, Object mean, int meanOff, Object rstd, int rstdOff) {
        checkForward(rows, cols, x, xOff, weight, wOff, bias, bOff, eps, y, yOff, mean, meanOff, rstd, rstdOff);
        if (rows == 0 || cols == 0) {
            return;
        }
        LayerNormKernels k = layerNormKernels();
        int tileRows = tileRows(cols);
        if (!split(rows, cols, tileRows)) {
            forwardRows(k, rows, cols, x, xOff, weight, wOff, bias, bOff, eps, y, yOff, mean, meanOff, rstd, rstdOff);
            return;
        }
        Parallel.forEach(ceilDiv(rows, tileRows), t -> {
            int r0 = t * tileRows;
            int o = r0 * cols;
            forwardRows(k, Math.min(tileRows, rows - r0), cols, x, xOff + o, weight, wOff, bias, bOff, eps, y, yOff + o,
                    mean, meanOff + r0, rstd, rstdOff + r0);
        });
    }

    private static void forwardRows(LayerNormKernels k, int rows, int cols, Object x, int xOff, Object weight, int wOff,
                                    Object bias, int bOff, double eps, Object y, int yOff, Object mean, int meanOff,
                                    Object rstd, int rstdOff) {
        if (x instanceof float[] f) {
            k.layerNorm(rows, cols, f, xOff, (float[]) weight, wOff, (float[]) bias, bOff, (float[]) y, yOff,
                    (float[]) mean, meanOff, (float[]) rstd, rstdOff, eps);
        } else {
            k.layerNorm(rows, cols, (double[]) x, xOff, (double[]) weight, wOff, (double[]) bias, bOff, (double[]) y,
                    yOff, (double[]) mean, meanOff, (double[]) rstd, rstdOff, eps);
        }
    }

    private static void backward(int rows, int cols, Object x, int xOff, Object mean, int meanOff, Object rstd,
                                 int rstdOff, Object weight, int wOff, Object dy, int dyOff, Object dx, int dxOff,
                                 Object dw, int dwOff, Object db, int dbOff) {
        checkBackward(rows, cols, x, xOff, mean, meanOff, rstd, rstdOff, weight, wOff, dy, dyOff, dx, dxOff, dw, dwOff,
                db, dbOff);
        if (cols == 0) {
            return;
        }
        LayerNormKernels k = layerNormKernels();
        boolean single = x instanceof float[];
        int blocks = ceilDiv(rows, ROW_BLOCK);
        // Block b's column sums at b * cols (weight) and (blocks + b) * cols (bias), in the working
        // precision; they are added in block order in double below, then rounded once.
        Object partial = dw == null && db == null ? null : single
                ? Scratch.floats(Scratch.NORM_PARTIALS, 2 * blocks * cols)
                : Scratch.doubles(Scratch.NORM_PARTIALS, 2 * blocks * cols);
        Object pw = dw == null ? null : partial;
        Object pb = db == null ? null : partial;
        runBlocks(rows, cols, b -> {
            int r0 = b * ROW_BLOCK;
            int o = r0 * cols;
            int n = Math.min(ROW_BLOCK, rows - r0);
            if (single) {
                k.layerNormBackward(n, cols, (float[]) x, xOff + o, (float[]) mean, meanOff + r0, (float[]) rstd,
                        rstdOff + r0, (float[]) weight, wOff, (float[]) dy, dyOff + o, (float[]) dx, dxOff + o,
                        (float[]) pw, b * cols, (float[]) pb, (blocks + b) * cols);
            } else {
                k.layerNormBackward(n, cols, (double[]) x, xOff + o, (double[]) mean, meanOff + r0, (double[]) rstd,
                        rstdOff + r0, (double[]) weight, wOff, (double[]) dy, dyOff + o, (double[]) dx, dxOff + o,
                        (double[]) pw, b * cols, (double[]) pb, (blocks + b) * cols);
            }
        });
        if (partial == null) {
            return;
        }
        for (int j = 0; j < cols; j++) {
            double sw = 0d;
            double sb = 0d;
            for (int b = 0; b < blocks; b++) {
                sw += element(partial, b * cols + j);
                sb += element(partial, (blocks + b) * cols + j);
            }
            if (dw != null) {
                store(dw, dwOff + j, sw);
            }
            if (db != null) {
                store(db, dbOff + j, sb);
            }
        }
    }

    private static double element(Object a, int i) {
        return a instanceof float[] f ? f[i] : ((double[]) a)[i];
    }

    /** {@code a[i] = v}, rounded once to float for a {@code float[]}. */
    private static void store(Object a, int i, double v) {
        if (a instanceof float[] f) {
            f[i] = (float) v;
        } else {
            ((double[]) a)[i] = v;
        }
    }

    /**
     * Runs {@code block} for every block of {@link #ROW_BLOCK} rows: on this thread for a small
     * call, else in tiles of whole blocks across the pool. Which thread runs a block never
     * changes what it computes.
     */
    private static void runBlocks(int rows, int cols, Parallel.TileBody block) {
        int blocks = ceilDiv(rows, ROW_BLOCK);
        int tileRows = tileRows(cols);
        if (!split(rows, cols, tileRows)) {
            for (int b = 0; b < blocks; b++) {
                block.run(b);
            }
            return;
        }
        int perTile = tileRows / ROW_BLOCK;
        Parallel.forEach(ceilDiv(blocks, perTile), t -> {
            for (int b = t * perTile, end = Math.min(blocks, b + perTile); b < end; b++) {
                block.run(b);
            }
        });
    }

    /** Rows per parallel tile: whole blocks, about {@link #TILE_ELEMENTS} elements. */
    private static int tileRows(int cols) {
        return ROW_BLOCK * Math.max(1, TILE_ELEMENTS / (ROW_BLOCK * cols));
    }

    private static boolean split(int rows, int cols, int tileRows) {
        return rows > tileRows && (long) rows * cols >= PARALLEL_MIN && Parallel.canSplit();
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    // ---------------------------------------------------------------- batch normalisation
    //
    // One entry per pass for both precisions: the arrays are all float[] or all double[], and the
    // per-channel values are rounded to that precision. The caller splits channels across threads.

    /**
     * {@link NormKernels#batchNorm} on each plane of one channel: the rows of the
     * {@code rows x cols} matrices {@code x} and {@code r} ({@code r} null for none; from
     * {@code xOff}, leading dimension {@code ldx}) and {@code y} (from {@code yOff}, {@code ldy});
     * {@code y} may be {@code x} exactly.
     */
    public static void batchNorm(int rows, int cols, Object x, Object r, int xOff, int ldx, double mean,
                                 double invstd, double w, double b, boolean relu, Object y, int yOff, int ldy) {
        batchNorm(rows, cols, x, xOff, r, xOff, ldx, mean, invstd, w, b, relu, y, yOff, ldy);
    }

    /**
     * {@link #batchNorm(int, int, Object, Object, int, int, double, double, double, double, boolean,
     * Object, int, int)} with {@code r} from its own offset {@code rOff} (same leading dimension
     * as {@code x}).
     */
    public static void batchNorm(int rows, int cols, Object x, int xOff, Object r, int rOff, int ldx, double mean,
                                 double invstd, double w, double b, boolean relu, Object y, int yOff, int ldy) {
        if (!channel("batchNorm", "x", "r", "y", rows, cols, x, r, xOff, rOff, ldx, y, yOff, ldy)) {
            return;
        }
        NormKernels k = kernels();
        for (int i = 0; i < rows; i++) {
            int xi = xOff + i * ldx;
            int ri = rOff + i * ldx;
            int yi = yOff + i * ldy;
            if (x instanceof float[] f) {
                k.batchNorm(f, (float[]) r, xi, ri, (float) mean, (float) invstd, (float) w, (float) b, relu,
                        (float[]) y, yi, cols);
            } else {
                k.batchNorm((double[]) x, (double[]) r, xi, ri, mean, invstd, w, b, relu, (double[]) y, yi, cols);
            }
        }
    }

    /**
     * {@link NormKernels#batchNormBackward} on each plane of one channel: the rows of the
     * {@code rows x cols} matrices {@code dy} and {@code x} (from {@code off}, leading dimension
     * {@code ld}) and {@code dx} (from {@code dxOff}, {@code lddx}); {@code dx} may be {@code dy}
     * exactly.
     */
    public static void batchNormBackward(int rows, int cols, Object dy, Object x, int off, int ld, double mean,
                                         double invstd, double scale, double meanG, double meanGx, boolean batchStats,
                                         Object dx, int dxOff, int lddx) {
        nonNull("batchNormBackward", "x", x);
        if (!channel("batchNormBackward", "dy", "x", "dx", rows, cols, dy, x, off, ld, dx, dxOff, lddx)) {
            return;
        }
        NormKernels k = kernels();
        for (int i = 0; i < rows; i++) {
            int o = off + i * ld;
            int d = dxOff + i * lddx;
            if (dy instanceof float[] f) {
                k.batchNormBackward(f, (float[]) x, o, (float) mean, (float) invstd, (float) scale, (float) meanG,
                        (float) meanGx, batchStats, (float[]) dx, d, cols);
            } else {
                k.batchNormBackward((double[]) dy, (double[]) x, o, mean, invstd, scale, meanG, meanGx, batchStats,
                        (double[]) dx, d, cols);
            }
        }
    }

    // ---------------------------------------------------------------- channel-blocked data
    //
    // Element (s, q, l) of a call at off + s * segStride + q * block + l in every array: segment s
    // (an image), pixel q, lane l (a channel of one block). Per-lane values in arrays of >= block.

    /** @return the blocks of {@link ReductionKernels#SUM_BLOCK} terms of a fixed-order sum of {@code terms} terms */
    public static int sumBlocks(long terms) {
        return (int) ((terms + ReductionKernels.SUM_BLOCK - 1) / ReductionKernels.SUM_BLOCK);
    }

    /**
     * The whole per-lane fixed-order sums of {@link NormKernels#blockedSumBlocks} on the calling
     * thread, into {@code out[lanes + l]}: the block results added in order to a double total,
     * rounded to float.
     */
    public static void blockedChannelSums(NormKernels.BlockedTerm term, int block, int segments, int count, float[] x,
                                          float[] y, int off, int segStride, float[] center, float[] scale,
                                          int lanes, float[] out) {
        lanes("blockedChannelSums", "out", out, lanes, block);
        int blocks = sumBlocks((long) segments * count);
        float[] results = Scratch.floats(Scratch.BLOCKED_SUMS, Math.max(1, blocks * block));
        blockedSumBlocks(term, block, segments, count, x, y, off, segStride, center, scale, lanes, 0, blocks,
                results, 0);
        addSumBlocks(results, 0, blocks, block, out, lanes);
    }

    /** {@link NormKernels#blockedSumBlocks}, checked. */
    public static void blockedSumBlocks(NormKernels.BlockedTerm term, int block, int segments, int count, float[] x,
                                        float[] y, int off, int segStride, float[] center, float[] scale, int lanes,
                                        int fromBlock, int toBlock, float[] results, int resultsOff) {
        String op = "blockedSumBlocks";
        blockedExtent(op, "x", x, block, segments, count, off, segStride);
        if (term == NormKernels.BlockedTerm.NORMALISED_PRODUCT) {
            blockedExtent(op, "y", y, block, segments, count, off, segStride);
            lanes(op, "scale", scale, lanes, block);
        }
        if (term != NormKernels.BlockedTerm.PLAIN) {
            lanes(op, "center", center, lanes, block);
        }
        int blocks = sumBlocks((long) segments * count);
        if (fromBlock < 0 || toBlock > blocks || fromBlock > toBlock) {
            throw new IllegalArgumentException(op + ": blocks [" + fromBlock + ", " + toBlock + ") outside the "
                    + blocks + " of " + segments + " x " + count + " terms");
        }
        nonNull(op, "results", results);
        if (resultsOff < 0 || resultsOff + (long) (toBlock - fromBlock) * block > results.length) {
            throw new IllegalArgumentException(op + ": results needs " + (toBlock - fromBlock) * block
                    + " elements from " + resultsOff + ", but has " + results.length);
        }
        kernels().blockedSumBlocks(term, block, segments, count, x, y, off, segStride, center, scale, lanes, fromBlock,
                toBlock, results, resultsOff);
    }

    /**
     * Per lane, the {@code blocks} block results at {@code results[resultsOff + k * block + l]}
     * added in block order to a double total starting at 0, rounded to float into {@code out[lanes + l]}.
     */
    public static void addSumBlocks(float[] results, int resultsOff, int blocks, int block, float[] out, int lanes) {
        for (int l = 0; l < block; l++) {
            double total = 0;
            for (int k = 0; k < blocks; k++) {
                total += results[resultsOff + k * block + l];
            }
            out[lanes + l] = (float) total;
        }
    }

    /**
     * {@link NormKernels#blockedBatchNorm}, checked; {@code y} may be {@code x} (the same range) and
     * otherwise shares no element with it.
     */
    public static void blockedBatchNorm(int block, int segments, int count, float[] x, int xOff, float[] r, int rOff,
                                        int segStride, float[] mean, float[] invstd, float[] w, float[] b,
                                        int lanes, boolean relu, float[] y, int yOff) {
        String op = "blockedBatchNorm";
        long span = blockedExtent(op, "x", x, block, segments, count, xOff, segStride) - xOff;
        blockedExtent(op, "y", y, block, segments, count, yOff, segStride);
        if (r != null) {
            blockedExtent(op, "r", r, block, segments, count, rOff, segStride);
        }
        ArrayChecks.inPlaceOrDisjoint(op, "x", x, xOff, "y", y, yOff, (int) span);
        lanes(op, "mean", mean, lanes, block);
        lanes(op, "invstd", invstd, lanes, block);
        lanes(op, "w", w, lanes, block);
        lanes(op, "b", b, lanes, block);
        kernels().blockedBatchNorm(block, segments, count, x, xOff, r, rOff, segStride, mean, invstd, w, b, lanes, relu,
                y, yOff);
    }

    /** {@link NormKernels#blockedBatchNormBackward}, checked; {@code dx} may be {@code dy}. */
    public static void blockedBatchNormBackward(int block, int segments, int count, float[] dy, float[] x, int off,
                                                int segStride, float[] mean, float[] invstd, float[] scale,
                                                float[] meanG, float[] meanGx, int lanes, boolean batchStats,
                                                float[] dx) {
        String op = "blockedBatchNormBackward";
        blockedExtent(op, "dy", dy, block, segments, count, off, segStride);
        blockedExtent(op, "x", x, block, segments, count, off, segStride);
        blockedExtent(op, "dx", dx, block, segments, count, off, segStride);
        lanes(op, "mean", mean, lanes, block);
        lanes(op, "invstd", invstd, lanes, block);
        lanes(op, "scale", scale, lanes, block);
        lanes(op, "meanG", meanG, lanes, block);
        lanes(op, "meanGx", meanGx, lanes, block);
        kernels().blockedBatchNormBackward(block, segments, count, dy, x, off, segStride, mean, invstd, scale, meanG,
                meanGx, lanes, batchStats, dx);
    }

    /** @return the end of the extent */
    private static long blockedExtent(String op, String name, float[] a, int block, int segments, int count, int off,
                                      int segStride) {
        nonNull(op, name, a);
        if (block < 1 || segments < 0 || count < 0 || off < 0 || (segments > 1 && segStride < count * block)) {
            throw new IllegalArgumentException(op + ": need block >= 1, segments, count, off >= 0 and segStride >= "
                    + "count * block, got block=" + block + ", segments=" + segments + ", count=" + count + ", off="
                    + off + ", segStride=" + segStride);
        }
        long end = segments == 0 || count == 0 ? off : off + (long) (segments - 1) * segStride + (long) count * block;
        if (end > a.length) {
            throw new IllegalArgumentException(op + ": " + name + " needs " + end + " elements, but has " + a.length);
        }
        return end;
    }

    private static void lanes(String op, String name, float[] a, int from, int block) {
        nonNull(op, name, a);
        if (from < 0 || (long) from + block > a.length) {
            throw new IllegalArgumentException(op + ": " + name + " needs " + block + " lanes from " + from
                    + ", but has " + a.length);
        }
    }

    // ---------------------------------------------------------------- checks

    /**
     * The checks of a batch-norm pass: the inputs {@code a} and {@code b} (null for none) share a
     * layout, the output has its own, all are arrays of one precision; the output may be {@code a}
     * exactly and shares no element with the inputs otherwise.
     *
     * @return whether the matrices have any element
     */
    private static boolean channel(String op, String aName, String bName, String outName, int rows, int cols, Object a,
                                   Object b, int inOff, int ldIn, Object out, int outOff, int ldOut) {
        return channel(op, aName, bName, outName, rows, cols, a, b, inOff, inOff, ldIn, out, outOff, ldOut);
    }

    /** {@link #channel} with {@code b} from its own offset. */
    private static boolean channel(String op, String aName, String bName, String outName, int rows, int cols, Object a,
                                   Object b, int inOff, int bOff, int ldIn, Object out, int outOff, int ldOut) {
        nonNull(op, aName, a);
        nonNull(op, outName, out);
        if (!(a instanceof float[] || a instanceof double[]) || out.getClass() != a.getClass()
                || b != null && b.getClass() != a.getClass()) {
            throw new IllegalArgumentException(op + ": " + aName + ", " + bName + " and " + outName
                    + " must all be float[] or all double[]");
        }
        if (matrixSize(op, rows, cols) == 0) {
            return false;
        }
        matrix(op, aName, Array.getLength(a), inOff, rows, cols, ldIn);
        if (b != null) {
            matrix(op, bName, Array.getLength(b), bOff, rows, cols, ldIn);
        }
        matrix(op, outName, Array.getLength(out), outOff, rows, cols, ldOut);
        long inEnd = inOff + (long) (rows - 1) * ldIn + cols;
        long outEnd = outOff + (long) (rows - 1) * ldOut + cols;
        if (a != out || inOff != outOff || ldIn != ldOut) {
            disjoint(op, aName, a, inOff, inEnd, outName, out, outOff, outEnd);
        }
        disjoint(op, bName, b, bOff, bOff + (long) (rows - 1) * ldIn + cols, outName, out, outOff, outEnd);
        return true;
    }

    private static void checkForward(int rows, int cols, Object x, int xOff, Object weight, int wOff, Object bias,
                                     int bOff, double eps, Object y, int yOff, Object mean, int meanOff, Object rstd,
                                     int rstdOff) {
        String op = "layerNorm";
        int n = matrixSize(op, rows, cols);
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException(op + ": eps must be finite and > 0, got " + eps);
        }
        array(op, "x", x, xOff, n);
        array(op, "y", y, yOff, n);
        optional(op, "weight", weight, wOff, cols);
        optional(op, "bias", bias, bOff, cols);
        array(op, "mean", mean, meanOff, rows);
        array(op, "rstd", rstd, rstdOff, rows);
        inPlaceOrDisjoint(op, "x", x, xOff, "y", y, yOff, n);
        apart(op, "weight", weight, wOff, cols, "y", y, yOff, n);
        apart(op, "bias", bias, bOff, cols, "y", y, yOff, n);
        apart(op, "mean", mean, meanOff, rows, "rstd", rstd, rstdOff, rows);
        forwardStatistic(op, "mean", mean, meanOff, rows, cols, x, xOff, weight, wOff, bias, bOff, y, yOff);
        forwardStatistic(op, "rstd", rstd, rstdOff, rows, cols, x, xOff, weight, wOff, bias, bOff, y, yOff);
    }

    /** A saved statistic shares nothing with the forward pass's other arrays. */
    private static void forwardStatistic(String op, String name, Object s, int sOff, int rows, int cols, Object x,
                                         int xOff, Object weight, int wOff, Object bias, int bOff, Object y, int yOff) {
        int n = rows * cols;
        apart(op, "x", x, xOff, n, name, s, sOff, rows);
        apart(op, "y", y, yOff, n, name, s, sOff, rows);
        apart(op, "weight", weight, wOff, cols, name, s, sOff, rows);
        apart(op, "bias", bias, bOff, cols, name, s, sOff, rows);
    }

    private static void checkBackward(int rows, int cols, Object x, int xOff, Object mean, int meanOff, Object rstd,
                                      int rstdOff, Object weight, int wOff, Object dy, int dyOff, Object dx, int dxOff,
                                      Object dw, int dwOff, Object db, int dbOff) {
        String op = "layerNormBackward";
        int n = matrixSize(op, rows, cols);
        array(op, "x", x, xOff, n);
        array(op, "mean", mean, meanOff, rows);
        array(op, "rstd", rstd, rstdOff, rows);
        optional(op, "weight", weight, wOff, cols);
        array(op, "dy", dy, dyOff, n);
        optional(op, "dx", dx, dxOff, n);
        optional(op, "dw", dw, dwOff, cols);
        optional(op, "db", db, dbOff, cols);
        inPlaceOrDisjoint(op, "dy", dy, dyOff, "dx", dx, dxOff, n);
        apart(op, "x", x, xOff, n, "dx", dx, dxOff, n);
        apart(op, "mean", mean, meanOff, rows, "dx", dx, dxOff, n);
        apart(op, "rstd", rstd, rstdOff, rows, "dx", dx, dxOff, n);
        apart(op, "weight", weight, wOff, cols, "dx", dx, dxOff, n);
        apart(op, "dw", dw, dwOff, cols, "db", db, dbOff, cols);
        parameterGradient(op, "dw", dw, dwOff, rows, cols, x, xOff, mean, meanOff, rstd, rstdOff, weight, wOff, dy,
                dyOff, dx, dxOff);
        parameterGradient(op, "db", db, dbOff, rows, cols, x, xOff, mean, meanOff, rstd, rstdOff, weight, wOff, dy,
                dyOff, dx, dxOff);
    }

    /** A parameter gradient shares nothing with the backward pass's other arrays. */
    private static void parameterGradient(String op, String name, Object s, int sOff, int rows, int cols, Object x,
                                          int xOff, Object mean, int meanOff, Object rstd, int rstdOff, Object weight,
                                          int wOff, Object dy, int dyOff, Object dx, int dxOff) {
        int n = rows * cols;
        apart(op, "x", x, xOff, n, name, s, sOff, cols);
        apart(op, "mean", mean, meanOff, rows, name, s, sOff, cols);
        apart(op, "rstd", rstd, rstdOff, rows, name, s, sOff, cols);
        apart(op, "weight", weight, wOff, cols, name, s, sOff, cols);
        apart(op, "dy", dy, dyOff, n, name, s, sOff, cols);
        apart(op, "dx", dx, dxOff, n, name, s, sOff, cols);
    }

    /** Two ranges share no element; an absent (null) array shares nothing. */
    private static void apart(String op, String aName, Object a, int aOff, int aN, String bName, Object b, int bOff,
                              int bN) {
        if (a != null && b != null) {
            disjointRanges(op, aName, a, aOff, aN, bName, b, bOff, bN);
        }
    }

    /** A required array holding {@code n} elements from {@code off}. */
    private static void array(String op, String name, Object a, int off, int n) {
        nonNull(op, name, a);
        range(op, name, Array.getLength(a), off, n);
    }

    /** An optional array: null, or holding {@code n} elements from {@code off}. */
    private static void optional(String op, String name, Object a, int off, int n) {
        if (a != null) {
            range(op, name, Array.getLength(a), off, n);
        }
    }
}
