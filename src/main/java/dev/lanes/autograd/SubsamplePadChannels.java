package dev.lanes.autograd;

import dev.lanes.autograd.internal.Lowerable;
import dev.lanes.autograd.internal.Lowering;
import dev.lanes.autograd.internal.Slot;
import dev.lanes.kernel.internal.StridedMoves;
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
final class SubsamplePadChannels extends GradFn implements Lowerable {

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

    /** The output cleared, then the strided copies of the eager forward, on the arena. */
    @Override
    public void lower(Lowering l) {
        Tensor x0 = input(0);
        int n = x0.size(0);
        int c = x0.size(1);
        int h = x0.size(2);
        int w = x0.size(3);
        Slot x = l.in(x0);
        Slot y = l.out();
        int[] d = y.dims();
        int subC = d[1];
        int ho = d[2];
        int wo = d[3];
        int s = stride;
        l.step(mem -> {
            java.util.Arrays.fill(mem, y.at(), y.at() + y.size(), 0f);
            for (int b = 0; b < n; b++) {
                for (int ch = 0; ch < c; ch++) {
                    for (int i = 0; i < ho; i++) {
                        StridedMoves.copy(mem, x.at() + ((b * c + ch) * h + i * s) * w, s, mem,
                                y.at() + ((b * subC + before + ch) * ho + i) * wo, 1, wo);
                    }
                }
            }
        });
    }
}
