package dev.lanes.serve;

import dev.lanes.kernel.internal.ArrayChecks;
import dev.lanes.kernel.internal.PoolWindow;
import dev.lanes.kernel.internal.Reductions;
import dev.lanes.nn.MaxPool2d;

/**
 * {@code MaxPool2d} for one image of a fixed size: {@code -inf} padding, dilation, NaN wins;
 * each channel through the plane kernel {@link Reductions#maxPool}, without indices.
 */
final class FrozenMaxPool {

    final int channels;
    final int h;
    final int w;
    final int hOut;
    final int wOut;
    /** Floats of one output image, checked to fit in an array. */
    final int outputSize;
    private final PoolWindow window;

    FrozenMaxPool(MaxPool2d pool, int channels, int h, int w) {
        int[] k = pool.kernelSize();
        int[] s = pool.stride();
        int[] p = pool.padding();
        int[] d = pool.dilation();
        this.channels = channels;
        this.h = h;
        this.w = w;
        try {
            this.window = PoolWindow.of(h, w, k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], pool.ceilMode());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("maxpool: " + e.getMessage(), e);
        }
        this.hOut = window.hOut();
        this.wOut = window.wOut();
        this.outputSize = ArrayChecks.arrayLength("ResNetPlan.freeze: maxpool", "floats of output", channels, hOut,
                wOut);
    }

    void run(float[] x, float[] y) {
        int in = h * w;
        int out = hOut * wOut;
        for (int c = 0; c < channels; c++) {
            Reductions.maxPool(window, x, c * in, y, c * out, null, 0);
        }
    }
}
