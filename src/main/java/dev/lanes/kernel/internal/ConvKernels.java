package dev.lanes.kernel.internal;

/**
 * The inner loops of the channel-blocked convolution ({@link BlockedConv}). Activations are laid
 * out in blocks of {@code B} channels, each pixel of a block one run of {@code B} floats
 * ({@code nChw[B]c}); weights as {@code [outBlock][inBlock][kh][kw][B in][B out]}. Both kernels
 * take {@code B} from the caller, so two providers can be compared on the same layout; an
 * implementation without a fast path for a block size runs the scalar loops below.
 *
 * <p>Every output element is one fused multiply-add chain in the order written here, so both
 * providers give the same bits and how rows are cut into pixel runs never shows.
 */
public interface ConvKernels {

    /** @return the channels per block this provider runs fastest on (its float vector's lanes) */
    int block();

    /** @return whether a row is a shared-tap row: three kernel columns, unit taps, a step of one or two pixels */
    static boolean sharedTaps(int block, int kw, int xTap, int xStep) {
        return kw == 3 && xTap == block && (xStep == block || xStep == 2 * block);
    }

    /**
     * {@code count} output pixels of one row and one block of output channels. For
     * {@code j < count} and {@code o < B}, starting from zero, with {@code C(ib) = B} but for the
     * last block, which holds {@code last} input channels (the rest are zero and skipped):
     * <pre>
     *   acc = fma(x[xOff + ib*xBlock + a*xRow + b*xTap + j*xStep + c],
     *             w[wOff + (((ib*kh + a)*kw + b)*B + c)*B + o], acc)     ib &lt; blocks, a &lt; kh, b &lt; kw, c &lt; C(ib)
     *   y[yOff + j*yStep + o] = accumulate ? y[...] + acc : acc
     * </pre>
     * in the order of {@code ib, a, b, c}, except in a <em>shared-tap row</em> ({@link #sharedTaps}),
     * where it is {@code ib, a, c, b}: a kernel column's input channels innermost but one, so that
     * one broadcast input value serves the three kernel columns it meets.
     */
    void convRow(int block, int count, int blocks, int last, int kh, int kw, float[] x, int xOff, int xBlock,
                 int xRow, int xTap, int xStep, float[] w, int wOff, float[] y, int yOff, int yStep,
                 boolean accumulate);

    /**
     * {@link #convRow} for two blocks of output channels: the first with its weights at
     * {@code wOff} and its outputs at {@code yOff}, the second at {@code wOff + wNext} and
     * {@code yOff + yNext}; each block gets the bits of its own {@link #convRow}. By default the
     * two rows one after the other.
     */
    default void convRowPair(int block, int count, int blocks, int last, int kh, int kw, float[] x, int xOff,
                             int xBlock, int xRow, int xTap, int xStep, float[] w, int wOff, int wNext, float[] y,
                             int yOff, int yNext, int yStep, boolean accumulate) {
        convRow(block, count, blocks, last, kh, kw, x, xOff, xBlock, xRow, xTap, xStep, w, wOff, y, yOff, yStep,
                accumulate);
        convRow(block, count, blocks, last, kh, kw, x, xOff, xBlock, xRow, xTap, xStep, w, wOff + wNext, y,
                yOff + yNext, yStep, accumulate);
    }

    /**
     * One row's share of a weight gradient, for one block of input and one of output channels.
     * For {@code a < kh, b < kw, c < channels, o < B}, with {@code i = ((a*kw + b)*B + c)*B + o},
     * in the order of {@code j} (the block's other input channels are zero; their elements may be
     * left as they are or have zero products added):
     * <pre>
     *   dw[dwOff + i] = fma(x[xOff + a*xRow + b*xTap + j*xStep + c], dy[dyOff + j*B + o], dw[dwOff + i])   j &lt; count
     * </pre>
     */
    void convWeightRow(int block, int count, int channels, int kh, int kw, float[] x, int xOff, int xRow, int xTap,
                       int xStep, float[] dy, int dyOff, float[] dw, int dwOff);

    /**
     * {@link #convWeightRow} for two blocks of output channels: the second's output gradient at
     * {@code dyOff + dyNext} and its weight gradient at {@code dwOff + dwNext}; each block gets
     * the bits of its own {@link #convWeightRow}. By default the two one after the other.
     */
    default void convWeightRowPair(int block, int count, int channels, int kh, int kw, float[] x, int xOff, int xRow,
                                   int xTap, int xStep, float[] dy, int dyOff, int dyNext, float[] dw, int dwOff,
                                   int dwNext) {
        convWeightRow(block, count, channels, kh, kw, x, xOff, xRow, xTap, xStep, dy, dyOff, dw, dwOff);
        convWeightRow(block, count, channels, kh, kw, x, xOff, xRow, xTap, xStep, dy, dyOff + dyNext, dw,
                dwOff + dwNext);
    }
}
