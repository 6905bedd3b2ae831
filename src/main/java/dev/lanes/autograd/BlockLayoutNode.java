package dev.lanes.autograd;

import dev.lanes.autograd.internal.Lowerable;
import dev.lanes.autograd.internal.Lowering;
import dev.lanes.autograd.internal.Slot;
import dev.lanes.kernel.internal.Parallel;
import dev.lanes.kernel.internal.Transpose;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.GradFn;
import dev.lanes.tensor.internal.StepArena;

/**
 * The layout changes at the edges of a channel-blocked model: NCHW planes to blocks of
 * {@code B} channels ({@code [N, ceil(C / B), H, W, B]}, zero past {@code C}) and back. Each is
 * the other's backward pass; both only copy, images split across threads.
 */
final class BlockLayoutNode extends GradFn implements Lowerable {

    private final boolean toBlocked;
    private final int channels;
    private final int block;

    private BlockLayoutNode(Tensor x, boolean toBlocked, int channels, int block) {
        super(toBlocked ? "toBlocked" : "toPlanes", "CloneBackward0", x);
        this.toBlocked = toBlocked;
        this.channels = channels;
        this.block = block;
    }

    static Tensor toBlocked(Tensor x, int block) {
        if (x.dtype() != DType.F32 || x.rank() != 4 || x.numel() == 0) {
            throw new IllegalArgumentException("toBlocked: expected a non-empty F32 tensor [N, C, H, W], got "
                    + x.dtype() + " " + x.shape());
        }
        int c = x.size(1);
        Tensor y = blocked(x.size(0), c, x.size(2) * x.size(3), block, x.size(2), x.size(3));
        planesToBlocks(x.f32(), y.f32(), x.size(0), c, x.size(2) * x.size(3), block);
        return Tape.output("toBlocked", y, () -> new BlockLayoutNode(x, true, c, block), x);
    }

    static Tensor toPlanes(Tensor x, int channels) {
        int block = ChannelBlockedOps.checkBlocked("toPlanes", x);
        ChannelBlockedOps.checkChannels("toPlanes", x, channels);
        Tensor y = StepArena.empty(DType.F32, x.size(0), channels, x.size(2), x.size(3)); // written whole
        blocksToPlanes(x.f32(), y.f32(), x.size(0), channels, x.size(2) * x.size(3), block);
        return Tape.output("toPlanes", y, () -> new BlockLayoutNode(x, false, channels, block), x);
    }

    /** A blocked tensor, written whole by {@link #imageToBlocks}. */
    private static Tensor blocked(int n, int c, int plane, int block, int h, int w) {
        return StepArena.empty(DType.F32, n, Math.ceilDiv(c, block), h, w, block);
    }

    private static void planesToBlocks(float[] x, float[] y, int n, int c, int plane, int block) {
        int blocks = Math.ceilDiv(c, block);
        Parallel.forEach(n, i -> imageToBlocks(x, i * c * plane, y, i * blocks * plane * block, c, plane, block));
    }

    private static void blocksToPlanes(float[] x, float[] y, int n, int c, int plane, int block) {
        int blocks = Math.ceilDiv(c, block);
        Parallel.forEach(n, i -> imageToPlanes(x, i * blocks * plane * block, y, i * c * plane, c, plane, block));
    }

    /** One image's {@code c} planes at {@code x[xOff]} as blocks at {@code y[yOff]}, lanes past {@code c} zero. */
    private static void imageToBlocks(float[] x, int xOff, float[] y, int yOff, int c, int plane, int block) {
        int blocks = Math.ceilDiv(c, block);
        if (c % block != 0) {
            int last = yOff + (blocks - 1) * plane * block;
            java.util.Arrays.fill(y, last, last + plane * block, 0f);
        }
        for (int cb = 0; cb < blocks; cb++) {
            int rows = Math.min(block, c - cb * block);
            Transpose.stranspose(rows, plane, x, xOff + cb * block * plane, plane, plane, 0, y,
                    yOff + cb * plane * block, block);
        }
    }

    /** One blocked image at {@code x[xOff]} as its {@code c} planes at {@code y[yOff]}. */
    private static void imageToPlanes(float[] x, int xOff, float[] y, int yOff, int c, int plane, int block) {
        int blocks = Math.ceilDiv(c, block);
        for (int cb = 0; cb < blocks; cb++) {
            int cols = Math.min(block, c - cb * block);
            Transpose.stranspose(plane, cols, x, xOff + cb * plane * block, block, cols, 0, y,
                    yOff + cb * block * plane, plane);
        }
    }

    /** Every gradient is a tensor allocated by {@link #backward}. */
    @Override
    protected boolean returnsFreshGradients() {
        return true;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor x = input(0);
        int n = x.size(0);
        int plane = x.size(2) * x.size(3);
        if (toBlocked) {
            Tensor dx = StepArena.empty(DType.F32, x.shape()); // written whole
            blocksToPlanes(g.f32(), dx.f32(), n, channels, plane, block);
            return new Tensor[] {dx};
        }
        Tensor dx = blocked(n, channels, plane, block, x.size(2), x.size(3));
        planesToBlocks(g.f32(), dx.f32(), n, channels, plane, block);
        return new Tensor[] {dx};
    }

    /** The eager copies image by image. */
    @Override
    public void lower(Lowering l) {
        Tensor x0 = input(0);
        int images = x0.size(0);
        int plane = x0.size(2) * x0.size(3);
        int blockedImage = Math.ceilDiv(channels, block) * plane * block;
        int planesImage = channels * plane;
        Slot x = l.in(x0);
        Slot y = l.out();
        l.step(mem -> {
            for (int i = 0; i < images; i++) {
                if (toBlocked) {
                    imageToBlocks(mem, x.at() + i * planesImage, mem, y.at() + i * blockedImage, channels, plane, block);
                } else {
                    imageToPlanes(mem, x.at() + i * blockedImage, mem, y.at() + i * planesImage, channels, plane, block);
                }
            }
        });
    }
}
