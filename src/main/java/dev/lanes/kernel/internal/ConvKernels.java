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

    /**
     * {@code count} output pixels of one row and one block of output channels. For
     * {@code j < count} and {@code o < B}, starting from zero and in the order of {@code ib, a, c, b} (a kernel column's
     * input channels innermost but one, so that one broadcast input value can serve several
     * kernel columns), with {@code C(ib) = B} but for the last block, which holds {@code last}
     * input channels (the rest are zero and skipped):
     * <pre>
     *   acc = fma(x[xOff + ib*xBlock + a*xRow + b*xTap + j*xStep + c],
     *             w[wOff + (((ib*kh + a)*kw + b)*B + c)*B + o], acc)     ib &lt; blocks, a &lt; kh, c &lt; C(ib), b &lt; kw
     *   y[yOff + j*yStep + o] = accumulate ? y[...] + acc : acc
     * </pre>
     */
    void convRow(int block, int count, int blocks, int last, int kh, int kw, float[] x, int xOff, int xBlock,
                 int xRow, int xTap, int xStep, float[] w, int wOff, float[] y, int yOff, int yStep,
                 boolean accumulate);

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
}
