package dev.lanes.nn.models;

import dev.lanes.nn.BatchNorm2d;
import dev.lanes.nn.Conv2d;
import dev.lanes.nn.Layer;
import dev.lanes.nn.ReLU;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import java.util.List;

/**
 * torchvision's {@code BasicBlock}: two 3x3 convolutions with batch norm, the first carrying the
 * stride; {@code relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))}. Names {@code conv1},
 * {@code bn1}, {@code conv2}, {@code bn2} and {@code downsample} (the shortcut, when the shape
 * changes). A plain block (for the networks without shortcuts) leaves out the addition.
 */
public final class BasicBlock extends ResidualBlock {

    /** Output channels per block channel. */
    public static final int EXPANSION = 1;

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
        Conv2d conv1 = registerModule("conv1", Blocks.conv(in, out, 3, stride, dtype, gen));
        BatchNorm2d bn1 = registerModule("bn1", Blocks.bn(out, dtype));
        registerModule("relu", new ReLU());
        Conv2d conv2 = registerModule("conv2", Blocks.conv(out, out, 3, 1, dtype, gen));
        BatchNorm2d bn2 = registerModule("bn2", Blocks.bn(out, dtype));
        Layer s = residual ? Blocks.shortcut(shortcut, in, out, stride, dtype, gen) : null;
        chain(List.of(conv1, conv2), List.of(bn1, bn2), s == null ? null : registerModule("downsample", s), residual);
    }
}
