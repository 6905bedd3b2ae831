package dev.lanes.kernel.internal;

/**
 * The windows of 2-d pooling over one {@code h x w} plane: kernel, stride, padding (counted as
 * {@code -inf} for max pooling) and dilation per axis, and the output size (PyTorch's rule,
 * {@link Pooling#outputSize}, floor or ceil mode).
 */
public record PoolWindow(int h, int w, int kH, int kW, int sH, int sW, int pH, int pW, int dH, int dW, int hOut,
                         int wOut) {

    /**
     * @return the windows, with the output size computed
     * @throws IllegalArgumentException when a size is out of range (kernel, stride, dilation
     *                                  below 1, padding negative or above half the kernel, an
     *                                  empty input or output), or a window holds no input element
     */
    public static PoolWindow of(int h, int w, int kH, int kW, int sH, int sW, int pH, int pW, int dH, int dW,
                                boolean ceilMode) {
        if (h < 1 || w < 1 || kH < 1 || kW < 1 || sH < 1 || sW < 1 || dH < 1 || dW < 1 || pH < 0 || pW < 0
                || pH > kH / 2 || pW > kW / 2) {
            throw new IllegalArgumentException("PoolWindow: invalid sizes: input " + h + "x" + w + ", kernel " + kH
                    + "x" + kW + ", stride " + sH + "x" + sW + ", padding " + pH + "x" + pW + ", dilation " + dH + "x"
                    + dW);
        }
        int hOut = Pooling.outputSize(h, kH, pH, sH, dH, ceilMode);
        int wOut = Pooling.outputSize(w, kW, pW, sW, dW, ceilMode);
        if (hOut < 1 || wOut < 1) {
            throw new IllegalArgumentException("PoolWindow: a " + h + "x" + w + " input gives an empty " + hOut + "x"
                    + wOut + " output");
        }
        PoolWindow p = new PoolWindow(h, w, kH, kW, sH, sW, pH, pW, dH, dW, hOut, wOut);
        // With dilation and ceil mode a window can miss the input entirely (h = 1, k = 3, p = 1,
        // d = 2): PyTorch 1.13 then reports an index outside the plane. Refuse such windows.
        for (int i = 0; i < hOut; i++) {
            if (p.firstRow(i) >= p.rowEnd(i)) {
                throw new IllegalArgumentException("PoolWindow: the window of output row " + i + " holds no row of the "
                        + h + "x" + w + " input (kernel " + kH + ", stride " + sH + ", padding " + pH + ", dilation "
                        + dH + ")");
            }
        }
        for (int j = 0; j < wOut; j++) {
            if (p.firstColumn(j) >= p.columnEnd(j)) {
                throw new IllegalArgumentException("PoolWindow: the window of output column " + j + " holds no column"
                        + " of the " + h + "x" + w + " input (kernel " + kW + ", stride " + sW + ", padding " + pW
                        + ", dilation " + dW + ")");
            }
        }
        return p;
    }

    /** @return the first input row of output row {@code i}'s window that is inside the input */
    public int firstRow(int i) {
        int r = i * sH - pH;
        while (r < 0) {
            r += dH;
        }
        return r;
    }

    /** @return the first input column of output column {@code j}'s window that is inside the input */
    public int firstColumn(int j) {
        int c = j * sW - pW;
        while (c < 0) {
            c += dW;
        }
        return c;
    }

    /** @return the end (exclusive) of output row {@code i}'s window rows, clipped to the input */
    public int rowEnd(int i) {
        return Math.min(i * sH - pH + (kH - 1) * dH + 1, h);
    }

    /** @return the end (exclusive) of output column {@code j}'s window columns, clipped to the input */
    public int columnEnd(int j) {
        return Math.min(j * sW - pW + (kW - 1) * dW + 1, w);
    }
}
