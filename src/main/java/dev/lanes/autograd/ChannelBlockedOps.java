package dev.lanes.autograd;

import dev.lanes.autograd.internal.ChannelBlocked;
import dev.lanes.kernel.internal.Providers;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;

/**
 * The operations of {@link ChannelBlocked}, installed there when this class is initialised,
 * and the checks they share.
 */
final class ChannelBlockedOps implements ChannelBlocked.Access {

    static {
        ChannelBlocked.install(new ChannelBlockedOps());
    }

    private ChannelBlockedOps() {
    }

    /**
     * @return the block size of a channel-blocked tensor {@code [N, blocks, H, W, B]}
     * @throws IllegalArgumentException naming {@code op} when {@code x} is not one
     */
    static int checkBlocked(String op, Tensor x) {
        if (x.dtype() != DType.F32 || x.rank() != 5 || x.size(1) < 1 || x.size(4) < 1) {
            throw new IllegalArgumentException(op + ": expected an F32 channel-blocked tensor [N, blocks, H, W, B], got "
                    + x.dtype() + " " + x.shape());
        }
        return x.size(4);
    }

    /** @throws IllegalArgumentException unless the blocked {@code x} holds exactly the blocks of {@code channels} channels */
    static void checkChannels(String op, Tensor x, int channels) {
        if (channels < 1 || Math.ceilDiv(channels, x.size(4)) != x.size(1)) {
            throw new IllegalArgumentException(op + ": " + channels + " channels do not fill the " + x.size(1)
                    + " blocks of " + x.size(4) + " of the input " + x.shape());
        }
    }

    @Override
    public Tensor toBlocked(Tensor x) {
        return BlockLayoutNode.toBlocked(x, Providers.provider().conv().block());
    }

    @Override
    public Tensor toPlanes(Tensor x, int channels) {
        return BlockLayoutNode.toPlanes(x, channels);
    }

    @Override
    public Tensor conv2d(Tensor x, Tensor w, Tensor b, int[] stride, int[] padding, int[] dilation) {
        return BlockedConv2dNode.apply(x, w, b, stride, padding, dilation);
    }

    @Override
    public Tensor batchNorm(Tensor x, int channels, Tensor residual, boolean relu, Tensor runningMean,
                            Tensor runningVar, Tensor weight, Tensor bias, boolean training, double momentum,
                            double eps) {
        return BlockedBatchNormNode.apply(x, channels, residual, relu, runningMean, runningVar, weight, bias, training,
                momentum, eps);
    }

    @Override
    public Tensor subsamplePadChannels(Tensor x, int channels, int stride, int before, int after) {
        return BlockedPadChannels.apply(x, channels, stride, before, after);
    }

    @Override
    public Tensor maxPool2d(Tensor x, int channels, int[] kernel, int[] stride, int[] padding, int[] dilation,
                            boolean ceilMode) {
        return BlockedMaxPool2dNode.apply(x, channels, kernel, stride, padding, dilation, ceilMode);
    }
}
