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
 * torchvision's {@code Bottleneck} (ResNet v1.5: the stride on the 3x3 convolution): 1x1 down to
 * {@code width}, 3x3 with the stride, 1x1 up to {@code 4 width}, each with batch norm, plus the
 * shortcut, then ReLU. Names {@code conv1..3}, {@code bn1..3}, {@code downsample}.
 */
public final class Bottleneck extends Module {

    /** Output channels per block width. */
    public static final int EXPANSION = 4;

    private final Conv2d conv1;
    private final BatchNorm2d bn1;
    private final Conv2d conv2;
    private final BatchNorm2d bn2;
    private final Conv2d conv3;
    private final BatchNorm2d bn3;
    private final Module downsample;
    private final boolean residual;

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
        conv1 = registerModule("conv1", Blocks.conv(in, width, 1, 1, dtype, gen));
        bn1 = registerModule("bn1", Blocks.bn(width, dtype));
        conv2 = registerModule("conv2", Blocks.conv(width, width, 3, stride, dtype, gen));
        bn2 = registerModule("bn2", Blocks.bn(width, dtype));
        conv3 = registerModule("conv3", Blocks.conv(width, out, 1, 1, dtype, gen));
        bn3 = registerModule("bn3", Blocks.bn(out, dtype));
        registerModule("relu", new ReLU());
        Module s = residual ? Blocks.shortcut(shortcut, in, out, stride, dtype, gen) : null;
        downsample = s == null ? null : registerModule("downsample", s);
        this.residual = residual;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = Ops.relu(bn1.forward(conv1.forward(x)));
        y = Ops.relu(bn2.forward(conv2.forward(y)));
        y = bn3.forward(conv3.forward(y));
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

    /** @return convolution 3 */
    public Conv2d conv3() {
        return conv3;
    }

    /** @return batch norm 3 */
    public BatchNorm2d bn3() {
        return bn3;
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
