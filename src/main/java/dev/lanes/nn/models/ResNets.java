package dev.lanes.nn.models;

import dev.lanes.nn.Layer;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import java.util.ArrayList;
import java.util.List;

/**
 * Builders of residual networks and their plain twins.
 *
 * <p>CIFAR-style (He et al. 2016, section 4.2): depth 6n + 2 (20, 32, 44, 56, 110), a 3x3 stem
 * of 16 channels, three stages of n {@link BasicBlock}s with 16, 32 and 64 channels (strides 1,
 * 2, 2), global average pooling, a linear classifier; any input channels and size (3 x 32 x 32
 * or 1 x 28 x 28 both work); shortcut option A or B where the shape changes. The plain twin has
 * the same layers without any shortcut.
 *
 * <p>ImageNet-style (torchvision): ResNet-18 and -34 from {@link BasicBlock}s, ResNet-50 from
 * {@link Bottleneck}s; 7x7 stride-2 stem, 3x3 max pooling, stages of 64, 128, 256 and 512
 * channels, projection shortcuts.
 */
public final class ResNets {

    private ResNets() {
    }

    /**
     * @param depth      6n + 2, n >= 1
     * @param inChannels channels of the input images
     * @param classes    outputs
     * @param shortcut   option A or B for the blocks that change shape
     * @param residual   false for the plain twin (no shortcuts)
     * @param dtype      parameter type
     * @param gen        the source of the initial weights
     */
    public static ResNet cifar(int depth, int inChannels, int classes, Shortcut shortcut, boolean residual,
                               DType dtype, Generator gen) {
        if (depth < 8 || (depth - 2) % 6 != 0) {
            throw new IllegalArgumentException("ResNets.cifar: depth must be 6n + 2 with n >= 1 (20, 32, 44, 56,"
                    + " 110), got " + depth);
        }
        if (inChannels < 1 || classes < 1) {
            throw new IllegalArgumentException("ResNets.cifar: inChannels and classes must be >= 1, got "
                    + inChannels + " and " + classes);
        }
        int n = (depth - 2) / 6;
        int[] widths = {16, 32, 64};
        List<List<Layer>> stages = new ArrayList<>();
        int in = 16;
        for (int s = 0; s < widths.length; s++) {
            List<Layer> blocks = new ArrayList<>();
            for (int b = 0; b < n; b++) {
                int stride = s > 0 && b == 0 ? 2 : 1;
                blocks.add(new BasicBlock(in, widths[s], stride, shortcut, residual, dtype, gen));
                in = widths[s];
            }
            stages.add(blocks);
        }
        String name = (residual ? "ResNet-" : "Plain-") + depth;
        return new ResNet(name, Blocks.conv(inChannels, 16, 3, 1, dtype, gen), 16, false, stages, 64, classes, dtype,
                gen);
    }

    /** ResNet-20 with option A shortcuts, F32. */
    public static ResNet resnet20(int inChannels, int classes, Generator gen) {
        return cifar(20, inChannels, classes, Shortcut.ZERO_PAD, true, DType.F32, gen);
    }

    /** ResNet-56 with option A shortcuts, F32. */
    public static ResNet resnet56(int inChannels, int classes, Generator gen) {
        return cifar(56, inChannels, classes, Shortcut.ZERO_PAD, true, DType.F32, gen);
    }

    /**
     * @param blocks     blocks per stage (ResNet-18: 2, 2, 2, 2; -34 and -50: 3, 4, 6, 3)
     * @param bottleneck whether the blocks are bottlenecks
     * @param inChannels channels of the input images
     * @param classes    outputs
     * @param dtype      parameter type
     * @param gen        the source of the initial weights
     */
    public static ResNet imagenet(int[] blocks, boolean bottleneck, int inChannels, int classes, DType dtype,
                                  Generator gen) {
        if (blocks.length != 4) {
            throw new IllegalArgumentException("ResNets.imagenet: four stages expected, got " + blocks.length);
        }
        int[] widths = {64, 128, 256, 512};
        int expansion = bottleneck ? Bottleneck.EXPANSION : BasicBlock.EXPANSION;
        List<List<Layer>> stages = new ArrayList<>();
        int in = 64;
        for (int s = 0; s < 4; s++) {
            if (blocks[s] < 1) {
                throw new IllegalArgumentException("ResNets.imagenet: every stage needs a block, got "
                        + java.util.Arrays.toString(blocks));
            }
            List<Layer> stage = new ArrayList<>();
            for (int b = 0; b < blocks[s]; b++) {
                int stride = s > 0 && b == 0 ? 2 : 1;
                stage.add(bottleneck ? new Bottleneck(in, widths[s], stride, Shortcut.PROJECTION, true, dtype, gen)
                        : new BasicBlock(in, widths[s], stride, Shortcut.PROJECTION, true, dtype, gen));
                in = widths[s] * expansion;
            }
            stages.add(stage);
        }
        return new ResNet("ResNet", Blocks.conv(inChannels, 64, 7, 2, dtype, gen), 64, true, stages, in, classes,
                dtype, gen);
    }

    /** torchvision's ResNet-18. */
    public static ResNet resnet18(int classes, Generator gen) {
        return imagenet(new int[] {2, 2, 2, 2}, false, 3, classes, DType.F32, gen);
    }

    /** torchvision's ResNet-34. */
    public static ResNet resnet34(int classes, Generator gen) {
        return imagenet(new int[] {3, 4, 6, 3}, false, 3, classes, DType.F32, gen);
    }

    /** torchvision's ResNet-50. */
    public static ResNet resnet50(int classes, Generator gen) {
        return imagenet(new int[] {3, 4, 6, 3}, true, 3, classes, DType.F32, gen);
    }
}
