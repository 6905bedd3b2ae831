package dev.lanes.serve;

import dev.lanes.nn.models.ZeroPadShortcut;

/**
 * Shortcut option A as a residual read: output channel {@code c} of the block takes input channel
 * {@code c - before} subsampled by {@code stride}, or nothing when that channel is one of the
 * zero channels.
 */
record ZeroPadMap(int inChannels, int h, int w, int stride, int before) {

    static ZeroPadMap of(ZeroPadShortcut s, int h, int w) {
        return new ZeroPadMap(s.inChannels(), h, w, s.stride(), (s.outChannels() - s.inChannels()) / 2);
    }

    /** Adds channel {@code c}'s shortcut to the {@code hOut x wOut} plane at {@code y[row..]}. */
    void addTo(int c, float[] x, int xOff, float[] y, int row, int hOut, int wOut) {
        int ch = c - before;
        if (ch < 0 || ch >= inChannels) {
            return;
        }
        int plane = xOff + ch * h * w;
        for (int i = 0; i < hOut; i++) {
            int src = plane + i * stride * w;
            int dst = row + i * wOut;
            for (int j = 0; j < wOut; j++) {
                y[dst + j] += x[src + j * stride];
            }
        }
    }
}
