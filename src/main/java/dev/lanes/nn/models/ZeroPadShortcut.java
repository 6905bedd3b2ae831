package dev.lanes.nn.models;

import dev.lanes.autograd.Ops;
import dev.lanes.nn.Layer;
import dev.lanes.tensor.Tensor;

/**
 * Shortcut option A: {@code x[:, :, ::s, ::s]} with {@code (out - in) / 2} zero channels on each
 * side (the extra one after, if the difference is odd), as in the CIFAR ResNets of He et al.
 * (2016). Parameter-free, so it adds nothing to the state dict.
 */
public final class ZeroPadShortcut extends Layer {

    private final int inChannels;
    private final int outChannels;
    private final int stride;

    /**
     * @param inChannels  channels of the input
     * @param outChannels channels of the output, >= inChannels
     * @param stride      spatial subsampling, >= 1
     */
    public ZeroPadShortcut(int inChannels, int outChannels, int stride) {
        if (inChannels < 1 || outChannels < inChannels || stride < 1) {
            throw new IllegalArgumentException("ZeroPadShortcut: need 1 <= in <= out and stride >= 1, got in="
                    + inChannels + ", out=" + outChannels + ", stride=" + stride);
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.stride = stride;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4 || x.size(1) != inChannels) {
            throw new IllegalArgumentException("ZeroPadShortcut: expected [N, " + inChannels + ", H, W], got "
                    + x.shape());
        }
        int extra = outChannels - inChannels;
        if (stride == 1 && extra == 0) {
            return x;
        }
        return Ops.subsamplePadChannels(x, stride, extra / 2, extra - extra / 2);
    }

    @Override
    protected String extraRepr() {
        return "in=" + inChannels + ", out=" + outChannels + ", stride=" + stride;
    }

    /** @return channels of the input */
    public int inChannels() {
        return inChannels;
    }

    /** @return channels of the output */
    public int outChannels() {
        return outChannels;
    }

    /** @return the spatial subsampling */
    public int stride() {
        return stride;
    }
}
