package dev.lanes.autograd;

import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.Dispatch;
import dev.lanes.tensor.internal.GradFn;
import dev.lanes.tensor.internal.StepArena;

/**
 * {@code x[:, :, ::s, ::s]} with {@code before} zero channels in front and {@code after} behind,
 * for NCHW {@code x}: the option-A shortcut of the CIFAR ResNets as one op, the values of
 * {@code cat([zeros, x[:, :, ::s, ::s], zeros], 1)} (PyTorch spells it with slicing and
 * {@code F.pad}). One output written in one pass instead of two slices, two zero tensors and a
 * concatenation; backward scatters the gradient's middle channels into a zero tensor shaped like
 * {@code x} (every value is a copy, so the bits are those of the composite).
 */
final class SubsamplePadChannels extends GradFn {

    private final int stride;
    private final int before;

    private SubsamplePadChannels(Tensor x, int stride, int before) {
        super("subsamplePadChannels", "ConstantPadNdBackward0", x);
        this.stride = stride;
        this.before = before;
    }

    static Tensor apply(Tensor x, int stride, int before, int after) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException("subsamplePadChannels: expected an NCHW tensor, got " + x.shape());
        }
        if (stride < 1 || before < 0 || after < 0) {
            throw new IllegalArgumentException("subsamplePadChannels: need stride >= 1 and before, after >= 0, got"
                    + " stride=" + stride + ", before=" + before + ", after=" + after);
        }
        int n = x.size(0);
        int c = x.size(1);
        int h = x.size(2);
        int w = x.size(3);
        int ho = (h + stride - 1) / stride;
        int wo = (w + stride - 1) / stride;
        Tensor y = StepArena.zeros(x.dtype(), n, before + c + after, ho, wo);
        copy(x, y, true, stride, before);
        return Tape.output("subsamplePadChannels", y, () -> new SubsamplePadChannels(x, stride, before), x);
    }

    /** Every gradient is a tensor allocated by {@link #backward}. */
    @Override
    protected boolean returnsFreshGradients() {
        return true;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor x = input(0);
        Tensor dx = StepArena.zeros(x.dtype(), x.shape());
        copy(dx, g, false, stride, before);
        return new Tensor[] {dx};
    }

    /**
     * Copies between {@code full} (NCHW) at rows and columns {@code 0, s, 2s, ...} and the
     * channels {@code [before, before + C)} of {@code sub}: into {@code sub} when {@code down},
     * else back into {@code full}.
     */
    private static void copy(Tensor full, Tensor sub, boolean down, int s, int before) {
        int n = full.size(0);
        int c = full.size(1);
        int h = full.size(2);
        int w = full.size(3);
        int subC = sub.size(1);
        int ho = sub.size(2);
        int wo = sub.size(3);
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < ho; i++) {
                    int fullRow = ((b * c + ch) * h + i * s) * w;
                    int subRow = ((b * subC + before + ch) * ho + i) * wo;
                    if (down) {
                        Dispatch.copyStrided(full, fullRow, s, sub, subRow, 1, wo);
                    } else {
                        Dispatch.copyStrided(sub, subRow, 1, full, fullRow, s, wo);
                    }
                }
            }
        }
    }
}
