package dev.lanes.serve;

import dev.lanes.kernel.Pooling;
import dev.lanes.nn.MaxPool2d;

/** {@code MaxPool2d} for one image of a fixed size: {@code -inf} padding, dilation, NaN wins. */
final class FrozenMaxPool {

    final int channels;
    final int h;
    final int w;
    final int hOut;
    final int wOut;
    private final int[] k;
    private final int[] s;
    private final int[] p;
    private final int[] d;

    FrozenMaxPool(MaxPool2d pool, int channels, int h, int w) {
        this.k = pool.kernelSize();
        this.s = pool.stride();
        this.p = pool.padding();
        this.d = pool.dilation();
        this.channels = channels;
        this.h = h;
        this.w = w;
        this.hOut = Pooling.outputSize(h, k[0], p[0], s[0], d[0], pool.ceilMode());
        this.wOut = Pooling.outputSize(w, k[1], p[1], s[1], d[1], pool.ceilMode());
        if (hOut < 1 || wOut < 1) {
            throw new IllegalArgumentException("maxpool: a " + h + "x" + w + " input gives an empty output");
        }
    }

    void run(float[] x, float[] y) {
        for (int c = 0; c < channels; c++) {
            int plane = c * h * w;
            for (int i = 0; i < hOut; i++) {
                for (int j = 0; j < wOut; j++) {
                    float m = Float.NEGATIVE_INFINITY;
                    for (int a = 0; a < k[0]; a++) {
                        int r = i * s[0] - p[0] + a * d[0];
                        if (r < 0 || r >= h) {
                            continue;
                        }
                        for (int b = 0; b < k[1]; b++) {
                            int col = j * s[1] - p[1] + b * d[1];
                            if (col >= 0 && col < w) {
                                float v = x[plane + r * w + col];
                                if (v > m || Float.isNaN(v)) {
                                    m = v;
                                }
                            }
                        }
                    }
                    y[(c * hOut + i) * wOut + j] = m;
                }
            }
        }
    }
}
