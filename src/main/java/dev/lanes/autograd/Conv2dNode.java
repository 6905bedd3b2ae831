package dev.lanes.autograd;

import dev.lanes.autograd.internal.Epilogue;
import dev.lanes.autograd.internal.EpilogueHost;
import dev.lanes.autograd.internal.Lowering;
import dev.lanes.autograd.internal.Slot;
import dev.lanes.kernel.internal.Binary;
import dev.lanes.kernel.internal.BlockedConv;
import dev.lanes.kernel.internal.ConvGeometry;
import dev.lanes.kernel.internal.Elementwise;
import dev.lanes.kernel.internal.Parallel;
import dev.lanes.kernel.internal.Scratch;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.BackwardContext;
import dev.lanes.tensor.internal.Dispatch;
import dev.lanes.tensor.internal.GradFn;
import dev.lanes.tensor.internal.StepArena;
import java.util.Arrays;

/**
 * {@code torch.nn.functional.conv2d}. In F32 every pass runs on channel-blocked data
 * ({@link BlockedConv}): each image's input is laid out in blocks of channels as it is padded,
 * and the result laid back out as planes. F64 builds a columns matrix
 * {@code [C_in/g * kH * kW, H_out * W_out]} per image and group (see {@link Im2ColTensors}) and
 * multiplies, {@code y = W_g · cols + b}: the plain reference the F64 gradient checks use. The
 * forward pass and the input gradient split the batch into image ranges across threads.
 * Backward: {@code dW} over fixed ranges of images, each in image order, the ranges added in
 * order; {@code dX} as a convolution with the flipped weights for stride 1, in F32 with other
 * strides or dilations by stride phases ({@link BlockedConv#inputGradient}), in F64 else
 * {@code col2im(W_g^T · dY)}; {@code db} = sums of {@code dY} over N, H and W in a fixed order.
 * So gradients do not depend on the thread count. Inside the engine, the F32 weight gradient runs
 * in the background while the pass goes on, and the stride-1 F32 input gradient is added into the
 * input's pending gradient when the engine offers it ({@link BackwardContext}).
 */
final class Conv2dNode extends GradFn implements EpilogueHost {

    private final ConvGeometry g;
    private final boolean hasBias;

    private Conv2dNode(ConvGeometry g, Tensor x, Tensor w, Tensor b) {
        super("conv2d", "ConvolutionBackward0", b == null ? new Tensor[] {x, w} : new Tensor[] {x, w, b});
        this.g = g;
        this.hasBias = b != null;
    }

    static Tensor apply(Tensor x, Tensor w, Tensor b, int[] stride, int[] padding, int[] dilation, int groups) {
        if (b == null) {
            Dispatch.sameDType("conv2d", x, w);
        } else {
            Dispatch.sameDType("conv2d", x, w, b);
        }
        ConvGeometry g = ConvChecks.geometry(x, w, b, stride, padding, dilation, groups);
        Tensor y = StepArena.empty(x.dtype(), g.n(), g.cOut(), g.hOut(), g.wOut()); // convolve writes it whole
        convolve(g, x, w, b, y);
        return Tape.output("conv2d", y, () -> new Conv2dNode(g, x, w, b),
                b == null ? new Tensor[] {x, w} : new Tensor[] {x, w, b});
    }

    /**
     * {@code y = conv(x, w) + b} into {@code y}: F32 channel-blocked ({@link #blocked}),
     * F64 by im2col and GEMM, images split across threads.
     */
    private static void convolve(ConvGeometry g, Tensor x, Tensor w, Tensor b, Tensor y) {
        if (x.dtype() == DType.F32) {
            blocked(g, x, w, false, y, false);
            if (b != null) {
                addBias(g, b.f32(), y.f32(), 0);
            }
            return;
        }
        int k = g.k();
        int l = g.l();
        int og = g.og();
        int tiles = tiles(g);
        Tensor cols = StepArena.zeros(x.dtype(), tiles * Math.max(1, k * l));
        Parallel.forEach(tiles, t -> {
            int colsOff = t * Math.max(1, k * l);
            for (int n = first(g, tiles, t); n < first(g, tiles, t + 1); n++) {
                if (b != null) {
                    for (int c = 0; c < g.cOut(); c++) {
                        fill(y, (n * g.cOut() + c) * l, l, b.getFlat(c));
                    }
                }
                for (int grp = 0; grp < g.groups(); grp++) {
                    Im2ColTensors.im2col(g, x, (n * g.cIn() + grp * g.cg()) * g.h() * g.w(), cols, colsOff);
                    Dispatch.gemm(false, false, og, l, k, 1, w, grp * og * k, k, cols, colsOff, l,
                            b == null ? 0 : 1, y, (n * g.cOut() + grp * og) * l, l);
                }
            }
        });
    }

    /**
     * {@code y = conv(x, w)}, or {@code y += conv(x, w)} when {@code accumulate}, in F32 on
     * channel-blocked data ({@link BlockedConv}), images split across threads as in the general
     * path (each image's result is the same on any thread). With {@code flipped}, {@code w} is the
     * weight of the stride-1 convolution whose input gradient this is, packed flipped and
     * transposed ({@link BlockedConv#packFlippedWeights}).
     */
    private static void blocked(ConvGeometry g, Tensor x, Tensor w, boolean flipped, Tensor y, boolean accumulate) {
        BlockedConv conv = BlockedConv.of(g);
        float[] packed = StepArena.floats(conv.weightSize()); // the packing writes it whole
        if (flipped) {
            conv.packFlippedWeights(w.f32(), 0, packed);
        } else {
            conv.packWeights(w.f32(), 0, packed);
        }
        int tiles = imageRanges(g);
        float[] xs = x.f32();
        float[] ys = y.f32();
        Parallel.forEach(tiles, t -> {
            // BlockedConv.forward writes the buffers whole for each image.
            float[] padded = Scratch.floats(Scratch.CONV_INPUT, conv.paddedSize());
            float[] out = Scratch.floats(Scratch.CONV_PRODUCT, conv.blockedOutputSize());
            float[] planes = accumulate ? Scratch.floats(Scratch.CONV_PLANES, conv.blockPlanesSize()) : null;
            for (int n = first(g, tiles, t); n < first(g, tiles, t + 1); n++) {
                for (int grp = 0; grp < g.groups(); grp++) {
                    conv.forward(grp, packed, xs, (n * g.cIn() + grp * g.cg()) * g.h() * g.w(), padded, out, planes,
                            ys, (n * g.cOut() + grp * g.og()) * g.l(), accumulate);
                }
            }
        });
    }

    /** Adds each channel's bias to its planes of the images at {@code ys[yOff]}. */
    private static void addBias(ConvGeometry g, float[] bias, float[] ys, int yOff) {
        for (int n = 0; n < g.n(); n++) {
            addImageBias(g, bias, ys, yOff + n * g.cOut() * g.l());
        }
    }

    /** Adds each channel's bias to its plane of the one output image at {@code ys[yOff]}. */
    private static void addImageBias(ConvGeometry g, float[] bias, float[] ys, int yOff) {
        int l = g.l();
        for (int c = 0; c < g.cOut(); c++) {
            float bc = bias[c];
            int row = yOff + c * l;
            for (int i = row; i < row + l; i++) {
                ys[i] += bc;
            }
        }
    }

    /**
     * The number of image ranges the batch is split into: each range runs whole on one thread
     * (with the GEMMs inside it serial), so every image's result is the same for any split.
     */
    private static int tiles(ConvGeometry g) {
        return Math.max(1, Math.min(g.n(), Parallel.threads()));
    }

    /**
     * The image ranges of the F32 forward pass and input gradients: more ranges than threads,
     * claimed as threads free up, so a core slowed by other work delays one short range, not half
     * the batch. Each range has its own small buffers; every image's result is the same on any
     * thread.
     */
    static int imageRanges(ConvGeometry g) {
        return Math.max(1, Math.min(g.n(), 4 * Parallel.threads()));
    }

    /** The first image of range {@code t} of {@code tiles}. */
    static int first(ConvGeometry g, int tiles, int t) {
        return (int) ((long) g.n() * t / tiles);
    }

    private static void fill(Tensor t, int off, int n, double v) {
        if (t.dtype() == DType.F32) {
            Arrays.fill(t.f32(), off, off + n, (float) v);
        } else {
            Arrays.fill(t.f64(), off, off + n, v);
        }
    }

    /**
     * In F64, {@code dW_g += dY_g · cols^T} over the images in order, computed transposed,
     * {@code dW_g^T += cols · dY_g^T}: the columns matrix is then the GEMM's A, read in place,
     * and only the small {@code dY} is packed, rather than the transposed columns matrix as B.
     * The rows of {@code dW^T} (one group and one block of columns-matrix rows per tile) are
     * split into a number of tiles that depends on the shape only, so each element sees the same
     * sums for any thread count.
     */
    private Tensor weightGrad(Tensor x, Tensor w, Tensor dy, BackwardContext context) {
        if (x.dtype() == DType.F32) {
            return blockedWeightGrad(x, dy, w, context);
        }
        int k = g.k();
        int l = g.l();
        int og = g.og();
        int blocks = Math.max(1, Math.min(4, k / 32));
        Tensor dwt = StepArena.zeros(w.dtype(), g.groups() * k * og);
        Tensor cols = StepArena.zeros(x.dtype(), Math.max(1, g.groups() * k * l));
        Parallel.forEach(g.groups() * blocks, t -> {
            int grp = t / blocks;
            int r0 = (int) ((long) k * (t % blocks) / blocks);
            int r1 = (int) ((long) k * (t % blocks + 1) / blocks);
            int colsOff = (grp * k + r0) * l;
            for (int n = 0; n < g.n(); n++) {
                Im2ColTensors.im2col(g, x, (n * g.cIn() + grp * g.cg()) * g.h() * g.w(), r0, r1, cols, colsOff);
                Dispatch.gemm(false, true, r1 - r0, og, l, 1, cols, colsOff, l, dy, (n * g.cOut() + grp * og) * l,
                        l, 1, dwt, (grp * k + r0) * og, og);
            }
        });
        return transposeWeightGrad(dwt, w);
    }

    /** {@code dW} from {@code dW^T} stored per group as {@code [k, og]}. */
    private Tensor transposeWeightGrad(Tensor dwt, Tensor w) {
        int k = g.k();
        int og = g.og();
        Tensor dw = StepArena.zeros(w.dtype(), w.shape());
        for (int grp = 0; grp < g.groups(); grp++) {
            for (int r = 0; r < k; r++) {
                for (int co = 0; co < og; co++) {
                    dw.setFlat((grp * og + co) * k + r, dwt.getFlat((grp * k + r) * og + co));
                }
            }
        }
        return dw;
    }

    /**
     * At most this many image ranges in the F32 weight gradient: more than the usual two or four
     * threads, so that they balance (claimed as threads free up, so a core slowed by other work
     * delays one short range).
     */
    static final int WEIGHT_GRAD_RANGES = 8;

    /**
     * Output pixels a weight-gradient range should cover at least. Each range writes, and the
     * sum then reads, a packed {@code dW} of its own: where the maps are small and the weights
     * many (7x7 maps of 512 channels), that traffic outweighs the products, so such layers cut
     * the batch into fewer, longer ranges.
     */
    private static final int RANGE_PIXELS = 512;

    /** Floats of each range's {@code dW} added per step of the range sum: the sum stays in L1 across the ranges. */
    private static final int SUM_CHUNK = 2048;

    /**
     * @return the image ranges of the F32 weight gradient of {@code g}: a power of two up to
     *         {@link #WEIGHT_GRAD_RANGES} with at least {@link #RANGE_PIXELS} output pixels per
     *         range where the batch allows, never fewer than two (on a batch of two or more) so
     *         that two threads share the work. It depends on the shapes only, so the sums do not
     *         depend on the thread count.
     */
    static int weightGradRanges(ConvGeometry g) {
        long pixels = (long) g.n() * g.l();
        int ranges = 2;
        while (ranges < WEIGHT_GRAD_RANGES && pixels / (2L * ranges) >= RANGE_PIXELS) {
            ranges *= 2;
        }
        return Math.max(1, Math.min(ranges, g.n()));
    }

    /**
     * {@code dW} in F32 on channel-blocked data ({@link BlockedConv#weightGradient}). The batch
     * is cut into {@link #weightGradRanges} ranges of images that depend on the shapes only;
     * each range, on one thread, adds its images in order into a packed {@code dW} of its own.
     * The ranges' results are then added in range order, and the sum unpacked into {@code dW}.
     * Given the engine's context, the loop runs in the background
     * ({@link Parallel#later}) and the returned tensor is filled in by the time the engine reads
     * it; nothing later in the pass writes {@code x} or {@code dY}.
     */
    private Tensor blockedWeightGrad(Tensor x, Tensor dy, Tensor w, BackwardContext context) {
        BlockedConv conv = BlockedConv.of(g);
        float[] xs = x.f32();
        float[] dys = dy.f32();
        return weightGradByRanges(g, conv, w, context, (n, padded, blocked, partial, off) -> {
            for (int grp = 0; grp < g.groups(); grp++) {
                conv.weightGradient(grp, xs, (n * g.cIn() + grp * g.cg()) * g.h() * g.w(), dys,
                        (n * g.cOut() + grp * g.og()) * g.l(), padded, blocked, partial, off);
            }
        });
    }

    /** One image's weight gradient added into the packed {@code partial} at {@code off}. */
    interface ImageWeightGradient {
        void add(int n, float[] padded, float[] blocked, float[] partial, int off);
    }

    /**
     * The ranges of images of {@link #blockedWeightGrad}, each image's share from {@code image},
     * summed in range order and unpacked into a new {@code dW} (in the background with a context).
     */
    static Tensor weightGradByRanges(ConvGeometry g, BlockedConv conv, Tensor w, BackwardContext context,
                                     ImageWeightGradient image) {
        int size = conv.weightSize();
        int ranges = weightGradRanges(g);
        float[] partial = StepArena.floats(Math.multiplyExact(ranges, size));
        Parallel.TileBody ranged = t -> {
            float[] padded = Scratch.floats(Scratch.CONV_WEIGHT_INPUT, conv.paddedSize());
            float[] blocked = Scratch.floats(Scratch.CONV_WEIGHT_GRADIENT, conv.blockedOutputSize());
            Arrays.fill(partial, t * size, (t + 1) * size, 0f);
            for (int n = (int) ((long) g.n() * t / ranges); n < (int) ((long) g.n() * (t + 1) / ranges); n++) {
                image.add(n, padded, blocked, partial, t * size);
            }
        };
        Tensor dw = StepArena.empty(DType.F32, w.shape()); // unpackWeights writes it whole
        Runnable summed = () -> {
            // ((dW_0 + dW_1) + dW_2) + ..., element by element, into the first range's run: a
            // chunk of it takes every range's values before the next chunk, so it is written once.
            Parallel.forRanges(ranges > 1 ? size : 0, SUM_CHUNK, (from, to) -> {
                for (int i = from; i < to; i += SUM_CHUNK) {
                    int n = Math.min(SUM_CHUNK, to - i);
                    for (int t = 1; t < ranges; t++) {
                        Elementwise.binary(Binary.ADD, partial, i, partial, t * size + i, partial, i, n);
                    }
                }
            });
            conv.unpackWeights(partial, dw.f32());
        };
        if (context == null) {
            Parallel.forEach(ranges, ranged);
            summed.run();
        } else {
            context.later(1, Parallel.later(ranges, ranged, summed));
        }
        return dw;
    }

    /** Every gradient is a tensor allocated by {@link #backward}, or the partial sum it was offered. */
    @Override
    protected boolean returnsFreshGradients() {
        return true;
    }

    @Override
    protected Tensor[] backward(Tensor dy) {
        return backward(dy, null);
    }

    @Override
    protected Tensor[] backward(Tensor[] dy, BackwardContext context) {
        return backward(dy[0], context);
    }

    /**
     * @param context the engine's context, or null outside it. With it, the F32 weight gradient
     *                is left to the background ({@link BackwardContext#later}), and the F32
     *                stride-1 input gradient is added into the input's partial sum when one is
     *                offered ({@link BackwardContext#partialSum})
     */
    private Tensor[] backward(Tensor dy, BackwardContext context) {
        Tensor dxSum = context == null ? null : context.partialSum(0);
        Tensor x = input(0);
        Tensor w = input(1);
        int k = g.k();
        int l = g.l();
        int og = g.og();
        Tensor[] grads = new Tensor[hasBias ? 3 : 2];
        if (needsGrad(1)) {
            grads[1] = weightGrad(x, w, dy, context);
        }
        ConvGeometry transposed = needsGrad(0) ? transposedGeometry(g) : null;
        if (transposed != null) {
            grads[0] = inputGradAsConvolution(transposed, x, w, dy, x.dtype() == DType.F32 ? dxSum : null);
        } else if (needsGrad(0) && x.dtype() == DType.F32) {
            grads[0] = blockedInputGrad(x, w, dy);
        } else if (needsGrad(0)) {
            Tensor dx = StepArena.zeros(x.dtype(), x.shape());
            int tiles = tiles(g);
            Tensor dcols = StepArena.zeros(x.dtype(), tiles * Math.max(1, k * l));
            Parallel.forEach(tiles, t -> {
                int colsOff = t * Math.max(1, k * l);
                for (int n = first(g, tiles, t); n < first(g, tiles, t + 1); n++) {
                    for (int grp = 0; grp < g.groups(); grp++) {
                        Dispatch.gemm(true, false, k, l, og, 1, w, grp * og * k, k, dy,
                                (n * g.cOut() + grp * og) * l, l, 0, dcols, colsOff, l);
                        Im2ColTensors.col2im(g, dcols, colsOff, dx, (n * g.cIn() + grp * g.cg()) * g.h() * g.w());
                    }
                }
            });
            grads[0] = dx;
        }
        if (hasBias && needsGrad(2)) {
            Tensor db = StepArena.zeros(dy.dtype(), g.cOut());
            for (int c = 0; c < g.cOut(); c++) {
                double s = 0;
                for (int n = 0; n < g.n(); n++) {
                    s += Dispatch.sum(dy, (n * g.cOut() + c) * l, l);
                }
                db.setFlat(c, s);
            }
            grads[2] = db;
        }
        return grads;
    }

    /**
     * With stride 1, the input gradient is itself a convolution: {@code dY} convolved with the
     * weights flipped in both spatial axes and with input and output channels swapped, padded by
     * {@code d (k - 1) - p}. It runs as im2col + GEMM like the forward pass, which for "same"
     * convolutions copies whole taps instead of scattering each element back as col2im does.
     * Each element of {@code dX} is still one fixed dot product, so the result does not depend
     * on the thread count.
     *
     * @return the geometry of that convolution (input {@code dY}, output {@code dX}), or null
     *         when the stride is not 1 or the padding would be negative
     */
    static ConvGeometry transposedGeometry(ConvGeometry g) {
        int pH = g.dH() * (g.kH() - 1) - g.pH();
        int pW = g.dW() * (g.kW() - 1) - g.pW();
        if (g.sH() != 1 || g.sW() != 1 || pH < 0 || pW < 0) {
            return null;
        }
        return ConvGeometry.of(g.n(), g.cOut(), g.hOut(), g.wOut(), g.cIn(), g.groups(), g.kH(), g.kW(), 1, 1, pH, pW,
                g.dH(), g.dW());
    }

    /**
     * The F32 input gradient of a strided or dilated convolution on channel-blocked data, stride
     * phase by stride phase ({@link BlockedConv#inputGradient}): each image's {@code dX} from its {@code dY},
     * images split across threads; each element is a fixed sum, so the result does not depend on
     * the thread count.
     */
    private Tensor blockedInputGrad(Tensor x, Tensor w, Tensor dy) {
        BlockedConv conv = BlockedConv.of(g);
        float[] packed = StepArena.floats(conv.weightSize()); // packInputGradientWeights writes it whole
        conv.packInputGradientWeights(w.f32(), 0, packed);
        Tensor dx = StepArena.empty(DType.F32, x.shape()); // inputGradient writes each image whole
        float[] dxs = dx.f32();
        float[] dys = dy.f32();
        int tiles = imageRanges(g);
        Parallel.forEach(tiles, t -> {
            float[] layout = Scratch.floats(Scratch.CONV_PRODUCT, conv.gradientLayoutSize());
            float[] padded = Scratch.floats(Scratch.CONV_INPUT, conv.paddedSize());
            for (int n = first(g, tiles, t); n < first(g, tiles, t + 1); n++) {
                for (int grp = 0; grp < g.groups(); grp++) {
                    conv.inputGradient(grp, packed, dys, (n * g.cOut() + grp * g.og()) * g.l(), layout, padded, dxs,
                            (n * g.cIn() + grp * g.cg()) * g.h() * g.w());
                }
            }
        });
        return dx;
    }

    /**
     * @param t   {@link #transposedGeometry} of this node's geometry
     * @param sum null, or an F32 tensor shaped like x to add the gradient into and return
     */
    private Tensor inputGradAsConvolution(ConvGeometry t, Tensor x, Tensor w, Tensor dy, Tensor sum) {
        if (dy.dtype() == DType.F32) {
            // The blocked convolution packs the flipped weights straight from w.
            Tensor dx = sum != null ? sum : StepArena.empty(x.dtype(), x.shape()); // written whole unless summed into
            blocked(t, dy, w, true, dx, sum != null);
            return dx;
        }
        Tensor dx = StepArena.empty(x.dtype(), x.shape());
        convolve(t, dy, flipped(g, w), null, dx);
        return dx;
    }

    /**
     * The weights of the stride-1 input gradient's convolution: flipped in both spatial axes,
     * input and output channels swapped, {@code flipped[grp][ci][co][i][j] = w[grp * og + co][ci][kH - 1 - i][kW - 1 - j]}.
     */
    static Tensor flipped(ConvGeometry g, Tensor w) {
        int taps = g.kH() * g.kW();
        int og = g.og();
        int cg = g.cg();
        Tensor flipped = StepArena.empty(w.dtype(), g.groups() * cg * og * taps); // every element is set below
        boolean single = w.dtype() == DType.F32;
        float[] fs = single ? w.f32() : null;
        float[] fd = single ? flipped.f32() : null;
        double[] ds = single ? null : w.f64();
        double[] dd = single ? null : flipped.f64();
        for (int grp = 0; grp < g.groups(); grp++) {
            for (int co = 0; co < og; co++) {
                for (int ci = 0; ci < cg; ci++) {
                    int src = ((grp * og + co) * cg + ci) * taps;
                    int last = ((grp * cg + ci) * og + co) * taps + taps - 1;
                    for (int tap = 0; tap < taps; tap++) {
                        if (single) {
                            fd[last - tap] = fs[src + tap];
                        } else {
                            dd[last - tap] = ds[src + tap];
                        }
                    }
                }
            }
        }
        return flipped;
    }

    /**
     * The F32 channel-blocked forward image by image and group, on weights packed once at capture,
     * whatever the traced dtype; padded input and blocked output in the arena. Each image's bias
     * and fused consumers run right after its convolution.
     */
    @Override
    public void lower(Lowering l) {
        BlockedConv conv = BlockedConv.of(g);
        float[] packed = new float[conv.weightSize()];
        conv.packWeights(l.constant(input(1)), 0, packed);
        float[] bias = hasBias ? l.constant(input(2)) : null;
        Slot x = l.in(input(0));
        Slot y = l.out();
        Slot padded = l.scratch(conv.paddedSize());
        Slot blocked = l.scratch(conv.blockedOutputSize());
        Epilogue work = l.epilogue();
        int yImage = g.cOut() * g.l();
        l.step(mem -> {
            for (int n = 0; n < g.n(); n++) {
                int yAt = y.at() + n * yImage;
                for (int grp = 0; grp < g.groups(); grp++) {
                    conv.forward(grp, packed, mem, x.at() + (n * g.cIn() + grp * g.cg()) * g.h() * g.w(), mem,
                            padded.at(), mem, blocked.at(), mem, yAt + grp * g.og() * g.l());
                }
                if (bias != null) {
                    addImageBias(g, bias, mem, yAt);
                }
                if (work != null) {
                    work.apply(mem, yAt, yAt, n * yImage, yImage);
                }
            }
        });
    }
}
