package dev.lanes.nn;

import dev.lanes.autograd.Ops;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;

/**
 * {@code torch.nn.Conv2d}: weight {@code [out, in/groups, kH, kW]}, bias {@code [out]}, zero
 * padding. Initialised as PyTorch does: weight from Kaiming-uniform with {@code a = sqrt(5)},
 * which is {@code U(-1/sqrt(fan_in), 1/sqrt(fan_in))} with {@code fan_in = in/groups * kH * kW},
 * then the bias from the same bound.
 */
public final class Conv2d extends Layer {

    private final int inChannels;
    private final int outChannels;
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;
    private final int groups;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * @param inChannels  input channels, a multiple of {@code groups}
     * @param outChannels output channels, a multiple of {@code groups}
     * @param kernel      {height, width}, each > 0
     * @param stride      {height, width}, each > 0
     * @param padding     {height, width}, each >= 0
     * @param dilation    {height, width}, each > 0
     * @param groups      > 0
     * @param bias        whether to add a bias
     * @param dtype       parameter type
     * @param gen         the source of the initial values
     * @throws IllegalArgumentException on sizes that do not fit, naming them
     */
    public Conv2d(int inChannels, int outChannels, int[] kernel, int[] stride, int[] padding, int[] dilation,
                  int groups, boolean bias, DType dtype, Generator gen) {
        this.kernel = pair("kernel_size", kernel, 1);
        this.stride = pair("stride", stride, 1);
        this.padding = pair("padding", padding, 0);
        this.dilation = pair("dilation", dilation, 1);
        if (groups <= 0) {
            throw new IllegalArgumentException("Conv2d: groups must be a positive integer, got " + groups);
        }
        if (inChannels <= 0 || outChannels <= 0 || inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException("Conv2d: in_channels=" + inChannels + " and out_channels="
                    + outChannels + " must be positive and divisible by groups=" + groups);
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.groups = groups;
        int fanIn = inChannels / groups * this.kernel[0] * this.kernel[1];
        double bound = 1 / Math.sqrt(fanIn);
        this.weight = registerParameter("weight", Tensor.uniform(gen, dtype, -bound, bound, outChannels,
                inChannels / groups, this.kernel[0], this.kernel[1]));
        this.bias = bias ? registerParameter("bias", Tensor.uniform(gen, dtype, -bound, bound, outChannels)) : null;
    }

    /** An F32 layer with a square kernel, no dilation, one group. */
    public Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding, boolean bias, Generator gen) {
        this(inChannels, outChannels, new int[] {kernel, kernel}, new int[] {stride, stride},
                new int[] {padding, padding}, new int[] {1, 1}, 1, bias, DType.F32, gen);
    }

    /** An F32 layer with a square kernel, stride 1, no padding, and a bias. */
    public Conv2d(int inChannels, int outChannels, int kernel, Generator gen) {
        this(inChannels, outChannels, kernel, 1, 0, true, gen);
    }

    private static int[] pair(String name, int[] v, int min) {
        if (v == null || v.length != 2 || v[0] < min || v[1] < min) {
            throw new IllegalArgumentException("Conv2d: " + name + " must be two values >= " + min + ", got "
                    + (v == null ? "null" : java.util.Arrays.toString(v)));
        }
        return v.clone();
    }

    /** @return the weight slot */
    public Parameter weight() {
        return weight;
    }

    /** @return the bias slot, or null without a bias */
    public Parameter bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor input) {
        return Ops.conv2d(input, weight.tensor(), bias == null ? null : bias.tensor(), stride, padding, dilation,
                groups);
    }

    private static String tuple(int[] v) {
        return "(" + v[0] + ", " + v[1] + ")";
    }

    @Override
    protected String extraRepr() {
        StringBuilder s = new StringBuilder().append(inChannels).append(", ").append(outChannels)
                .append(", kernel_size=").append(tuple(kernel)).append(", stride=").append(tuple(stride));
        if (padding[0] != 0 || padding[1] != 0) {
            s.append(", padding=").append(tuple(padding));
        }
        if (dilation[0] != 1 || dilation[1] != 1) {
            s.append(", dilation=").append(tuple(dilation));
        }
        if (groups != 1) {
            s.append(", groups=").append(groups);
        }
        if (bias == null) {
            s.append(", bias=False");
        }
        return s.toString();
    }

    /** @return input channels */
    public int inChannels() {
        return inChannels;
    }

    /** @return output channels */
    public int outChannels() {
        return outChannels;
    }

    /** @return {height, width} of the kernel (a copy) */
    public int[] kernelSize() {
        return kernel.clone();
    }

    /** @return {height, width} of the stride (a copy) */
    public int[] stride() {
        return stride.clone();
    }

    /** @return {height, width} of the zero padding (a copy) */
    public int[] padding() {
        return padding.clone();
    }

    /** @return {height, width} of the dilation (a copy) */
    public int[] dilation() {
        return dilation.clone();
    }

    /** @return the channel groups */
    public int groups() {
        return groups;
    }
}
