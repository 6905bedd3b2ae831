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
        new Moves(full.dims(), sub.size(1), sub.size(2), sub.size(3), s, before)
                .images(Dispatch.storage(full), 0, Dispatch.storage(sub), 0, down);
    }

    /**
     * The positions the op moves between {@code full} {@code [n, c, h, w]} and {@code sub}
     * {@code [n, subC, ho, wo]}: rows and columns {@code 0, s, 2s, ...} of channel {@code ch} to
     * channel {@code before + ch}.
     */
    private record Moves(int[] full, int subC, int ho, int wo, int s, int before) {

        /** From {@code f} to {@code u} when {@code down}, else back; storage of one type, with offsets. */
        void images(Object f, int fOff, Object u, int uOff, boolean down) {
            int c = full[1];
            int h = full[2];
            int w = full[3];
            for (int b = 0; b < full[0]; b++) {
                for (int ch = 0; ch < c; ch++) {
                    for (int i = 0; i < ho; i++) {
                        int fullRow = fOff + ((b * c + ch) * h + i * s) * w;
                        int subRow = uOff + ((b * subC + before + ch) * ho + i) * wo;
                        if (down) {
                            StridedMoves.copy(f, fullRow, s, u, subRow, 1, wo);
                        } else {
                            StridedMoves.copy(u, subRow, 1, f, fullRow, s, wo);
                        }
                    }
                }
            }
        }
    }

    /** The output cleared, then the eager moves, on the arena. */
    @Override
    public void lower(Lowering l) {
        Tensor x0 = input(0);
        Slot x = l.in(x0);
        Slot y = l.out();
        int[] d = y.dims();
        Moves m = new Moves(x0.dims(), d[1], d[2], d[3], stride, before);
        l.step(mem -> {
            java.util.Arrays.fill(mem, y.at(), y.at() + y.size(), 0f);
            m.images(mem, x.at(), mem, y.at(), true);
        });
    }
}
