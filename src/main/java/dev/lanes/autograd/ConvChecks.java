package dev.lanes.autograd;

import dev.lanes.kernel.internal.ConvGeometry;
import dev.lanes.tensor.Tensor;
import java.util.Arrays;

/**
 * Checks the arguments of {@code conv2d} as {@code torch.nn.functional.conv2d} does, with its
 * messages, and derives the {@link ConvGeometry}.
 */
final class ConvChecks {

    private ConvChecks() {
    }

    /** Validates the arguments of {@code conv2d} and derives the output size. */
    static ConvGeometry geometry(Tensor x, Tensor wt, Tensor b, int[] stride, int[] padding, int[] dilation, int groups) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException("conv2d: expected 4-D input [N, C_in, H, W], but got input of size "
                    + x.shape());
        }
        if (wt.rank() != 4) {
            throw new IllegalArgumentException("conv2d: expected 4-D weight [C_out, C_in/groups, kH, kW], but got"
                    + " weight of size " + wt.shape());
        }
        int[] s = pair("stride", stride);
        int[] p = pair("padding", padding);
        int[] d = pair("dilation", dilation);
        if (s[0] <= 0 || s[1] <= 0) {
            throw new IllegalArgumentException("conv2d: non-positive stride is not supported, got stride="
                    + Arrays.toString(s));
        }
        if (p[0] < 0 || p[1] < 0) {
            throw new IllegalArgumentException("conv2d: negative padding is not supported, got padding="
                    + Arrays.toString(p));
        }
        if (d[0] <= 0 || d[1] <= 0) {
            throw new IllegalArgumentException("conv2d: dilation should be greater than zero, got dilation="
                    + Arrays.toString(d));
        }
        if (groups <= 0) {
            throw new IllegalArgumentException("conv2d: non-positive groups is not supported, got groups=" + groups);
        }
        int cIn = x.size(1);
        int cOut = wt.size(0);
        if (cIn % groups != 0) {
            throw new IllegalArgumentException("conv2d: input " + x.shape() + " has " + cIn
                    + " channels, which is not divisible by groups=" + groups);
        }
        if (cOut % groups != 0) {
            throw new IllegalArgumentException("conv2d: weight " + wt.shape() + " has " + cOut
                    + " out channels, which is not divisible by groups=" + groups);
        }
        if (wt.size(1) * groups != cIn) {
            throw new IllegalArgumentException("conv2d: given groups=" + groups + ", weight of size " + wt.shape()
                    + ", expected input" + x.shape() + " to have " + wt.size(1) * groups + " channels, but got "
                    + cIn + " channels instead");
        }
        if (b != null && (b.rank() != 1 || b.size(0) != cOut)) {
            throw new IllegalArgumentException("conv2d: expected bias of size [" + cOut + "] for weight "
                    + wt.shape() + ", but got bias of size " + b.shape());
        }
        int kH = wt.size(2);
        int kW = wt.size(3);
        int paddedH = x.size(2) + 2 * p[0];
        int paddedW = x.size(3) + 2 * p[1];
        int extentH = d[0] * (kH - 1) + 1;
        int extentW = d[1] * (kW - 1) + 1;
        if (kH == 0 || kW == 0 || extentH > paddedH || extentW > paddedW) {
            throw new IllegalArgumentException("conv2d: calculated padded input size per channel: (" + paddedH
                    + " x " + paddedW + "). Kernel size: (" + extentH + " x " + extentW + "). Kernel size can't be"
                    + " greater than actual input size (input " + x.shape() + ", weight " + wt.shape()
                    + ", padding=" + Arrays.toString(p) + ", dilation=" + Arrays.toString(d) + ")");
        }
        return ConvGeometry.of(x.size(0), cIn, x.size(2), x.size(3), cOut, groups, kH, kW, s[0], s[1], p[0], p[1],
                d[0], d[1]);
    }

    private static int[] pair(String name, int[] v) {
        if (v == null || v.length != 2) {
            throw new IllegalArgumentException("conv2d: expected " + name + " to have 2 values (height, width), got "
                    + (v == null ? "null" : Arrays.toString(v)));
        }
        return v.clone();
    }
}
