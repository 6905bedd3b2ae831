package dev.lanes.autograd;

import dev.lanes.autograd.internal.Lowerable;
import dev.lanes.autograd.internal.Lowering;
import dev.lanes.autograd.internal.Slot;
import dev.lanes.kernel.internal.Parallel;
import dev.lanes.kernel.internal.PoolWindow;
import dev.lanes.kernel.internal.Reductions;
import dev.lanes.kernel.internal.Scratch;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.GradFn;
import dev.lanes.tensor.internal.StepArena;

/**
 * {@link MaxPool2dNode} on channel-blocked activations ({@code ChannelBlocked}), by
 * {@link Reductions#blockedMaxPool}: each lane scans its window in the same row-major order with
 * the same rule (the first maximum; a NaN wins and each later NaN takes over), so the maxima and
 * their positions are those of the NCHW op. Backward
 * adds each output's gradient at its position in double, outputs in order, and rounds once, as the
 * NCHW op does. One image and block of channels per task.
 */
final class BlockedMaxPool2dNode extends GradFn implements Lowerable {

    private final PoolWindow p;
    private int[] argmax;

    private BlockedMaxPool2dNode(Tensor x, PoolWindow p, int[] argmax) {
        super("maxPool2d", "MaxPool2DWithIndicesBackward0", x);
        this.p = p;
        this.argmax = argmax;
    }

    static Tensor apply(Tensor x, int channels, int[] kernel, int[] stride, int[] padding, int[] dilation,
                        boolean ceilMode) {
        String op = "maxPool2d (channel-blocked)";
        int block = ChannelBlockedOps.checkBlocked(op, x);
        ChannelBlockedOps.checkChannels(op, x, channels);
        PoolWindow p = MaxPool2dNode.window(op, x, x.size(2), x.size(3), kernel, stride, padding, dilation, ceilMode);
        int planes = x.size(0) * x.size(1);
        Tensor y = StepArena.empty(DType.F32, x.size(0), x.size(1), p.hOut(), p.wOut(), block); // written whole
        int[] arg = StepArena.ints(y.numel()); // every position is written
        float[] xs = x.f32();
        float[] ys = y.f32();
        int in = p.h() * p.w() * block;
        int out = p.hOut() * p.wOut() * block;
        Parallel.forEach(planes, t -> Reductions.blockedMaxPool(p, block, xs, t * in, ys, t * out, arg, t * out));
        return Tape.output(op, y, () -> new BlockedMaxPool2dNode(x, p, arg), x);
    }

    /** Every gradient is a tensor allocated by {@link #backward}. */
    @Override
    protected boolean returnsFreshGradients() {
        return true;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor x = input(0);
        int block = x.size(4);
        Tensor dx = StepArena.empty(DType.F32, x.shape()); // written whole
        float[] gs = g.f32();
        float[] dxs = dx.f32();
        int in = p.h() * p.w() * block;
        int out = p.hOut() * p.wOut() * block;
        Parallel.forEach(x.size(0) * x.size(1), t -> {
            double[] sums = Scratch.doubles(Scratch.POOL_GRADIENT, in);
            java.util.Arrays.fill(sums, 0, in, 0d);
            for (int o = 0; o < out; o++) {
                sums[argmax[t * out + o] * block + o % block] += gs[t * out + o];
            }
            for (int i = 0; i < in; i++) {
                dxs[t * in + i] = (float) sums[i];
            }
        });
        return new Tensor[] {dx};
    }

    @Override
    protected void release() {
        super.release();
        argmax = null;
    }

    /** The eager scan block by block, without the positions (a plan has no backward). */
    @Override
    public void lower(Lowering l) {
        Tensor x0 = input(0);
        int block = x0.size(4);
        int planes = x0.size(0) * x0.size(1);
        int in = p.h() * p.w() * block;
        int out = p.hOut() * p.wOut() * block;
        Slot x = l.in(x0);
        Slot y = l.out();
        l.step(mem -> {
            for (int t = 0; t < planes; t++) {
                Reductions.blockedMaxPool(p, block, mem, x.at() + t * in, mem, y.at() + t * out, null, 0);
            }
        });
    }
}
