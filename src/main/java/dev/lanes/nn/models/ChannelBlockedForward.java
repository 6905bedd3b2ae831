package dev.lanes.nn.models;

import dev.lanes.autograd.Ops;
import dev.lanes.autograd.internal.ChannelBlocked;
import dev.lanes.nn.BatchNorm2d;
import dev.lanes.nn.Conv2d;
import dev.lanes.nn.Layer;
import dev.lanes.nn.MaxPool2d;
import dev.lanes.nn.Sequential;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;

/**
 * A residual network's forward pass in F32 on channel-blocked activations
 * ({@link ChannelBlocked}): the images are laid out in blocks of channels once, every
 * convolution, batch norm (with its ReLU and the shortcut's addition), max pooling and zero-pad
 * shortcut runs on that layout, and only the last activation goes back to planes for the global average
 * pooling. The operations give the bits of their NCHW counterparts, so the network computes what
 * {@link ResNet#forward} computes layer by layer on planes, in the same modules' parameters and
 * running statistics. Networks with layers the blocked operations do not cover (grouped
 * convolutions, other shortcuts) and F64 run on planes.
 */
final class ChannelBlockedForward {

    private ChannelBlockedForward() {
    }

    /** @return whether {@code net}'s forward pass on {@code x} runs on channel-blocked activations */
    static boolean supports(ResNet net, Tensor x) {
        if (x.dtype() != DType.F32 || x.rank() != 4 || x.numel() == 0 || !plain(net.conv1())) {
            return false;
        }
        for (Sequential stage : net.stages()) {
            for (int i = 0; i < stage.size(); i++) {
                if (!(stage.get(i) instanceof ResidualBlock block) || !supports(block)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean supports(ResidualBlock block) {
        for (Conv2d c : block.convolutions()) {
            if (!plain(c)) {
                return false;
            }
        }
        Layer d = block.downsample();
        return d == null || d instanceof ZeroPadShortcut
                || d instanceof Sequential s && s.size() == 2 && s.get(0) instanceof Conv2d c && plain(c)
                && s.get(1) instanceof BatchNorm2d;
    }

    private static boolean plain(Conv2d c) {
        return c.groups() == 1;
    }

    /** @return the globally pooled features {@code [N, C]} of {@code net} (which {@link #supports} {@code x}) */
    static Tensor features(ResNet net, Tensor x) {
        Tensor y = ChannelBlocked.toBlocked(x);
        y = norm(net.bn1(), conv(net.conv1(), y), null, true);
        int channels = net.conv1().outChannels();
        MaxPool2d pool = net.maxpool();
        if (pool != null) {
            y = ChannelBlocked.maxPool2d(y, channels, pool.kernelSize(), pool.stride(), pool.padding(), pool.dilation(),
                    pool.ceilMode());
        }
        for (Sequential stage : net.stages()) {
            for (int i = 0; i < stage.size(); i++) {
                ResidualBlock block = (ResidualBlock) stage.get(i);
                y = block(block, y, channels);
                channels = block.convolutions().getLast().outChannels();
            }
        }
        // Global average pooling (AdaptiveAvgPool2d(1)) and flattening in one mean, on planes.
        return Ops.mean(ChannelBlocked.toPlanes(y, channels), false, 2, 3);
    }

    /** {@link ResidualBlock#forward} on the blocked {@code x} of {@code channels} channels. */
    private static Tensor block(ResidualBlock block, Tensor x, int channels) {
        Tensor y = x;
        int last = block.convolutions().size() - 1;
        for (int i = 0; i < last; i++) {
            y = norm(block.batchNorms().get(i), conv(block.convolutions().get(i), y), null, true);
        }
        Tensor shortcut = block.residual() ? shortcut(block.downsample(), x, channels) : null;
        return norm(block.batchNorms().get(last), conv(block.convolutions().get(last), y), shortcut, true);
    }

    private static Tensor shortcut(Layer downsample, Tensor x, int channels) {
        if (downsample == null) {
            return x;
        }
        if (downsample instanceof ZeroPadShortcut pad) {
            int extra = pad.outChannels() - pad.inChannels();
            if (pad.inChannels() != channels) {
                throw new IllegalArgumentException("ZeroPadShortcut: expected " + pad.inChannels()
                        + " input channels, got " + channels);
            }
            return pad.stride() == 1 && extra == 0 ? x
                    : ChannelBlocked.subsamplePadChannels(x, channels, pad.stride(), extra / 2, extra - extra / 2);
        }
        Sequential projection = (Sequential) downsample;
        return norm((BatchNorm2d) projection.get(1), conv((Conv2d) projection.get(0), x), null, false);
    }

    private static Tensor conv(Conv2d c, Tensor x) {
        return ChannelBlocked.conv2d(x, c.weight().tensor(), c.bias() == null ? null : c.bias().tensor(), c.stride(),
                c.padding(), c.dilation());
    }

    /** {@link BatchNorm2d#forwardRelu} (or {@link BatchNorm2d#forward} without the ReLU) on the blocked {@code x}. */
    private static Tensor norm(BatchNorm2d bn, Tensor x, Tensor residual, boolean relu) {
        boolean tracking = bn.runningMean() != null;
        Tensor out = ChannelBlocked.batchNorm(x, bn.numFeatures(), residual, relu,
                tracking ? bn.runningMean().tensor() : null, tracking ? bn.runningVar().tensor() : null,
                bn.weight() == null ? null : bn.weight().tensor(), bn.bias() == null ? null : bn.bias().tensor(),
                bn.isTraining() || !tracking, bn.momentum(), bn.eps());
        if (tracking && bn.isTraining()) {
            bn.setNumBatchesTracked(bn.numBatchesTracked() + 1);
        }
        return out;
    }
}
