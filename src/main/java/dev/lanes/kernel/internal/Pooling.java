package dev.lanes.kernel.internal;

/** Sizes of sliding-window pooling. */
public final class Pooling {

    private Pooling() {
    }

    /**
     * The output size of a sliding window along one axis, as PyTorch's {@code pooling_output_shape}:
     * floor (or ceil) of {@code (in + 2 pad - dilation (k - 1) - 1) / stride + 1}; in ceil mode the
     * last window must start inside the input or the left padding.
     *
     * @return the number of windows, which may be below 1 when the window does not fit
     */
    public static int outputSize(int in, int k, int pad, int stride, int dilation, boolean ceil) {
        int span = in + 2 * pad - dilation * (k - 1) - 1;
        int out = (ceil ? Math.floorDiv(span + stride - 1, stride) : Math.floorDiv(span, stride)) + 1;
        if (ceil && (out - 1) * stride >= in + pad) {
            out--;
        }
        return out;
    }
}
