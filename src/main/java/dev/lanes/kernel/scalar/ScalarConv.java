package dev.lanes.kernel.scalar;

import dev.lanes.kernel.internal.ConvKernels;

/** The channel-blocked convolution loops exactly as {@link ConvKernels} writes them. */
public final class ScalarConv implements ConvKernels {

    /** The instance. */
    public static final ScalarConv INSTANCE = new ScalarConv();

    /** Channels per block when no vector decides it: a 256-bit vector's worth. */
    private static final int BLOCK = 8;

    private ScalarConv() {
    }

    @Override
    public int block() {
        return BLOCK;
    }

    @Override
    public void convRow(int block, int count, int blocks, int last, int kh, int kw, float[] x, int xOff, int xBlock,
                        int xRow, int xTap, int xStep, float[] w, int wOff, float[] y, int yOff, int yStep,
                        boolean accumulate) {
        boolean shared = ConvKernels.sharedTaps(block, kw, xTap, xStep);
        for (int j = 0; j < count; j++) {
            int xj = xOff + j * xStep;
            for (int o = 0; o < block; o++) {
                float acc = 0f;
                for (int ib = 0; ib < blocks; ib++) {
                    int channels = ib == blocks - 1 ? last : block;
                    for (int a = 0; a < kh; a++) {
                        int xi = xj + ib * xBlock + a * xRow;
                        int wi = wOff + (ib * kh + a) * kw * block * block + o;
                        if (shared) {
                            for (int c = 0; c < channels; c++) {
                                for (int b = 0; b < kw; b++) {
                                    acc = Math.fma(x[xi + b * xTap + c], w[wi + (b * block + c) * block], acc);
                                }
                            }
                        } else {
                            for (int b = 0; b < kw; b++) {
                                for (int c = 0; c < channels; c++) {
                                    acc = Math.fma(x[xi + b * xTap + c], w[wi + (b * block + c) * block], acc);
                                }
                            }
                        }
                    }
                }
                int yi = yOff + j * yStep + o;
                y[yi] = accumulate ? y[yi] + acc : acc;
            }
        }
    }

    @Override
    public void convWeightRow(int block, int count, int channels, int kh, int kw, float[] x, int xOff, int xRow,
                              int xTap, int xStep, float[] dy, int dyOff, float[] dw, int dwOff) {
        for (int a = 0; a < kh; a++) {
            for (int b = 0; b < kw; b++) {
                for (int c = 0; c < channels; c++) {
                    int xi = xOff + a * xRow + b * xTap + c;
                    int di = dwOff + ((a * kw + b) * block + c) * block;
                    for (int o = 0; o < block; o++) {
                        float acc = dw[di + o];
                        for (int j = 0; j < count; j++) {
                            acc = Math.fma(x[xi + j * xStep], dy[dyOff + j * block + o], acc);
                        }
                        dw[di + o] = acc;
                    }
                }
            }
        }
    }
}
