package dev.lanes.kernel.internal;

/**
 * Row-wise layer normalisation of a contiguous {@code rows x cols} matrix: each row is normalised
 * over its {@code cols} values. Callers go through {@link Norms}, which validates the arguments,
 * splits the rows across threads and fixes the order in which the per-block column sums of the
 * backward pass are combined; an implementation may assume valid ranges, {@code rows >= 1} and
 * {@code cols >= 1}, outputs that coincide exactly with an input or do not overlap it, and
 * {@code eps > 0}.
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
}
