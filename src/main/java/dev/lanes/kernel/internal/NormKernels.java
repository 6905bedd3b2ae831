package dev.lanes.kernel.internal;

/**
 * Row-wise layer normalisation of a contiguous {@code rows x cols} matrix (each row is normalised
 * over its {@code cols} values), and the elementwise passes of batch normalisation over one
 * channel. Callers go through {@link Norms}, which validates the arguments, splits the layer
 * norm's rows across threads and fixes the order in which the per-block column sums of its
 * backward pass are combined; an implementation may assume valid ranges, {@code rows >= 1} and
 * {@code cols >= 1} ({@code n >= 1} for a plane), outputs that coincide exactly with an input or
 * do not overlap it, and {@code eps > 0}.
 *
 * <p><b>Arithmetic,</b> the same on every provider. In single precision, per row:
 * <ol>
 *   <li>{@code mu0 = (float) ((double) sum(x) / cols)}, a first estimate of the mean; every sum
 *       here is in the fixed order of {@link ReductionKernels};</li>
 *   <li>the deviations {@code d = x - mu0}, rounded to float, and their sums {@code sd = sum(d)}
 *       and {@code sq = sum(d * d)};</li>
 *   <li>{@code mu = (float) (mu0 + (double) sd / cols)}, the mean that is saved and used;
 *       {@code var = max(0, sq / cols - (sd / cols)^2)} and
 *       {@code rstd = (float) (1 / sqrt(var + eps))} in double. The deviations are small when the
 *       mean is large, so the variance does not cancel away, and the correction {@code sd} puts
 *       {@code mu} within rounding of the mean even when the float sum of step 1 is not;</li>
 *   <li>{@code y = ((x - mu) * rstd) * w + b}, each operation rounded to float, no fused
 *       multiply-add; the factor and the term are left out when there is no weight or bias.</li>
 * </ol>
 * Backward, per row, with {@code xhat = (x - mu) * rstd} and {@code g = dy * w} (or {@code dy}):
 * {@code sg = sum(g)}, {@code sgx = dot(g, xhat)} in the fixed order,
 * {@code meanG = (float) ((double) sg / cols)}, {@code meanGx = (float) ((double) sgx / cols)},
 * and {@code dx = rstd * ((g - meanG) - xhat * meanGx)}. The column sums {@code dw = sum(dy * xhat)}
 * and {@code db = sum(dy)} over the rows of one call are added row by row in row order, starting
 * from {@code +0}. So both providers give the same bits. Double precision is the plain two-pass
 * form in double: {@code mean = sum(x) / cols}, {@code var = sum((x - mean)^2) / cols} (fixed-order
 * sums), {@code rstd = 1 / sqrt(var + eps)}, then the same steps.
 *
 * <p><b>Batch normalisation</b> takes its statistics from the caller (sums over a whole channel,
 * whose planes are not contiguous) and runs its passes plane by plane, each element as written
 * below, left to right, no fused multiply-add: both providers give the same bits.
 */
public interface NormKernels {

    /**
     * Layer normalisation of each row: {@code y = (x - mean) * rstd * weight + bias}, with the
     * row's mean and {@code rstd = 1 / sqrt(var + eps)} (biased variance) written to
     * {@code mean[meanOff + r]} and {@code rstd[rstdOff + r]} for the backward pass.
     *
     * @param weight {@code cols} scales from {@code wOff}, or null for none
     * @param bias   {@code cols} shifts from {@code bOff}, or null for none
     */
    void layerNorm(int rows, int cols, float[] x, int xOff, float[] weight, int wOff, float[] bias, int bOff,
                   double eps, float[] y, int yOff, float[] mean, int meanOff, float[] rstd, int rstdOff);

    /** Layer normalisation of each row, in double precision. */
    void layerNorm(int rows, int cols, double[] x, int xOff, double[] weight, int wOff, double[] bias, int bOff,
                   double eps, double[] y, int yOff, double[] mean, int meanOff, double[] rstd, int rstdOff);

    /**
     * The backward pass of {@link #layerNorm} from the input {@code x}, the saved {@code mean} and
     * {@code rstd} and the output gradient {@code dy}: {@code dx} (when not null; it may be
     * {@code dy} exactly), and the column sums of this call's rows into {@code dw[dwOff + j]} and
     * {@code db[dbOff + j]} (each when not null), which are overwritten.
     *
     * @param weight the forward weight, or null for none
     */
    void layerNormBackward(int rows, int cols, float[] x, int xOff, float[] mean, int meanOff, float[] rstd,
                           int rstdOff, float[] weight, int wOff, float[] dy, int dyOff, float[] dx, int dxOff,
                           float[] dw, int dwOff, float[] db, int dbOff);

    /** The backward pass of {@link #layerNorm}, in double precision. */
    void layerNormBackward(int rows, int cols, double[] x, int xOff, double[] mean, int meanOff, double[] rstd,
                           int rstdOff, double[] weight, int wOff, double[] dy, int dyOff, double[] dx, int dxOff,
                           double[] dw, int dwOff, double[] db, int dbOff);

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
