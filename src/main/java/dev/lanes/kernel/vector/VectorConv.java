package dev.lanes.kernel.vector;

import dev.lanes.kernel.internal.ConvKernels;
import dev.lanes.kernel.scalar.ScalarConv;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The channel-blocked convolution loops on the preferred float species, one block of channels
 * per vector: a row is cut into runs of pixels for the register-blocked {@link ConvTiles}, the
 * widest first. A block size other than the vector's, or a vector narrower than 8 lanes, runs
 * the scalar provider's loops (the same bits).
 */
final class VectorConv implements ConvKernels {

    static final VectorConv INSTANCE = new VectorConv();

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** 16 accumulators and 3 weight vectors need 32 vector registers (AVX-512); 256-bit has 16. */
    private static final boolean WIDE = L >= 16;
    private static final ScalarConv SCALAR = ScalarConv.INSTANCE;

    private VectorConv() {
    }

    @Override
    public int block() {
        return L;
    }

    @Override
    public void convRow(int block, int count, int blocks, int kh, int kw, float[] x, int xOff, int xBlock, int xRow,
                        int xTap, int xStep, float[] w, int wOff, float[] y, int yOff, int yStep, boolean accumulate) {
        if (block != L || L < 8) {
            SCALAR.convRow(block, count, blocks, kh, kw, x, xOff, xBlock, xRow, xTap, xStep, w, wOff, y, yOff, yStep,
                    accumulate);
            return;
        }
        int j = 0;
        if (kw == 3 && xTap == L && xStep == L) {
            if (WIDE) {
                for (; j + 16 <= count; j += 16) {
                    ConvTiles.taps3x16(blocks, kh, x, xOff + j * xStep, xBlock, xRow, w, wOff, y, yOff + j * yStep,
                            yStep, accumulate);
                }
            }
            for (; j + 8 <= count; j += 8) {
                ConvTiles.taps3x8(blocks, kh, x, xOff + j * xStep, xBlock, xRow, w, wOff, y, yOff + j * yStep, yStep,
                        accumulate);
            }
            for (; j + 4 <= count; j += 4) {
                ConvTiles.taps3x4(blocks, kh, x, xOff + j * xStep, xBlock, xRow, w, wOff, y, yOff + j * yStep, yStep,
                        accumulate);
            }
        } else if (kw == 3 && xTap == L && xStep == 2 * L) {
            if (WIDE) {
                for (; j + 16 <= count; j += 16) {
                    ConvTiles.taps3s2x16(blocks, kh, x, xOff + j * xStep, xBlock, xRow, w, wOff, y, yOff + j * yStep,
                            yStep, accumulate);
                }
            }
            for (; j + 8 <= count; j += 8) {
                ConvTiles.taps3s2x8(blocks, kh, x, xOff + j * xStep, xBlock, xRow, w, wOff, y, yOff + j * yStep,
                        yStep, accumulate);
            }
            for (; j + 4 <= count; j += 4) {
                ConvTiles.taps3s2x4(blocks, kh, x, xOff + j * xStep, xBlock, xRow, w, wOff, y, yOff + j * yStep,
                        yStep, accumulate);
            }
        }
        for (; j + 8 <= count; j += 8) {
            ConvTiles.pixels8(blocks, kh, kw, x, xOff + j * xStep, xBlock, xRow, xTap, xStep, w, wOff, y,
                    yOff + j * yStep, yStep, accumulate);
        }
        for (; j + 4 <= count; j += 4) {
            ConvTiles.pixels4(blocks, kh, kw, x, xOff + j * xStep, xBlock, xRow, xTap, xStep, w, wOff, y,
                    yOff + j * yStep, yStep, accumulate);
        }
        for (; j < count; j++) {
            ConvTiles.pixels1(blocks, kh, kw, x, xOff + j * xStep, xBlock, xRow, xTap, xStep, w, wOff, y,
                    yOff + j * yStep, yStep, accumulate);
        }
    }

    @Override
    public void convWeightRow(int block, int count, int kh, int kw, float[] x, int xOff, int xRow, int xTap,
                              int xStep, float[] dy, int dyOff, float[] dw, int dwOff) {
        if (block != L || L % 8 != 0) {
            SCALAR.convWeightRow(block, count, kh, kw, x, xOff, xRow, xTap, xStep, dy, dyOff, dw, dwOff);
        } else if (kw == 3 && xTap == L && xStep == L && count >= 2) {
            if (WIDE) {
                ConvTiles.weightTaps3x8(count, kh, x, xOff, xRow, dy, dyOff, dw, dwOff);
            } else {
                ConvTiles.weightTaps3x4(count, kh, x, xOff, xRow, dy, dyOff, dw, dwOff);
            }
        } else {
            ConvTiles.weightPixels8(count, kh, kw, x, xOff, xRow, xTap, xStep, dy, dyOff, dw, dwOff);
        }
    }
}
