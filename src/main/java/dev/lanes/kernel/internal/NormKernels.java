package dev.lanes.kernel.internal;

/**
 * The elementwise passes of batch normalisation over one channel. Callers go through
 * {@link Norms}, which validates the arguments; an implementation may assume valid ranges and
 * {@code n >= 1} for a plane. (Layer normalisation is the generated {@link LayerNormKernels}.)
 *
 * <p><b>Batch normalisation</b> takes its statistics from the caller (sums over a whole channel,
 * whose planes are not contiguous) and runs its passes plane by plane, each element as written
 * below, left to right, no fused multiply-add: both providers give the same bits.
 */
public interface NormKernels {

    /**
     * One plane of batch normalisation, with the channel's mean,
     * {@code invstd = 1 / sqrt(var + eps)}, weight {@code w} and bias {@code b}:
     * {@code v = ((x - mean) * invstd) * w + b}, and with {@code relu} then {@code max(v + r, 0)},
     * or {@code max(v, 0)} when {@code r} is null (NaN stays NaN, -0 becomes +0), for the
     * {@code n} elements of {@code x} from {@code xOff} and {@code r} from {@code rOff}, written
     * to {@code y} from {@code yOff}.
     */
    void batchNorm(float[] x, float[] r, int xOff, int rOff, float mean, float invstd, float w, float b, boolean relu,
                   float[] y, int yOff, int n);

    /** One plane of batch normalisation, in double precision. */
    void batchNorm(double[] x, double[] r, int xOff, int rOff, double mean, double invstd, double w, double b,
                   boolean relu, double[] y, int yOff, int n);

    /**
     * The input gradient of one plane of batch normalisation, from the output gradient {@code dy}
     * and the input {@code x} (both from {@code off}): with batch statistics
     * {@code dx = scale * ((dy - meanG) - ((x - mean) * invstd) * meanGx)}, where {@code scale}
     * is {@code w * invstd} and {@code meanG}, {@code meanGx} are the channel's means of
     * {@code dy} and {@code dy * xhat}; with running statistics {@code dx = scale * dy}. {@code n}
     * elements, {@code dx} from {@code dxOff}.
     */
    void batchNormBackward(float[] dy, float[] x, int off, float mean, float invstd, float scale, float meanG,
                           float meanGx, boolean batchStats, float[] dx, int dxOff, int n);

    /** The input gradient of one plane of batch normalisation, in double precision. */
    void batchNormBackward(double[] dy, double[] x, int off, double mean, double invstd, double scale, double meanG,
                           double meanGx, boolean batchStats, double[] dx, int dxOff, int n);

    // Channel-blocked data ({@link BlockedConv}'s layout): element {@code (s, q, l)} of a call,
    // segment s (an image), pixel q, lane l (a channel of the block), is at
    // {@code off + s * segStride + q * block + l} in every array of the call.

    /** The terms of {@link #blockedSumBlocks}, per lane {@code l}. */
    enum BlockedTerm {
        /** {@code x}. */
        PLAIN,
        /** {@code d * d} with {@code d = x - center[l]}. */
        SQUARED_DEVIATION,
        /** {@code y * ((x - center[l]) * scale[l])}: a gradient times the normalised input. */
        NORMALISED_PRODUCT
    }

    /**
     * Per lane, the block results of the fixed-order sum of {@code term} over the
     * {@code segments * count} elements in segment and pixel order ({@link ReductionKernels}: the
     * terms cut into blocks of {@link ReductionKernels#SUM_BLOCK}, each folded from 64 partials),
     * for the blocks {@code [fromBlock, toBlock)}: block {@code k}'s result for lane {@code l} into
     * {@code results[resultsOff + (k - fromBlock) * block + l]}. Adding the results of all blocks
     * in order to a double total and rounding it to float gives each lane the bits that
     * {@code Reductions} gives for the same values laid out as one run. {@code y}, {@code center}
     * and {@code scale} may be null where the term does not read them. Per-lane arrays are read
     * from {@code lanes}, here and below.
     */
    void blockedSumBlocks(BlockedTerm term, int block, int segments, int count, float[] x, float[] y, int off,
                          int segStride, float[] center, float[] scale, int lanes, int fromBlock, int toBlock,
                          float[] results, int resultsOff);

    /**
     * {@link #batchNorm} on channel-blocked data, lane {@code l} with {@code mean, invstd, w, b}
     * at {@code lanes + l}: {@code y} (and {@code r}, which may be null) laid out as {@code x},
     * each from its own offset.
     */
    void blockedBatchNorm(int block, int segments, int count, float[] x, int xOff, float[] r, int rOff, int segStride,
                          float[] mean, float[] invstd, float[] w, float[] b, int lanes, boolean relu, float[] y,
                          int yOff);

    /** {@link #batchNormBackward} on channel-blocked data, per-lane parameters; {@code dx} indexed as {@code dy}. */
    void blockedBatchNormBackward(int block, int segments, int count, float[] dy, float[] x, int off, int segStride,
                                  float[] mean, float[] invstd, float[] scale, float[] meanG, float[] meanGx,
                                  int lanes, boolean batchStats, float[] dx);
}
