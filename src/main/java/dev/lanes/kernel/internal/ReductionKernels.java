package dev.lanes.kernel.internal;

/**
 * Column sums and max pooling, and the fixed summation order every sum of the library follows
 * (the sums themselves are the generated {@link SumKernels}). Callers go through
 * {@link Reductions}, which validates the arguments; an implementation may assume non-null
 * arrays and in-range offsets.
 *
 * <p><b>Summation order.</b> Every sum of {@code n} terms {@code t[0..n)} (a plain sum, a sum of
 * squares or products, the denominator of a softmax) is evaluated in this fixed order, whatever
 * the provider, the vector width or the thread count:
 * <ol>
 *   <li>the terms are cut into blocks of {@link #SUM_BLOCK} (the last may be shorter);</li>
 *   <li>in a block, term {@code i} is added to partial sum {@code i mod 64}, in increasing
 *       {@code i}, each partial starting at {@code +0} (64 independent chains, enough to hide the
 *       latency of vector additions at any width from 128 to 512 bits);</li>
 *   <li>the 64 partials are folded in halves: {@code p[j] += p[j + w]} for {@code j < w}, with
 *       {@code w = 32, 16, 8, 4, 2, 1};</li>
 *   <li>the block results {@code p[0]} are added in block order to a {@code double} total
 *       starting at 0, which is rounded to the result type at the end.</li>
 * </ol>
 * Terms are formed without fused multiply-adds ({@code x * x}, {@code x * y} rounded before the
 * addition). So in single precision every provider returns the same bits, and in double
 * precision likewise.
 */
public interface ReductionKernels {

    /** Terms per block of the fixed summation order. */
    int SUM_BLOCK = 4096;

    /** Number of partial sums per block. */
    int SUM_PARTIALS = 64;

    /**
     * {@code y[j] += x[0][j] + x[1][j] + ...}, added to {@code y[j]} row by row in order (the
     * bias gradient of a batch). {@code x} is {@code rows x cols} with leading dimension
     * {@code ldx}.
     */
    void addColumnSums(int rows, int cols, float[] x, int xOff, int ldx, float[] y, int yOff);

    /** {@code y[j] += x[0][j] + x[1][j] + ...}. */
    void addColumnSums(int rows, int cols, double[] x, int xOff, int ldx, double[] y, int yOff);

    /**
     * Max pooling of one plane: {@code y[i wOut + j]} = the maximum of output {@code (i, j)}'s
     * window of {@code x} (padding counts as {@code -inf}), and, when {@code arg} is not null,
     * {@code arg[i wOut + j]} = the flat index {@code r w + c} of that maximum in the plane: the
     * first one in row-major scan order of the window; a NaN wins, and each later NaN takes over,
     * as in PyTorch's CPU kernel. A window with nothing but {@code -inf} reports its first
     * position inside the input. Exact, so every provider gives the same bits.
     */
    void maxPool(PoolWindow p, float[] x, int xOff, float[] y, int yOff, int[] arg, int argOff);

    /**
     * {@link #maxPool} of a channel-blocked plane: {@code x} holds {@code h x w} pixels of
     * {@code block} channels each ({@code [h][w][block]}), {@code y} and {@code arg} hold the
     * {@code hOut x wOut} outputs the same way. Each lane is pooled as a plane of its own, with
     * the same scan order, ties, NaN and padding, and its index is the flat pixel index
     * {@code r w + c}. Exact, so every provider gives the same bits.
     */
    void blockedMaxPool(PoolWindow p, int block, float[] x, int xOff, float[] y, int yOff, int[] arg, int argOff);
}
