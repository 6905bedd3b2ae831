package dev.lanes.autograd;

import dev.lanes.autograd.internal.Epilogue;
import dev.lanes.autograd.internal.EpilogueHost;
import dev.lanes.autograd.internal.Lowering;
import dev.lanes.autograd.internal.Slot;
import dev.lanes.autograd.internal.Split;
import dev.lanes.autograd.internal.Splitter;
import dev.lanes.kernel.internal.BlockedConv;
import dev.lanes.kernel.internal.ConvGeometry;
import dev.lanes.kernel.internal.NormKernels.BlockedTerm;
import dev.lanes.kernel.internal.Norms;
import dev.lanes.kernel.internal.Parallel;
import dev.lanes.kernel.internal.Scratch;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.BackwardContext;
import dev.lanes.tensor.internal.GradFn;
import dev.lanes.tensor.internal.StepArena;

/**
 * {@code conv2d} (one group) on channel-blocked activations ({@code ChannelBlocked}): the
 * passes of {@link Conv2dNode}'s F32 path without laying the data out as planes and back, so the
 * same kernel calls on the same values give the same bits. Images split across threads as
 * there; {@code dW} over the same fixed ranges of images; {@code dX} as the flipped convolution
 * for stride 1, by stride phases otherwise.
 */
final class BlockedConv2dNode extends GradFn implements EpilogueHost {

    private final ConvGeometry g;
    private final int block;
    private final boolean hasBias;

    private BlockedConv2dNode(ConvGeometry g, int block, Tensor x, Tensor w, Tensor b) {
        super("conv2d", "ConvolutionBackward0", b == null ? new Tensor[] {x, w} : new Tensor[] {x, w, b});
        this.g = g;
        this.block = block;
        this.hasBias = b != null;
    }

    static Tensor apply(Tensor x, Tensor w, Tensor b, int[] stride, int[] padding, int[] dilation) {
        String op = "conv2d (channel-blocked)";
        int block = ChannelBlockedOps.checkBlocked(op, x);
        if (w.rank() != 4 || w.dtype() != DType.F32) {
            throw new IllegalArgumentException(op + ": expected an F32 weight [C_out, C_in, kH, kW], got " + w.dtype()
                    + " " + w.shape());
        }
        ChannelBlockedOps.checkChannels(op, x, w.size(1));
        if (b != null && (b.rank() != 1 || b.size(0) != w.size(0) || b.dtype() != DType.F32)) {
            throw new IllegalArgumentException(op + ": expected an F32 bias [" + w.size(0) + "], got " + b.dtype() + " "
                    + b.shape());
        }
        ConvGeometry g = ConvGeometry.of(x.size(0), w.size(1), x.size(2), x.size(3), w.size(0), 1, w.size(2),
                w.size(3), stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1]);
        Tensor y = StepArena.empty(DType.F32, g.n(), Math.ceilDiv(g.cOut(), block), g.hOut(), g.wOut(), block);
        forward(g, block, x, w, y);
        if (b != null) {
            addBias(g, block, b.f32(), y.f32(), 0, 0, y.numel());
        }
        Tensor[] inputs = b == null ? new Tensor[] {x, w} : new Tensor[] {x, w, b};
        return Tape.output(op, y, () -> new BlockedConv2dNode(g, block, x, w, b), inputs);
    }

    /** {@code y = conv(x, w)}, blocked images in, blocked images out, written whole. */
    private static void forward(ConvGeometry g, int block, Tensor x, Tensor w, Tensor y) {
        BlockedConv conv = BlockedConv.of(g, block);
        float[] packed = StepArena.floats(conv.weightSize()); // packWeights writes it whole
        conv.packWeights(w.f32(), 0, packed);
        int tiles = Conv2dNode.imageRanges(g);
        float[] xs = x.f32();
        float[] ys = y.f32();
        int xImage = x.numel() / Math.max(1, g.n());
        int yImage = y.numel() / Math.max(1, g.n());
        Parallel.forEach(tiles, t -> {
            float[] padded = Scratch.floats(Scratch.CONV_INPUT, conv.paddedSize());
            for (int n = Conv2dNode.first(g, tiles, t); n < Conv2dNode.first(g, tiles, t + 1); n++) {
                conv.forwardBlocked(packed, xs, n * xImage, padded, ys, n * yImage);
            }
        });
    }

    /**
     * Adds each channel's bias to its lane of the whole pixels {@code [index, index + n)} of
     * blocked images, at {@code ys[at]}, element by element (the NCHW path's additions); lanes
     * past the channels stay as they are.
     */
    private static void addBias(ConvGeometry g, int block, float[] bias, float[] ys, int at, int index, int n) {
        int segment = g.l() * block;
        int blocks = Math.ceilDiv(g.cOut(), block);
        for (int i = 0; i < n; ) {
            int k = (index + i) / segment % blocks;
            int end = Math.min(n, i + segment - (index + i) % segment);
            int valid = Math.min(block, g.cOut() - k * block);
            for (; i < end; i += block) {
                for (int lane = 0; lane < valid; lane++) {
                    ys[at + i + lane] += bias[k * block + lane];
                }
            }
        }
    }

    /** Every gradient is a tensor allocated by {@link #backward}. */
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

    private Tensor[] backward(Tensor dy, BackwardContext context) {
        Tensor x = input(0);
        Tensor w = input(1);
        Tensor[] grads = new Tensor[hasBias ? 3 : 2];
        float[] dys = dy.f32();
        int xImage = x.numel() / Math.max(1, g.n());
        int yImage = dy.numel() / Math.max(1, g.n());
        if (needsGrad(1)) {
            BlockedConv conv = BlockedConv.of(g, block);
            float[] xs = x.f32();
            grads[1] = Conv2dNode.weightGradByRanges(g, conv, w, context, (n, padded, blocked, partial, off) ->
                    conv.weightGradientBlocked(xs, n * xImage, dys, n * yImage, padded, partial, off));
        }
        if (needsGrad(0)) {
            grads[0] = inputGrad(x, w, dys, xImage, yImage);
        }
        if (hasBias && needsGrad(2)) {
            grads[2] = biasGrad(dys, yImage);
        }
        return grads;
    }

    /** {@code dX}: the flipped convolution of {@code dY} for stride 1, else by stride phases; images across threads. */
    private Tensor inputGrad(Tensor x, Tensor w, float[] dys, int xImage, int yImage) {
        Tensor dx = StepArena.empty(DType.F32, x.shape()); // each image is written whole
        float[] dxs = dx.f32();
        ConvGeometry t = Conv2dNode.transposedGeometry(g);
        BlockedConv conv = BlockedConv.of(t == null ? g : t, block);
        float[] packed = StepArena.floats(conv.weightSize()); // the packing writes it whole
        if (t != null) {
            conv.packFlippedWeights(w.f32(), 0, packed);
        } else {
            conv.packInputGradientWeights(w.f32(), 0, packed);
        }
        int tiles = Conv2dNode.imageRanges(g);
        Parallel.forEach(tiles, tile -> {
            float[] padded = Scratch.floats(Scratch.CONV_INPUT, conv.paddedSize());
            float[] layout = t != null ? null : Scratch.floats(Scratch.CONV_PRODUCT, conv.gradientLayoutSize());
            for (int n = Conv2dNode.first(g, tiles, tile); n < Conv2dNode.first(g, tiles, tile + 1); n++) {
                if (t != null) {
                    conv.forwardBlocked(packed, dys, n * yImage, padded, dxs, n * xImage);
                } else {
                    conv.inputGradientBlocked(packed, dys, n * yImage, layout, padded, dxs, n * xImage);
                }
            }
        });
        return dx;
    }

    /** {@code db}: per channel, the sums of each image's plane added in image order, as in {@link Conv2dNode}. */
    private Tensor biasGrad(float[] dys, int yImage) {
        int blocks = Math.ceilDiv(g.cOut(), block);
        int l = g.l();
        double[] sums = StepArena.doubles(blocks * block);
        java.util.Arrays.fill(sums, 0d);
        float[] lanes = StepArena.floats(block); // written whole by each sum
        for (int n = 0; n < g.n(); n++) {
            for (int ob = 0; ob < blocks; ob++) {
                Norms.blockedChannelSums(BlockedTerm.PLAIN, block, 1, l, dys, null, n * yImage + ob * l * block, 0,
                        null, null, 0, lanes);
                for (int lane = 0; lane < block; lane++) {
                    sums[ob * block + lane] += lanes[lane];
                }
            }
        }
        Tensor db = StepArena.zeros(DType.F32, g.cOut());
        for (int c = 0; c < g.cOut(); c++) {
            db.setFlat(c, sums[c]);
        }
        return db;
    }

    /**
     * The eager forward's kernel calls image by image, on weights packed once at capture, with
     * each image's output rows a split (runs of rows times pairs of output blocks); each tile adds
     * the bias and runs the fused consumers on the rows it wrote. Spread over threads, the tiles
     * of a padded convolution pad the input rows they read themselves, so each thread reads rows
     * it mostly wrote itself; on one thread the image is padded once and the tiles run block pair
     * by block pair, keeping a pair's weights in cache. Every output row is the same kernel call
     * either way: the same bits.
     */
    @Override
    public void lower(Lowering l) {
        Tensor x0 = input(0);
        BlockedConv conv = BlockedConv.of(g, block);
        float[] packed = new float[conv.weightSize()];
        conv.packWeights(l.constant(input(1)), 0, packed);
        float[] bias = hasBias ? l.constant(input(2)) : null;
        Slot x = l.in(x0);
        Slot y = l.out();
        boolean ownRows = conv.tilesPadTheirRows();
        boolean pads = !conv.tilesReadInPlace();
        int tiles = conv.forwardTiles();
        int tileScratch = ownRows ? conv.tileScratchSize() : 0;
        Slot padded = l.scratch(Math.max(pads ? conv.paddedSize() : 0, Math.multiplyExact(tiles, tileScratch)));
        int images = g.n();
        int xImage = x.size() / Math.max(1, images);
        int yImage = y.size() / Math.max(1, images);
        Epilogue work = Epilogue.then(bias == null ? null
                : (mem, from, to, index, n) -> {
                    if (from != to) {
                        System.arraycopy(mem, from, mem, to, n);
                    }
                    addBias(g, block, bias, mem, to, index, n);
                }, l.epilogue());
        // A tile reading the image as given (padded once, or read in place), and one padding its own rows.
        Split.Tile fromImage = (mem, t, in, out) -> {
            conv.forwardBlockedTile(t, packed, mem, in, mem, out);
            finishTile(conv, work, y, mem, t, out);
        };
        Split rows = l.split(tiles, !ownRows ? fromImage : (mem, t, in, out) -> {
            conv.forwardBlockedTile(t, packed, mem, in, mem, padded.at() + t * tileScratch, mem, out);
            finishTile(conv, work, y, mem, t, out);
        });
        l.splitStep((mem, splitter) -> {
            boolean serial = splitter == Splitter.SERIAL;
            for (int n = 0; n < images; n++) {
                int in = x.at() + n * xImage;
                int out = y.at() + n * yImage;
                if (pads && (serial || !ownRows)) {
                    conv.padForTiles(mem, in, mem, padded.at());
                    in = padded.at();
                }
                if (!serial) {
                    splitter.run(rows, mem, in, out);
                    continue;
                }
                for (int i = 0; i < tiles; i++) {
                    fromImage.run(mem, conv.forwardTileByBlocks(i), in, out);
                }
            }
        });
    }

    /** Runs {@code work} (when not null) on the output runs tile {@code tile} wrote into the image at {@code out}. */
    private static void finishTile(BlockedConv conv, Epilogue work, Slot y, float[] mem, int tile, int out) {
        if (work == null) {
            return;
        }
        int n = conv.forwardTileRunLength(tile);
        for (int r = 0; r < conv.forwardTileRuns(tile); r++) {
            int at = out + conv.forwardTileRunStart(tile, r);
            work.apply(mem, at, at, at - y.at(), n);
        }
    }
}
