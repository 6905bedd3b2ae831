package dev.lanes.nn;

import dev.lanes.autograd.Ops;
import dev.lanes.tensor.Tensor;

/**
 * {@code torch.nn.AvgPool2d} through {@link Ops#avgPool2d}: kernel, stride (default the kernel),
 * zero padding, ceil mode and {@code count_include_pad} (default true); no
 * {@code divisor_override}. No parameters.
 */
public final class AvgPool2d extends Layer {

    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final boolean ceilMode;
    private final boolean countIncludePad;

    /**
     * @param kernel          {@code (kh, kw)}
     * @param stride          {@code (sh, sw)}, or null for the kernel size
     * @param padding         {@code (ph, pw)}, at most half the kernel
     * @param ceilMode        whether the output size rounds up
     * @param countIncludePad whether padded zeros count in the divisor
     */
    public AvgPool2d(int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad) {
        this.kernel = kernel.clone();
        this.stride = stride == null ? kernel.clone() : stride.clone();
        this.padding = padding.clone();
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
    }

    /** A square window with floor mode and {@code count_include_pad = true}. */
    public AvgPool2d(int kernel, int stride, int padding) {
        this(new int[] {kernel, kernel}, new int[] {stride, stride}, new int[] {padding, padding}, false, true);
    }

    /** A square window with the stride equal to the kernel and no padding. */
    public AvgPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    @Override
    public Tensor forward(Tensor input) {
        return Ops.avgPool2d(input, kernel, stride, padding, ceilMode, countIncludePad);
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=" + kernel[0] + "x" + kernel[1] + ", stride=" + stride[0] + "x" + stride[1] + ", padding="
                + padding[0] + "x" + padding[1];
    }
}
