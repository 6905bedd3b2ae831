package dev.lanes.nn.models;

import dev.lanes.autograd.Ops;
import dev.lanes.nn.BatchNorm2d;
import dev.lanes.nn.Conv2d;
import dev.lanes.nn.Module;
import dev.lanes.nn.ReLU;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;

/**
 * torchvision's {@code BasicBlock}: two 3x3 convolutions with batch norm, the first carrying the
 * stride; {@code relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))}. Names {@code conv1},
 * {@code bn1}, {@code conv2}, {@code bn2} and {@code downsample} (the shortcut, when the shape
 * changes). A plain block (for the networks without shortcuts) leaves out the addition.
 */
public final class BasicBlock extends Module {

    /** Output channels per block channel. */
    public static final int EXPANSION = 1;

    private final Conv2d conv1;
    private final BatchNorm2d bn1;
    private final Conv2d conv2;
    private final BatchNorm2d bn2;
    private final Module downsample;
    private final boolean residual;

    /**
     * @param in       input channels
     * @param out      output channels
     * @param stride   stride of the first convolution
     * @param shortcut how the shortcut adapts a changed shape
     * @param residual false for a plain block (no shortcut at all)
     * @param dtype    parameter type
     * @param gen      the source of the initial weights
     */
    public BasicBlock(int in, int out, int stride, Shortcut shortcut, boolean residual, DType dtype, Generator gen) {
        conv1 = registerModule("conv1", Blocks.conv(in, out, 3, stride, dtype, gen));
        bn1 = registerModule("bn1", Blocks.bn(out, dtype));
        registerModule("relu", new ReLU());
        conv2 = registerModule("conv2", Blocks.conv(out, out, 3, 1, dtype, gen));
        bn2 = registerModule("bn2", Blocks.bn(out, dtype));
        Module s = residual ? Blocks.shortcut(shortcut, in, out, stride, dtype, gen) : null;
        downsample = s == null ? null : registerModule("downsample", s);
        this.residual = residual;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = Ops.relu(bn1.forward(conv1.forward(x)));
        y = bn2.forward(conv2.forward(y));
        if (residual) {
            y = Ops.add(y, downsample == null ? x : downsample.forward(x));
        }
        return Ops.relu(y);
    }

    /** @return convolution 1 */
    public Conv2d conv1() {
        return conv1;
    }

    /** @return batch norm 1 */
    public BatchNorm2d bn1() {
        return bn1;
    }

    /** @return convolution 2 */
    public Conv2d conv2() {
        return conv2;
    }

    /** @return batch norm 2 */
    public BatchNorm2d bn2() {
        return bn2;
    }

    /**
     * @return the shortcut that adapts a changed shape ({@link ZeroPadShortcut} or a
     *         {@code Sequential} of a 1x1 convolution and a batch norm), or null for the identity
     *         and for plain blocks
     */
    public Module downsample() {
        return downsample;
    }

    /** @return false for a plain block (no shortcut) */
    public boolean residual() {
        return residual;
    }
}
