package dev.lanes.kernel.vector;

import dev.lanes.kernel.internal.ConvKernels;
import dev.lanes.kernel.scalar.ScalarConv;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The channel-blocked convolution loops on the preferred float species, one block of channels
 * per vector: a row is cut into a few even runs of pixels for the register-blocked
 * {@link ConvTiles}. A block size other than the vector's, or a vector narrower than 8 lanes, runs
 * the scalar provider's loops (the same bits).
 */
final class VectorConv implements ConvKernels {

    static final VectorConv INSTANCE = new VectorConv();

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** 16 accumulators and 3 weight vectors need 32 vector registers (AVX-512); 256-bit has 16. */
    private static final boolean WIDE = L >= 16;
    /** The longest run of pixels of the shared-tap tiles on this vector's register file. */
    private static final int RUN = WIDE ? 16 : 8;
    /** The longest run of the two-block tiles: 2 accumulators per pixel, 2 weights and a broadcast. */
    private static final int PAIR_RUN = WIDE ? 12 : 6;
    /**
     * The longest row the two-block shared-tap tiles take (AVX-512 only: 16 accumulators and 6
     * weights): a row this short keeps too few accumulators busy one block at a time.
     */
    private static final int TAP_PAIR_RUN = 8;
    private static final ScalarConv SCALAR = ScalarConv.INSTANCE;

    private VectorConv() {
    }

    @Override
    public int block() {
        return L;
    }

    @Override
    public void convRow(int block, int count, int blocks, int last, int kh, int kw, float[] x, int xOff, int xBlock,
                        int xRow, int xTap, int xStep, float[] w, int wOff, float[] y, int yOff, int yStep,
                        boolean accumulate) {
        if (block != L || L < 8) {
            SCALAR.convRow(block, count, blocks, last, kh, kw, x, xOff, xBlock, xRow, xTap, xStep, w, wOff, y, yOff,
                    yStep, accumulate);
            return;
        }
        // Runs of at most RUN pixels, as even as the row allows (28 as 14 + 14, 7 as one run of 7).
        boolean shared = ConvKernels.sharedTaps(L, kw, xTap, xStep);
        int runs = Math.ceilDiv(count, RUN);
        int j = 0;
        for (int k = 0; k < runs; k++) {
            int end = (int) ((long) count * (k + 1) / runs);
            int xAt = xOff + j * xStep;
            int yAt = yOff + j * yStep;
            if (!shared) {
                ConvTiles.pixels(end - j, blocks, last, kh, kw, x, xAt, xBlock, xRow, xTap, xStep, w, wOff, y, yAt,
                        yStep, accumulate);
            } else if (xStep == L) {
                ConvTiles.taps3(end - j, blocks, last, kh, x, xAt, xBlock, xRow, w, wOff, y, yAt, yStep, accumulate);
            } else {
                ConvTiles.taps3s2(end - j, blocks, last, kh, x, xAt, xBlock, xRow, w, wOff, y, yAt, yStep,
                        accumulate);
            }
            j = end;
        }
    }

    @Override
    public void convRowPair(int block, int count, int blocks, int last, int kh, int kw, float[] x, int xOff,
                            int xBlock, int xRow, int xTap, int xStep, float[] w, int wOff, int wNext, float[] y,
                            int yOff, int yNext, int yStep, boolean accumulate) {
        boolean shared = ConvKernels.sharedTaps(L, kw, xTap, xStep);
        if (block != L || L < 8 || shared && (!WIDE || count > TAP_PAIR_RUN)) {
            // The shared-tap tiles of a longer row already serve several FMAs per broadcast: one block at a time.
            ConvKernels.super.convRowPair(block, count, blocks, last, kh, kw, x, xOff, xBlock, xRow, xTap, xStep, w,
                    wOff, wNext, y, yOff, yNext, yStep, accumulate);
            return;
        }
        if (shared) {
            // One run, as convRow cuts a row this short, for both blocks.
            if (xStep == L) {
                ConvTiles.tapPairs3(count, blocks, last, kh, x, xOff, xBlock, xRow, w, wOff, wNext, y, yOff, yNext,
                        yStep, accumulate);
            } else {
                ConvTiles.tapPairs3s2(count, blocks, last, kh, x, xOff, xBlock, xRow, w, wOff, wNext, y, yOff, yNext,
                        yStep, accumulate);
            }
            return;
        }
        int runs = Math.ceilDiv(count, PAIR_RUN);
        int j = 0;
        for (int k = 0; k < runs; k++) {
            int end = (int) ((long) count * (k + 1) / runs);
            ConvTiles.pairs(end - j, blocks, last, kh, kw, x, xOff + j * xStep, xBlock, xRow, xTap, xStep, w, wOff,
                    wNext, y, yOff + j * yStep, yNext, yStep, accumulate);
            j = end;
        }
    }

    @Override
    public void convWeightRow(int block, int count, int channels, int kh, int kw, float[] x, int xOff, int xRow,
                              int xTap, int xStep, float[] dy, int dyOff, float[] dw, int dwOff) {
        if (block != L || L % 8 != 0) {
            SCALAR.convWeightRow(block, count, channels, kh, kw, x, xOff, xRow, xTap, xStep, dy, dyOff, dw, dwOff);
        } else if (weightTaps(count, kw, xTap, xStep)) {
            // Whole groups of input channels: the zero channels past {@code channels} add zeros.
            if (WIDE) {
                ConvTiles.weightTaps3x8(count, channels, kh, x, xOff, xRow, dy, dyOff, dw, dwOff);
            } else {
                ConvTiles.weightTaps3x4(count, channels, kh, x, xOff, xRow, dy, dyOff, dw, dwOff);
            }
        } else {
            ConvTiles.weightPixels8(count, channels, kh, kw, x, xOff, xRow, xTap, xStep, dy, dyOff, dw, dwOff);
        }
    }

    @Override
    public void convWeightRowPair(int block, int count, int channels, int kh, int kw, float[] x, int xOff, int xRow,
                                  int xTap, int xStep, float[] dy, int dyOff, int dyNext, float[] dw, int dwOff,
                                  int dwNext) {
        if (block != L || L % 8 != 0 || weightTaps(count, kw, xTap, xStep)) {
            // The shared-tap weight tile already pairs each broadcast with three vectors.
            ConvKernels.super.convWeightRowPair(block, count, channels, kh, kw, x, xOff, xRow, xTap, xStep, dy, dyOff,
                    dyNext, dw, dwOff, dwNext);
            return;
        }
        ConvTiles.weightPairs8(count, channels, kh, kw, x, xOff, xRow, xTap, xStep, dy, dyOff, dyNext, dw, dwOff,
                dwNext);
    }

    /** @return whether a weight-gradient row runs the shared-tap tiles (three unit taps, step 1, 2+ pixels) */
    private static boolean weightTaps(int count, int kw, int xTap, int xStep) {
        return kw == 3 && xTap == L && xStep == L && count >= 2;
    }
}
