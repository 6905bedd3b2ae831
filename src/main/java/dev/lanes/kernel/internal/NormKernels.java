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
     * {@code n} elements of {@code x} and {@code r} from {@code xOff}, written to {@code y} from
     * {@code yOff}.
     */
    void batchNorm(float[] x, float[] r, int xOff, float mean, float invstd, float w, float b, boolean relu,
                   float[] y, int yOff, int n);

    /** One plane of batch normalisation, in double precision. */
    void batchNorm(double[] x, double[] r, int xOff, double mean, double invstd, double w, double b, boolean relu,
                   double[] y, int yOff, int n);

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
}
