package dev.lanes.nn.models;

import dev.lanes.nn.BatchNorm2d;
import dev.lanes.nn.Conv2d;
import dev.lanes.nn.Layer;
import dev.lanes.nn.ReLU;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import java.util.List;

/**
 * torchvision's {@code Bottleneck} (ResNet v1.5: the stride on the 3x3 convolution): 1x1 down to
 * {@code width}, 3x3 with the stride, 1x1 up to {@code 4 width}, each with batch norm, plus the
 * shortcut, then ReLU. Names {@code conv1..3}, {@code bn1..3}, {@code downsample}.
 */
public final class Bottleneck extends ResidualBlock {

    /** Output channels per block width. */
    public static final int EXPANSION = 4;

    /**
     * @param in       input channels
     * @param width    the inner width; the block outputs {@code 4 * width} channels
     * @param stride   stride of the 3x3 convolution
     * @param shortcut how the shortcut adapts a changed shape
     * @param residual false for a plain block
     * @param dtype    parameter type
     * @param gen      the source of the initial weights
     */
    public Bottleneck(int in, int width, int stride, Shortcut shortcut, boolean residual, DType dtype,
                      Generator gen) {
        int out = width * EXPANSION;
        Conv2d conv1 = registerModule("conv1", Blocks.conv(in, width, 1, 1, dtype, gen));
        BatchNorm2d bn1 = registerModule("bn1", Blocks.bn(width, dtype));
        Conv2d conv2 = registerModule("conv2", Blocks.conv(width, width, 3, stride, dtype, gen));
        BatchNorm2d bn2 = registerModule("bn2", Blocks.bn(width, dtype));
        Conv2d conv3 = registerModule("conv3", Blocks.conv(width, out, 1, 1, dtype, gen));
        BatchNorm2d bn3 = registerModule("bn3", Blocks.bn(out, dtype));
        registerModule("relu", new ReLU());
        Layer s = residual ? Blocks.shortcut(shortcut, in, out, stride, dtype, gen) : null;
        chain(List.of(conv1, conv2, conv3), List.of(bn1, bn2, bn3), s == null ? null : registerModule("downsample", s), residual);
    }
}
