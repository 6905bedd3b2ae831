package dev.lanes.autograd;

import dev.lanes.autograd.internal.Lowerable;
import dev.lanes.autograd.internal.Lowering;
import dev.lanes.autograd.internal.Slot;
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
final class BlockedPadChannels extends GradFn implements Lowerable {

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
        Moves m = new Moves(full.size(4), full.size(1), full.size(2), full.size(3), sub.size(1), sub.size(2),
                sub.size(3), channels, s, before);
        float[] f = full.f32();
        float[] u = sub.f32();
        // Images across threads: each range writes only its own images.
        int n = full.size(0);
        if (Parallel.splits(n, 1)) {
            Parallel.forRanges(n, 1, (first, end) -> m.images(f, 0, u, 0, down, first, end));
        } else {
            m.images(f, 0, u, 0, down, 0, n);
        }
    }

    /**
     * The positions the op moves: {@code channels} channels of {@code fullBlocks} blocks of
     * {@code h x w} images, every {@code s}-th row and column, to channel {@code before + c} of
     * {@code subBlocks} blocks of {@code ho x wo} images.
     */
    private record Moves(int block, int fullBlocks, int h, int w, int subBlocks, int ho, int wo, int channels, int s,
                         int before) {

        /** The images {@code [first, end)}: from {@code f} to {@code u} when {@code down}, else back. */
        void images(float[] f, int fOff, float[] u, int uOff, boolean down, int first, int end) {
            for (int n = first; n < end; n++) {
                for (int c = 0; c < channels; c++) {
                    int o = before + c;
                    int fullBase = fOff + (n * fullBlocks + c / block) * h * w * block + c % block;
                    int subBase = uOff + (n * subBlocks + o / block) * ho * wo * block + o % block;
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

    /** The output is cleared (the other channels are zero), then the moves, as the eager forward. */
    @Override
    public void lower(Lowering l) {
        Tensor x0 = input(0);
        Slot x = l.in(x0);
        Slot y = l.out();
        int[] d = y.dims();
        Moves m = new Moves(x0.size(4), x0.size(1), x0.size(2), x0.size(3), d[1], d[2], d[3], channels, stride,
                before);
        int images = x0.size(0);
        l.step(mem -> {
            java.util.Arrays.fill(mem, y.at(), y.at() + y.size(), 0f);
            m.images(mem, x.at(), mem, y.at(), true, 0, images);
        });
    }
}
