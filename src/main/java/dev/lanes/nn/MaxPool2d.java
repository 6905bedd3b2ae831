package dev.lanes.nn;

import dev.lanes.autograd.Ops;
import dev.lanes.tensor.Tensor;

/**
 * {@code torch.nn.MaxPool2d} through {@link Ops#maxPool2d}: kernel, stride (default the kernel),
 * padding with {@code -inf}, dilation and ceil mode; no {@code return_indices}. No parameters.
 */
public final class MaxPool2d extends Layer {

    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;
    private final boolean ceilMode;

    /**
     * @param kernel   {@code (kh, kw)}
     * @param stride   {@code (sh, sw)}, or null for the kernel size
     * @param padding  {@code (ph, pw)}, at most half the kernel
     * @param dilation {@code (dh, dw)}
     * @param ceilMode whether the output size rounds up
     */
    public MaxPool2d(int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        this.kernel = kernel.clone();
        this.stride = stride == null ? kernel.clone() : stride.clone();
        this.padding = padding.clone();
        this.dilation = dilation.clone();
        this.ceilMode = ceilMode;
    }

    /** A square window: {@code MaxPool2d(kernel, stride, padding)} with dilation 1, floor mode. */
    public MaxPool2d(int kernel, int stride, int padding) {
        this(new int[] {kernel, kernel}, new int[] {stride, stride}, new int[] {padding, padding}, new int[] {1, 1},
                false);
    }

    /** A square window with the stride equal to the kernel and no padding. */
    public MaxPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    @Override
    public Tensor forward(Tensor input) {
        return Ops.maxPool2d(input, kernel, stride, padding, dilation, ceilMode);
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=" + kernel[0] + "x" + kernel[1] + ", stride=" + stride[0] + "x" + stride[1] + ", padding="
                + padding[0] + "x" + padding[1] + ", dilation=" + dilation[0] + "x" + dilation[1] + ", ceil_mode="
                + (ceilMode ? "True" : "False");
    }

    /** @return {height, width} of the window (a copy) */
    public int[] kernelSize() {
        return kernel.clone();
    }

    /** @return {height, width} of the stride (a copy) */
    public int[] stride() {
        return stride.clone();
    }

    /** @return {height, width} of the {@code -inf} padding (a copy) */
    public int[] padding() {
        return padding.clone();
    }

    /** @return {height, width} of the dilation (a copy) */
    public int[] dilation() {
        return dilation.clone();
    }

    /** @return whether the output size rounds up */
    public boolean ceilMode() {
        return ceilMode;
    }
}
