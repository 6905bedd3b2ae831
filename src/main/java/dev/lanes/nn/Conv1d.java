package dev.lanes.nn;

import dev.lanes.autograd.Ops;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;

/**
 * {@code torch.nn.Conv1d}: weight {@code [out, in/groups, k]}, bias {@code [out]}, zero padding;
 * input {@code [N, in, L]} or unbatched {@code [in, L]}. Initialised as PyTorch does: weight and
 * then bias from {@code U(-1/sqrt(fan_in), 1/sqrt(fan_in))}, {@code fan_in = in/groups * k}.
 */
public final class Conv1d extends Layer {

    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final int dilation;
    private final int groups;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * @param inChannels  input channels, a multiple of {@code groups}
     * @param outChannels output channels, a multiple of {@code groups}
     * @param kernel      > 0
     * @param stride      > 0
     * @param padding     >= 0
     * @param dilation    > 0
     * @param groups      > 0
     * @param bias        whether to add a bias
     * @param dtype       parameter type
     * @param gen         the source of the initial values
     * @throws IllegalArgumentException on sizes that do not fit, naming them
     */
    public Conv1d(int inChannels, int outChannels, int kernel, int stride, int padding, int dilation, int groups,
                  boolean bias, DType dtype, Generator gen) {
        if (kernel < 1 || stride < 1 || padding < 0 || dilation < 1) {
            throw new IllegalArgumentException("Conv1d: kernel_size, stride and dilation must be >= 1 and padding >= 0,"
                    + " got " + kernel + ", " + stride + ", " + dilation + " and " + padding);
        }
        if (groups <= 0) {
            throw new IllegalArgumentException("Conv1d: groups must be a positive integer, got " + groups);
        }
        if (inChannels <= 0 || outChannels <= 0 || inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException("Conv1d: in_channels=" + inChannels + " and out_channels="
                    + outChannels + " must be positive and divisible by groups=" + groups);
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.groups = groups;
        double bound = 1 / Math.sqrt((double) inChannels / groups * kernel);
        this.weight = registerParameter("weight", Tensor.uniform(gen, dtype, -bound, bound, outChannels,
                inChannels / groups, kernel));
        this.bias = bias ? registerParameter("bias", Tensor.uniform(gen, dtype, -bound, bound, outChannels)) : null;
    }

    /** An F32 layer: stride 1, no padding, no dilation, one group, with a bias. */
    public Conv1d(int inChannels, int outChannels, int kernel, Generator gen) {
        this(inChannels, outChannels, kernel, 1, 0, 1, 1, true, DType.F32, gen);
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
        return Ops.conv1d(input, weight.tensor(), bias == null ? null : bias.tensor(), stride, padding, dilation,
                groups);
    }

    @Override
    protected String extraRepr() {
        StringBuilder s = new StringBuilder().append(inChannels).append(", ").append(outChannels)
                .append(", kernel_size=(").append(kernel).append(",), stride=(").append(stride).append(",)");
        if (padding != 0) {
            s.append(", padding=(").append(padding).append(",)");
        }
        if (dilation != 1) {
            s.append(", dilation=(").append(dilation).append(",)");
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

    /** @return the kernel size */
    public int kernelSize() {
        return kernel;
    }

    /** @return the stride */
    public int stride() {
        return stride;
    }

    /** @return the zero padding on each side */
    public int padding() {
        return padding;
    }

    /** @return the dilation */
    public int dilation() {
        return dilation;
    }

    /** @return the number of groups */
    public int groups() {
        return groups;
    }
}
