package dev.lanes.kernel.internal;

/**
 * The sizes of one 2-D convolution over NCHW data: input {@code [n, cIn, h, w]}, weight
 * {@code [cOut, cIn/groups, kH, kW]}, output {@code [n, cOut, hOut, wOut]} with
 * {@code hOut = floor((h + 2 pH - dH (kH - 1) - 1) / sH) + 1} (likewise for the width), as
 * {@code torch.nn.functional.conv2d} defines them. Build one with {@link #of}, which checks the
 * sizes and derives the output size.
 *
 * @param n      images
 * @param cIn    input channels
 * @param h      input height
 * @param w      input width
 * @param cOut   output channels
 * @param groups channel groups (both channel counts are multiples of it)
 * @param kH     kernel height
 * @param kW     kernel width
 * @param sH     vertical stride
 * @param sW     horizontal stride
 * @param pH     zero rows added above and below
 * @param pW     zero columns added left and right
 * @param dH     vertical dilation
 * @param dW     horizontal dilation
 * @param hOut   output height
 * @param wOut   output width
 */
public record ConvGeometry(int n, int cIn, int h, int w, int cOut, int groups, int kH, int kW, int sH, int sW,
                           int pH, int pW, int dH, int dW, int hOut, int wOut) {

    /** @return input channels per group */
    public int cg() {
        return cIn / groups;
    }

    /** @return output channels per group */
    public int og() {
        return cOut / groups;
    }

    /** @return rows of the columns matrix: {@code cIn/groups * kH * kW} */
    public int k() {
        return cg() * kH * kW;
    }

    /** @return columns of the columns matrix: {@code hOut * wOut} */
    public int l() {
        return hOut * wOut;
    }

    /**
     * Checks the sizes of a convolution and derives its output size.
     *
     * @throws IllegalArgumentException naming the sizes that do not fit: non-positive sizes,
     *                                  strides, dilations or groups, negative padding, channels
     *                                  not divisible by groups, a dilated kernel larger than
     *                                  the padded input, or an output side longer than an int
     */
    public static ConvGeometry of(int n, int cIn, int h, int w, int cOut, int groups, int kH, int kW, int sH, int sW,
                                  int pH, int pW, int dH, int dW) {
        if (n < 0 || cIn <= 0 || h <= 0 || w <= 0 || cOut <= 0 || kH <= 0 || kW <= 0) {
            throw new IllegalArgumentException("conv2d: sizes must be positive (n >= 0), got n=" + n + ", cIn=" + cIn
                    + ", h=" + h + ", w=" + w + ", cOut=" + cOut + ", kernel=" + kH + "x" + kW);
        }
        if (sH <= 0 || sW <= 0 || dH <= 0 || dW <= 0 || pH < 0 || pW < 0 || groups <= 0) {
            throw new IllegalArgumentException("conv2d: need stride > 0, dilation > 0, padding >= 0, groups > 0, got"
                    + " stride=" + sH + "x" + sW + ", dilation=" + dH + "x" + dW + ", padding=" + pH + "x" + pW
                    + ", groups=" + groups);
        }
        if (cIn % groups != 0 || cOut % groups != 0) {
            throw new IllegalArgumentException("conv2d: channels " + cIn + " -> " + cOut
                    + " are not divisible by groups=" + groups);
        }
        long paddedH = h + 2L * pH;
        long paddedW = w + 2L * pW;
        long extentH = (long) dH * (kH - 1) + 1;
        long extentW = (long) dW * (kW - 1) + 1;
        if (extentH > paddedH || extentW > paddedW) {
            throw new IllegalArgumentException("conv2d: calculated padded input size per channel: (" + paddedH
                    + " x " + paddedW + "). Kernel size: (" + extentH + " x " + extentW
                    + "). Kernel size can't be greater than actual input size");
        }
        long hOut = (paddedH - extentH) / sH + 1;
        long wOut = (paddedW - extentW) / sW + 1;
        if (hOut > Integer.MAX_VALUE || wOut > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("conv2d: the output of " + hOut + " x " + wOut + " positions (input " + h
                    + " x " + w + ", padding " + pH + " x " + pW + ") has a side longer than " + Integer.MAX_VALUE);
        }
        return new ConvGeometry(n, cIn, h, w, cOut, groups, kH, kW, sH, sW, pH, pW, dH, dW, (int) hOut, (int) wOut);
    }
}
