package dev.lanes.serve;

import dev.lanes.kernel.Blas;
import dev.lanes.kernel.internal.ArrayChecks;
import dev.lanes.kernel.internal.ConvGeometry;
import dev.lanes.kernel.internal.BlockedConv;
import dev.lanes.nn.BatchNorm2d;
import dev.lanes.nn.Conv2d;
import dev.lanes.tensor.Tensor;

/**
 * A convolution with the eval-mode batch norm after it folded in, for one image of a fixed size:
 * with {@code s = gamma / sqrt(running_var + eps)} per output channel, {@code W' = W s} and
 * {@code b' = beta + (b - running_mean) s}, computed in double and rounded once to float. This
 * is the same function as conv then batch norm (only the rounding differs). The output is
 * {@code relu?(W' * cols + b' + residual)}, written in one pass after the GEMM.
 */
final class FrozenConv {

    final ConvGeometry g;
    private final float[] weight;
    private final float[] bias;
    /** 1x1, stride 1, no padding: the input planes are the matrix to multiply, read in place. */
    private final boolean pointwise;
    /** For the other convolutions: the channel-blocked convolution and its packed weights, else null. */
    private final BlockedConv blocked;
    private final float[] packed;
    private final int inputSize;
    private final int outputSize;
    private final int paddedSize;
    private final int blockedSize;

    private FrozenConv(String name, ConvGeometry g, float[] weight, float[] bias) {
        this.g = g;
        this.weight = weight;
        this.bias = bias;
        this.pointwise = g.kH() == 1 && g.kW() == 1 && g.sH() == 1 && g.sW() == 1 && g.pH() == 0 && g.pW() == 0;
        String op = "ResNetPlan.freeze: " + name;
        this.inputSize = ArrayChecks.arrayLength(op, "floats of input", g.cIn(), g.h(), g.w());
        this.outputSize = ArrayChecks.arrayLength(op, "floats of output", g.cOut(), g.hOut(), g.wOut());
        if (pointwise) {
            this.paddedSize = 0;
            this.blockedSize = 0;
            this.blocked = null;
            this.packed = null;
        } else {
            try {
                this.blocked = BlockedConv.of(g);
                this.paddedSize = blocked.paddedSize();
                this.blockedSize = blocked.blockedOutputSize();
                this.packed = new float[blocked.weightSize()];
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException(op + ": the padded input of " + g.cg() + " x " + g.h() + " x "
                        + g.w() + " floats per group (padding " + g.pH() + " x " + g.pW() + ", stride " + g.sH()
                        + " x " + g.sW() + ") is more than an array holds (" + ArrayChecks.MAX_LENGTH + ")", e);
            }
            if (paddedSize > ArrayChecks.MAX_LENGTH || blockedSize > ArrayChecks.MAX_LENGTH) {
                throw new IllegalArgumentException(op + ": the convolution's buffers of " + paddedSize + " and "
                        + blockedSize + " floats are more than an array holds (" + ArrayChecks.MAX_LENGTH + ")");
            }
        }
    }

    /**
     * @param conv the convolution
     * @param bn   the batch norm that follows it, or null
     * @param h    input height
     * @param w    input width
     * @throws IllegalArgumentException when the batch norm keeps no running statistics (its eval
     *                                  mode then normalises by batch statistics, which cannot be folded)
     *                                  or its channels differ from the convolution's; when the sizes do
     *                                  not fit the convolution or its buffers do not fit in arrays; when
     *                                  a folded weight or bias is not finite (a running variance of 0
     *                                  with a tiny eps, or values beyond the float range)
     */
    static FrozenConv fold(String name, Conv2d conv, BatchNorm2d bn, int h, int w) {
        int[] k = conv.kernelSize();
        int[] s = conv.stride();
        int[] p = conv.padding();
        int[] d = conv.dilation();
        ConvGeometry g;
        try {
            g = ConvGeometry.of(1, conv.inChannels(), h, w, conv.outChannels(), conv.groups(), k[0], k[1], s[0], s[1],
                    p[0], p[1], d[0], d[1]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("ResNetPlan.freeze: " + name + ": " + e.getMessage(), e);
        }
        Tensor wt = conv.weight().tensor();
        int perOut = g.k();
        double[] scale = new double[g.cOut()];
        double[] shift = new double[g.cOut()];
        for (int c = 0; c < g.cOut(); c++) {
            scale[c] = 1;
            shift[c] = conv.bias() == null ? 0 : conv.bias().tensor().getFlat(c);
        }
        if (bn != null) {
            if (bn.runningMean() == null) {
                throw new IllegalArgumentException(name + ": batch norm without running statistics cannot be frozen"
                        + " (its eval mode normalises by the batch)");
            }
            if (bn.numFeatures() != g.cOut()) {
                throw new IllegalArgumentException(name + ": batch norm has " + bn.numFeatures()
                        + " channels, the convolution " + g.cOut());
            }
            for (int c = 0; c < g.cOut(); c++) {
                double gamma = bn.weight() == null ? 1 : bn.weight().tensor().getFlat(c);
                double beta = bn.bias() == null ? 0 : bn.bias().tensor().getFlat(c);
                double sc = gamma / Math.sqrt(bn.runningVar().tensor().getFlat(c) + bn.eps());
                shift[c] = beta + (shift[c] - bn.runningMean().tensor().getFlat(c)) * sc;
                scale[c] = sc;
            }
        }
        FrozenConv frozen = new FrozenConv(name, g, new float[g.cOut() * perOut], new float[g.cOut()]);
        float[] weight = frozen.weight;
        float[] bias = frozen.bias;
        for (int c = 0; c < g.cOut(); c++) {
            for (int i = 0; i < perOut; i++) {
                float v = (float) (wt.getFlat(c * perOut + i) * scale[c]);
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException("ResNetPlan.freeze: " + name + ": the folded weight element "
                            + (c * perOut + i) + " (output channel " + c + ") is " + v + ": the weight "
                            + wt.getFlat(c * perOut + i) + " times the batch norm's scale " + scale[c]
                            + " is beyond the float range");
                }
                weight[c * perOut + i] = v;
            }
            bias[c] = (float) shift[c];
            if (!Float.isFinite(bias[c])) {
                throw new IllegalArgumentException("ResNetPlan.freeze: " + name + ": the folded bias of output channel "
                        + c + " is " + bias[c] + " (" + shift[c] + " before rounding to float, batch norm scale "
                        + scale[c] + ")");
            }
        }
        if (frozen.blocked != null) {
            frozen.blocked.packWeights(weight, 0, frozen.packed);
        }
        return frozen;
    }

    /** @return floats of one input image */
    int inputSize() {
        return inputSize;
    }

    /** @return floats of one output image */
    int outputSize() {
        return outputSize;
    }

    /** @return floats of the padded, channel-blocked input {@link BlockedConv} needs (0 if it is not used) */
    int paddedSize() {
        return paddedSize;
    }

    /** @return floats of the channel-blocked output {@link BlockedConv} needs (0 if it is not used) */
    int blockedSize() {
        return blockedSize;
    }

    /**
     * Convolves one image: {@code y[yOff..]} = the output; {@code scratch} holds the padded
     * input and blocked output buffers, each as large as the plan needs. With a
     * residual {@code r} (not null), adds it before the activation: an image of the output's
     * shape at {@code rOff} when {@code pad} is null, else the block input that {@code pad}
     * subsamples and pads with zero channels.
     */
    void run(float[] x, int xOff, float[] y, int yOff, float[][] scratch, boolean relu, float[] r, int rOff,
             ZeroPadMap pad) {
        int l = g.l();
        int k = g.k();
        int og = g.og();
        for (int grp = 0; grp < g.groups(); grp++) {
            int in = xOff + grp * g.cg() * g.h() * g.w();
            if (blocked != null) {
                blocked.forward(grp, packed, x, in, scratch[0], scratch[1], null, y, yOff + grp * og * l, false);
                continue;
            }
            Blas.sgemm(false, false, og, l, k, 1f, weight, grp * og * k, k, x, in, l, 0f, y, yOff + grp * og * l, l);
        }
        for (int c = 0; c < g.cOut(); c++) {
            int row = yOff + c * l;
            float bc = bias[c];
            if (r != null) {
                if (pad == null) {
                    int src = rOff + c * l;
                    for (int i = 0; i < l; i++) {
                        y[row + i] += r[src + i];
                    }
                } else {
                    pad.addTo(c, r, rOff, y, row, g.hOut(), g.wOut());
                }
            }
            if (relu) {
                for (int i = row; i < row + l; i++) {
                    y[i] = Math.max(y[i] + bc, 0f);
                }
            } else {
                for (int i = row; i < row + l; i++) {
                    y[i] += bc;
                }
            }
        }
    }
}
