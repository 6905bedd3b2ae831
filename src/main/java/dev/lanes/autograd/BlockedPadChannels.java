package dev.lanes.autograd;

import dev.lanes.kernel.internal.Parallel;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.GradFn;
import dev.lanes.tensor.internal.StepArena;

/**
 * {@link SubsamplePadChannels} on channel-blocked activations: every {@code s}-th row and
 * column, channel {@code c} moved to channel {@code before + c} of {@code before + C + after}
 * (which may fall in another lane), other channels zero. Backward moves the gradient back into a
 * zero tensor shaped like the input. Only copies, so the values are those of the NCHW op.
 */
final class BlockedPadChannels extends GradFn {

    private final int channels;
    private final int stride;
    private final int before;

    private BlockedPadChannels(Tensor x, int channels, int stride, int before) {
        super("subsamplePadChannels", "ConstantPadNdBackward0", x);
        this.channels = channels;
        this.stride = stride;
        this.before = before;
    }

    static Tensor apply(Tensor x, int channels, int stride, int before, int after) {
        String op = "subsamplePadChannels (channel-blocked)";
        int block = ChannelBlockedOps.checkBlocked(op, x);
        ChannelBlockedOps.checkChannels(op, x, channels);
        if (stride < 1 || before < 0 || after < 0) {
            throw new IllegalArgumentException(op + ": need stride >= 1 and before, after >= 0, got stride=" + stride
                    + ", before=" + before + ", after=" + after);
        }
        int ho = (x.size(2) + stride - 1) / stride;
        int wo = (x.size(3) + stride - 1) / stride;
        Tensor y = StepArena.zeros(DType.F32, x.size(0), Math.ceilDiv(before + channels + after, block), ho, wo,
                block);
        move(x, y, true, channels, stride, before);
        return Tape.output(op, y, () -> new BlockedPadChannels(x, channels, stride, before), x);
    }

    /** Every gradient is a tensor allocated by {@link #backward}. */
    @Override
    protected boolean returnsFreshGradients() {
        return true;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor dx = StepArena.zeros(DType.F32, input(0).shape());
        move(dx, g, false, channels, stride, before);
        return new Tensor[] {dx};
    }

    /** Copies between {@code full} at rows and columns {@code 0, s, 2s, ...} and {@code sub}'s shifted channels. */
    private static void move(Tensor full, Tensor sub, boolean down, int channels, int s, int before) {
        // Images across threads: each range writes only its own images.
        int n = full.size(0);
        if (Parallel.splits(n, 1)) {
            Parallel.forRanges(n, 1, (first, end) -> moveImages(full, sub, down, channels, s, before, first, end));
        } else {
            moveImages(full, sub, down, channels, s, before, 0, n);
        }
    }

    /** {@link #move} of the images {@code [first, end)}. */
    private static void moveImages(Tensor full, Tensor sub, boolean down, int channels, int s, int before, int first,
                                   int end) {
        float[] f = full.f32();
        float[] u = sub.f32();
        int block = full.size(4);
        int fullBlocks = full.size(1);
        int h = full.size(2);
        int w = full.size(3);
        int subBlocks = sub.size(1);
        int ho = sub.size(2);
        int wo = sub.size(3);
        for (int n = first; n < end; n++) {
            for (int c = 0; c < channels; c++) {
                int o = before + c;
                int fullBase = (n * fullBlocks + c / block) * h * w * block + c % block;
                int subBase = (n * subBlocks + o / block) * ho * wo * block + o % block;
                for (int i = 0; i < ho; i++) {
                    for (int j = 0; j < wo; j++) {
                        int fi = fullBase + (i * s * w + j * s) * block;
                        int ui = subBase + (i * wo + j) * block;
                        if (down) {
                            u[ui] = f[fi];
                        } else {
                            f[fi] = u[ui];
                        }
                    }
                }
            }
        }
    }
}
