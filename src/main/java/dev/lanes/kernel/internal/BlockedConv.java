package dev.lanes.kernel.internal;

import java.util.Arrays;

/**
 * The F32 convolution on channel-blocked data: one image and one group at a time, its input
 * planes are laid out as blocks of {@code B} channels ({@code [block][H + 2pH][W + 2pW][B]},
 * zero-padded, so the kernels never test an edge), and the provider's {@link ConvKernels} run
 * along output rows with one vector of output channels per pixel. Weights are packed once per
 * call as {@code [group][outBlock][inBlock][kH][kW][B in][B out]}; channels past a group's count
 * are zero in both. The result is laid back out as planes.
 *
 * <ul>
 *   <li>{@link #forward}: {@code y (+)= conv(x, w)}. The input gradient of a stride-1
 *       convolution is this on {@code dY} with the flipped, transposed weights (the caller
 *       builds that geometry).
 *   <li>{@link #inputGradient}: any stride. With dilation 1, stride phase by stride phase:
 *       the input positions of one phase ({@code r mod sH}, {@code r' mod sW}) take only the
 *       taps of that phase, so each phase is a stride-1 convolution of {@code dY} with those taps
 *       reversed, written to every {@code sH}-th row and {@code sW}-th column. With dilation,
 *       tap by tap: the output gradient times that tap's weights (a 1x1 convolution) is added
 *       into the strided positions of a zero-padded input gradient, taps in order.
 *   <li>{@link #weightGradient}: added into a packed {@code dW} row by row, each element summing
 *       its pixels in order.
 * </ul>
 *
 * Each method is one image's work on the calling thread, with buffers the caller owns
 * ({@link #paddedSize}, {@link #blockedOutputSize}, {@link #gradientLayoutSize}); callers split
 * images across threads. The {@code ...Blocked} variants take and give channel-blocked images
 * ({@code [block][H][W][B]}) instead of planes, for models that keep that layout between layers.
 */
public final class BlockedConv {

    /** Output rows per tile of {@link #forwardBlockedTile}. */
    private static final int TILE_ROWS = 4;
    /** At most this many padded images' worth of floats for the tiles that pad their own rows. */
    private static final int MAX_TILE_PADDING = 4;

    private final ConvKernels kernels;
    private final ConvGeometry g;
    private final int b;
    private final int inBlocks;
    private final int outBlocks;
    private final int hp;
    private final int wp;
    /**
     * Whether the input gradient is gathered phase by phase (dilation 1), else scattered tap by
     * tap; and the layout of the output gradient it reads: blocks of {@code dyRows x dyCols}
     * pixels, {@code dY} from row {@code dyTop} and column {@code dyLeft}, zero around.
     */
    private final boolean phased;
    private final int dyTop;
    private final int dyLeft;
    private final int dyRows;
    private final int dyCols;

    private BlockedConv(ConvKernels kernels, ConvGeometry g, int block) {
        this.kernels = kernels;
        this.g = g;
        this.b = block;
        this.inBlocks = Math.ceilDiv(g.cg(), b);
        this.outBlocks = Math.ceilDiv(g.og(), b);
        this.hp = g.h() + 2 * g.pH();
        this.wp = g.w() + 2 * g.pW();
        this.phased = g.dH() == 1 && g.dW() == 1;
        // A phase's taps read dY rows u - k for k < ceil(kH / sH), u up to ceil(hp / sH) - 1.
        this.dyTop = phased ? Math.ceilDiv(g.kH(), g.sH()) - 1 : 0;
        this.dyLeft = phased ? Math.ceilDiv(g.kW(), g.sW()) - 1 : 0;
        this.dyRows = dyTop + (phased ? Math.max(g.hOut(), Math.ceilDiv(hp, g.sH())) : g.hOut());
        this.dyCols = dyLeft + (phased ? Math.max(g.wOut(), Math.ceilDiv(wp, g.sW())) : g.wOut());
    }

    /** @return the blocked convolution of {@code g} on the current provider */
    public static BlockedConv of(ConvGeometry g) {
        return of(Providers.provider(), g);
    }

    /** @return the blocked convolution of {@code g} on {@code provider}, in its preferred block */
    public static BlockedConv of(KernelProvider provider, ConvGeometry g) {
        return new BlockedConv(provider.conv(), g, provider.conv().block());
    }

    /** @return the blocked convolution of {@code g} in blocks of {@code block} channels, on the current provider */
    public static BlockedConv of(ConvGeometry g, int block) {
        return new BlockedConv(Providers.provider().conv(), g, block);
    }

    /** @return the floats of the packed weights (all groups) */
    public int weightSize() {
        return Math.multiplyExact(g.groups() * outBlocks * inBlocks * g.kH() * g.kW(), b * b);
    }

    /** @return the floats of one image's padded, blocked input (one group) */
    public int paddedSize() {
        return Math.multiplyExact(inBlocks * hp * wp, b);
    }

    /** @return the floats of one image's blocked output (one group), or of its blocked output gradient */
    public int blockedOutputSize() {
        return Math.multiplyExact(outBlocks * g.hOut() * g.wOut(), b);
    }

    /** @return the floats of one image's output gradient as {@link #inputGradient} lays it out (one group) */
    public int gradientLayoutSize() {
        return Math.multiplyExact(outBlocks * dyRows * dyCols, b);
    }

    /** @return the floats of one block of output planes ({@code B * H_out * W_out}) */
    public int blockPlanesSize() {
        return Math.multiplyExact(b, g.hOut() * g.wOut());
    }

    /** The offset of group {@code grp}'s packed weights. */
    private int groupWeights(int grp) {
        return grp * (weightSize() / g.groups());
    }

    /**
     * Packs {@code w [C_out][C_in / groups][kH][kW]} (from {@code wOff}) for {@link #forward}:
     * {@code dst[grp][ob][ib][a][c'][ci][co] = w[grp*og + ob*B + co][ib*B + ci][a][c']}, zero
     * past the channel counts. Writes {@code dst} whole ({@link #weightSize} floats).
     */
    public void packWeights(float[] w, int wOff, float[] dst) {
        moveWeights(w, wOff, dst, Move.PACK);
    }

    /**
     * Packs for {@link #forward} the weights of the stride-1 convolution whose input gradient this
     * convolution is: {@code w [groups * cg][og][kH][kW]} (that convolution's output and input
     * channels, this one's input and output channels, from {@code wOff}) flipped in both spatial
     * axes, {@code dst[grp][ob][ib][a][c'][ci][co] = w[grp*cg + ib*B + ci][ob*B + co][kH-1-a][kW-1-c']}.
     * Writes {@code dst} whole ({@link #weightSize} floats).
     */
    public void packFlippedWeights(float[] w, int wOff, float[] dst) {
        moveWeights(w, wOff, dst, Move.PACK_FLIPPED);
    }

    /** The inverse of {@link #packWeights}: writes {@code w [C_out][C_in / groups][kH][kW]} whole. */
    public void unpackWeights(float[] packed, float[] w) {
        moveWeights(w, 0, packed, Move.UNPACK);
    }

    /** Packed weights below this many floats are moved on the calling thread: waking a worker costs more. */
    private static final int SPLIT_WEIGHTS = 1 << 16;

    /** @return whether moving the weights goes across threads, by blocks of output channels */
    private boolean splitsWeights() {
        return weightSize() >= SPLIT_WEIGHTS && Parallel.splits(outBlocks, 1);
    }

    /** What {@link #moveWeights} does with each weight. */
    private enum Move { PACK, PACK_FLIPPED, UNPACK }

    /**
     * Copies every weight between {@code w} (from {@code wOff}) and its place in {@code packed},
     * packing zeroes the packed blocks first. Large weights go across threads by blocks of output
     * channels ({@link #splitsWeights}): each range writes only its own weights.
     */
    private void moveWeights(float[] w, int wOff, float[] packed, Move move) {
        if (splitsWeights()) {
            Parallel.forRanges(outBlocks, 1, (first, end) -> moveWeights(w, wOff, packed, move, first, end));
        } else {
            moveWeights(w, wOff, packed, move, 0, outBlocks);
        }
    }

    /** {@link #moveWeights} of the blocks of output channels {@code [first, end)}. */
    private void moveWeights(float[] w, int wOff, float[] packed, Move move, int first, int end) {
        int taps = g.kH() * g.kW();
        int bb = b * b;
        for (int grp = 0; grp < g.groups(); grp++) {
            int base = groupWeights(grp);
            if (move != Move.UNPACK) {
                Arrays.fill(packed, base + first * inBlocks * taps * bb, base + end * inBlocks * taps * bb, 0f);
            }
            // Block pair by block pair, so that the packed side of each step stays in L1.
            for (int ob = first; ob < end; ob++) {
                for (int ib = 0; ib < inBlocks; ib++) {
                    int block = base + (ob * inBlocks + ib) * taps * bb;
                    if (taps == 1) {
                        moveBlock(w, wOff, packed, move, grp, ob, ib, block);
                    } else {
                        moveTaps(w, wOff, packed, move, grp, ob, ib, block);
                    }
                }
            }
        }
    }

    /**
     * {@link #moveWeights} of a block pair {@code (ob, ib)} with several taps: a block of {@code w}
     * rows holds each input channel's taps together, the packed block each tap's channels
     * together, so the move is a vector transpose through a scratch block (rows of output
     * channels, {@code [ci][tap][co]}) and a copy of each row of {@code B} output channels.
     */
    private void moveTaps(float[] w, int wOff, float[] packed, Move move, int grp, int ob, int ib, int block) {
        int taps = g.kH() * g.kW();
        int bb = b * b;
        int outs = Math.min(b, g.og() - ob * b);
        int ins = Math.min(b, g.cg() - ib * b);
        float[] rows = Scratch.floats(Scratch.CONV_WEIGHT_BLOCK, bb * taps);
        int plain = wOff + ((grp * g.og() + ob * b) * g.cg() + ib * b) * taps;
        switch (move) {
            case PACK -> {
                Transpose.stranspose(outs, ins * taps, w, plain, g.cg() * taps, ins * taps, 0, rows, 0, b);
                for (int i = 0; i < ins; i++) {
                    for (int t = 0; t < taps; t++) {
                        System.arraycopy(rows, (i * taps + t) * b, packed, block + t * bb + i * b, outs);
                    }
                }
            }
            case UNPACK -> {
                for (int i = 0; i < ins; i++) {
                    for (int t = 0; t < taps; t++) {
                        System.arraycopy(packed, block + t * bb + i * b, rows, (i * taps + t) * b, outs);
                    }
                }
                Transpose.stranspose(ins * taps, outs, rows, 0, b, outs, 0, w, plain, g.cg() * taps);
            }
            case PACK_FLIPPED -> {
                // Here w is [cg][og][taps]: input channel ci's row holds its output channels' taps.
                for (int i = 0; i < ins; i++) {
                    int src = wOff + ((grp * g.cg() + ib * b + i) * g.og() + ob * b) * taps;
                    Transpose.stranspose(outs, taps, w, src, taps, taps, 0, rows, 0, b);
                    for (int t = 0; t < taps; t++) {
                        System.arraycopy(rows, t * b, packed, block + (taps - 1 - t) * bb + i * b, outs);
                    }
                }
            }
        }
    }

    /**
     * {@link #moveWeights} of a 1x1 kernel's block pair {@code (ob, ib)} at {@code packed[block]}:
     * a transposed block of {@code w} (or, flipped, a block of rows), moved whole.
     */
    private void moveBlock(float[] w, int wOff, float[] packed, Move move, int grp, int ob, int ib, int block) {
        int outs = Math.min(b, g.og() - ob * b);
        int ins = Math.min(b, g.cg() - ib * b);
        int plain = wOff + (grp * g.og() + ob * b) * g.cg() + ib * b;
        switch (move) {
            case PACK -> Transpose.stranspose(outs, ins, w, plain, g.cg(), ins, 0, packed, block, b);
            case UNPACK -> Transpose.stranspose(ins, outs, packed, block, b, outs, 0, w, plain, g.cg());
            case PACK_FLIPPED -> {
                for (int i = 0; i < ins; i++) {
                    System.arraycopy(w, wOff + (grp * g.cg() + ib * b + i) * g.og() + ob * b, packed, block + i * b,
                            outs);
                }
            }
        }
    }

    /**
     * Packs the weights for {@link #inputGradient} (all groups, {@link #weightSize} floats,
     * written whole), from output to input channels. With dilation 1, per stride phase
     * {@code (r, r')} (the input positions {@code r mod sH}, {@code r' mod sW} of the padded
     * input), the taps {@code a = r + sH k}, {@code c' = r' + sW k'} in reverse, so that the phase
     * is a stride-1 convolution of {@code dY}:
     * {@code dst[grp][phase][ib][ob][ka - 1 - k][kb - 1 - k'][co][ci] = w[grp*og + ob*B + co][ib*B + ci][a][c']}.
     * Otherwise one 1x1 convolution per tap:
     * {@code dst[grp][a][c'][ib][ob][co][ci]}.
     */
    public void packInputGradientWeights(float[] w, int wOff, float[] dst) {
        Arrays.fill(dst, 0, weightSize(), 0f);
        // Large weights across threads by blocks of output channels: each writes only its own.
        if (splitsWeights()) {
            Parallel.forRanges(outBlocks, 1, (first, end) -> packInputGradientWeights(w, wOff, dst, first, end));
        } else {
            packInputGradientWeights(w, wOff, dst, 0, outBlocks);
        }
    }

    /** {@link #packInputGradientWeights} of the blocks of output channels {@code [first, end)}. */
    private void packInputGradientWeights(float[] w, int wOff, float[] dst, int first, int end) {
        int taps = g.kH() * g.kW();
        for (int grp = 0; grp < g.groups(); grp++) {
            int base = groupWeights(grp);
            // Block pair by block pair, so that the packed side of each step stays in L1.
            for (int ob = first; ob < end; ob++) {
                for (int ib = 0; ib < inBlocks; ib++) {
                    int outs = Math.min(b, g.og() - ob * b);
                    int ins = Math.min(b, g.cg() - ib * b);
                    for (int t = 0; t < taps; t++) {
                        int at = base + gradientTapBlock(t, ib * outBlocks + ob);
                        // The weight of (ob * B + o, ib * B + i) is weight (pair + o * cg + i) of w.
                        int pair = (grp * g.og() + ob * b) * g.cg() + ib * b;
                        for (int o = 0; o < outs; o++) {
                            if (taps == 1) {
                                // A row of the block, in the same orientation.
                                System.arraycopy(w, wOff + pair + o * g.cg(), dst, at + o * b, ins);
                                continue;
                            }
                            for (int i = 0; i < ins; i++) {
                                dst[at + o * b + i] = w[wOff + (pair + o * g.cg() + i) * taps + t];
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Where tap {@code t = a * kW + c'} of block pair {@code ib * outBlocks + ob} goes in a
     * group's packed input-gradient weights. Phase by phase, the tap {@code a = r + sH k,
     * c' = r' + sW k'} of phase {@code (r, r')} in reverse; otherwise tap by tap.
     */
    private int gradientTapBlock(int t, int pair) {
        int a = t / g.kW();
        int c = t % g.kW();
        int bb = b * b;
        if (!phased) {
            return ((t * inBlocks) * outBlocks + pair) * bb;
        }
        int r = a % g.sH();
        int rc = c % g.sW();
        int ka = Math.ceilDiv(g.kH() - r, g.sH());
        int kb = Math.ceilDiv(g.kW() - rc, g.sW());
        return phaseWeights(r, rc) + (pair * ka * kb + (ka - 1 - a / g.sH()) * kb + kb - 1 - c / g.sW()) * bb;
    }

    /** @return the taps of phase residue {@code r} of a kernel extent {@code k} at stride {@code s} (0 if none) */
    private static int phaseTaps(int k, int s, int r) {
        return r < k ? Math.ceilDiv(k - r, s) : 0;
    }

    /** The offset in a group's packed input-gradient weights of phase {@code (r, rc)}. */
    private int phaseWeights(int r, int rc) {
        int off = 0;
        for (int i = 0; i < g.sH(); i++) {
            for (int j = 0; j < g.sW(); j++) {
                if (i == r && j == rc) {
                    return off;
                }
                off += phaseTaps(g.kH(), g.sH(), i) * phaseTaps(g.kW(), g.sW(), j) * inBlocks * outBlocks * b * b;
            }
        }
        throw new IllegalStateException("no phase " + r + ", " + rc);
    }

    /**
     * One image and group: {@code y = conv(x, w)}, or {@code y += conv(x, w)} when
     * {@code accumulate}, for the {@code og} output planes at {@code y[yOff]} from the {@code cg}
     * input planes at {@code x[xOff]}.
     *
     * @param packed  {@link #packWeights}
     * @param padded  {@link #paddedSize} floats, written whole
     * @param blocked {@link #blockedOutputSize} floats, written whole
     * @param planes  with {@code accumulate}, {@link #blockPlanesSize} floats, written whole; else unused
     */
    public void forward(int grp, float[] packed, float[] x, int xOff, float[] padded, float[] blocked, float[] planes,
                        float[] y, int yOff, boolean accumulate) {
        pad(x, xOff, padded, 0);
        rows(grp, packed, padded, 0, blocked, 0);
        unblock(blocked, 0, y, yOff, planes, accumulate);
    }

    /**
     * One image and group, {@code y = conv(x, w)} written, with the padded input at
     * {@code padded[paddedOff]} and the blocked output at {@code blocked[blockedOff]}
     * (for buffers carved out of one larger array).
     */
    public void forward(int grp, float[] packed, float[] x, int xOff, float[] padded, int paddedOff, float[] blocked,
                        int blockedOff, float[] y, int yOff) {
        pad(x, xOff, padded, paddedOff);
        rows(grp, packed, padded, paddedOff, blocked, blockedOff);
        unblock(blocked, blockedOff, y, yOff, null, false);
    }

    /**
     * One channel-blocked image ({@code groups == 1}): the output image {@code [outBlock][H_out][W_out][B]}
     * at {@code y[yOff]} from the input image {@code [inBlock][H][W][B]} at {@code x[xOff]}, written whole.
     *
     * @param packed {@link #packWeights}
     * @param padded {@link #paddedSize} floats, written whole; unused without padding (the input is read in place)
     */
    public void forwardBlocked(float[] packed, float[] x, int xOff, float[] padded, float[] y, int yOff) {
        forwardBlocked(packed, x, xOff, padded, 0, y, yOff);
    }

    /** {@link #forwardBlocked(float[], float[], int, float[], float[], int)} with the padded input at {@code padded[paddedOff]}. */
    public void forwardBlocked(float[] packed, float[] x, int xOff, float[] padded, int paddedOff, float[] y,
                               int yOff) {
        if (unpadded()) {
            rows(0, packed, x, xOff, y, yOff);
            return;
        }
        padBlocked(x, xOff, padded, paddedOff);
        rows(0, packed, padded, paddedOff, y, yOff);
    }

    /** The output rows of group {@code grp} from its padded input, into {@code out[outOff]} as blocks. */
    private void rows(int grp, float[] packed, float[] padded, int paddedOff, float[] out, int outOff) {
        for (int ob = 0; ob < outBlocks; ob += 2) {
            rows(grp, packed, padded, paddedOff, out, outOff, ob, 0, rowsPerImage());
        }
    }

    /**
     * Output rows {@code [ohFrom, ohTo)} of output block {@code ob} and, where there is one, of
     * block {@code ob + 1}: two blocks of output channels at a time, so each broadcast serves both.
     */
    private void rows(int grp, float[] packed, float[] padded, int paddedOff, float[] out, int outOff, int ob,
                      int ohFrom, int ohTo) {
        rows(grp, packed, padded, paddedOff, hp * wp * b, out, outOff, ob, ohFrom, ohTo);
    }

    /** As above, with each input block's padded rows {@code blockStride} floats apart. */
    private void rows(int grp, float[] packed, float[] padded, int paddedOff, int blockStride, float[] out,
                      int outOff, int ob, int ohFrom, int ohTo) {
        int ho = rowsPerImage();
        int wo = pixelsPerRow();
        int taps = g.kH() * g.kW();
        int wBlock = inBlocks * taps * b * b;
        int last = g.cg() - (inBlocks - 1) * b;
        int wOff = groupWeights(grp) + ob * wBlock;
        for (int oh = ohFrom; oh < ohTo; oh++) {
            int xOff = paddedOff + oh * g.sH() * wp * b;
            int yOff = outOff + (ob * ho + oh) * wo * b;
            if (ob + 1 < outBlocks) {
                kernels.convRowPair(b, wo, inBlocks, last, g.kH(), g.kW(), padded, xOff, blockStride,
                        g.dH() * wp * b, g.dW() * b, g.sW() * b, packed, wOff, wBlock, out, yOff, ho * wo * b, b,
                        false);
            } else {
                kernels.convRow(b, wo, inBlocks, last, g.kH(), g.kW(), padded, xOff, blockStride,
                        g.dH() * wp * b, g.dW() * b, g.sW() * b, packed, wOff, out, yOff, b, false);
            }
        }
    }

    /**
     * @return the tiles of one channel-blocked image's output ({@code groups == 1}) for
     *         {@link #forwardBlockedTile}: each pair of output blocks times each run of
     *         {@link #TILE_ROWS} output rows
     */
    public int forwardTiles() {
        if (g.groups() != 1) {
            throw new IllegalStateException("forwardTiles: channel-blocked images have one group, this geometry has "
                    + g.groups());
        }
        return (outBlocks + 1) / 2 * rowRuns();
    }

    private int rowRuns() {
        return (rowsPerImage() + TILE_ROWS - 1) / TILE_ROWS;
    }

    /**
     * @return whether {@link #forwardBlockedTile(int, float[], float[], int, float[], int)} reads
     *         the input image in place (no padding); else it reads the image padded by
     *         {@link #padForTiles}
     */
    public boolean tilesReadInPlace() {
        return unpadded();
    }

    /**
     * @return the {@code i}-th tile in block order: every run of rows of the first pair of output
     *         blocks, then of the next pair, which keeps a pair's weights in cache on one thread
     */
    public int forwardTileByBlocks(int i) {
        int pairs = (outBlocks + 1) / 2;
        int runs = rowRuns();
        return i % runs * pairs + i / runs;
    }

    /**
     * @return whether each tile pads the input rows it reads into its own scratch
     *         ({@link #forwardBlockedTile(int, float[], float[], int, float[], int, float[], int)},
     *         {@link #tileScratchSize}): so the tiles of a padded convolution read their rows where
     *         the layer before wrote them, with no pass over the whole image before them
     */
    public boolean tilesPadTheirRows() {
        // The tiles' scratch (and their copying, a pair of output blocks each) is bounded by a few
        // padded images; wide layers of many channel pairs pad the image once instead.
        return !unpadded() && !rowsContinue()
                && (long) forwardTiles() * tileScratchSize() <= (long) MAX_TILE_PADDING * paddedSize();
    }

    /** @return the floats of one tile's padded input rows, for {@link #tilesPadTheirRows} */
    public int tileScratchSize() {
        return Math.multiplyExact(inBlocks * tileInputRows(Math.min(TILE_ROWS, rowsPerImage())) * wp, b);
    }

    /** @return the padded input rows that {@code outRows} consecutive output rows read */
    private int tileInputRows(int outRows) {
        return (outRows - 1) * g.sH() + (g.kH() - 1) * g.dH() + 1;
    }

    /** Pads one channel-blocked input image into {@code padded[paddedOff]} for {@link #forwardBlockedTile}. */
    public void padForTiles(float[] x, int xOff, float[] padded, int paddedOff) {
        padBlocked(x, xOff, padded, paddedOff);
    }

    /**
     * The first output block of tile {@code tile}. Tiles go row run by row run, each run's pairs
     * of blocks in turn, so that a run of tiles (one thread's share) covers whole rows of every
     * channel: the rows the next layer's tiles of the same share read.
     */
    private int tileBlock(int tile) {
        return tile % ((outBlocks + 1) / 2) * 2;
    }

    /** The first output row of tile {@code tile}. */
    private int tileRow(int tile) {
        return tile / ((outBlocks + 1) / 2) * TILE_ROWS;
    }

    /** @return the runs of output floats tile {@code tile} writes: one per output block it computes */
    public int forwardTileRuns(int tile) {
        return Math.min(2, outBlocks - tileBlock(tile));
    }

    /** @return where run {@code run} of tile {@code tile} starts in the output image */
    public int forwardTileRunStart(int tile, int run) {
        return ((tileBlock(tile) + run) * rowsPerImage() + tileRow(tile)) * pixelsPerRow() * b;
    }

    /** @return the floats of each run of tile {@code tile}: its rows of one output block */
    public int forwardTileRunLength(int tile) {
        int from = tileRow(tile);
        return (Math.min(rowsPerImage(), from + TILE_ROWS) - from) * pixelsPerRow() * b;
    }

    /**
     * Tile {@code tile} of {@link #forwardBlocked}'s output from the unpadded input image at
     * {@code x[xOff]}, when {@link #tilesPadTheirRows}: the tile first copies the input rows it
     * reads, with their zero borders, into {@code scratch[scratchOff]} ({@link #tileScratchSize}
     * floats). The kernels read the same values as from a padded image: the same bits.
     */
    public void forwardBlockedTile(int tile, float[] packed, float[] x, int xOff, float[] scratch, int scratchOff,
                                   float[] y, int yOff) {
        if (!tilesPadTheirRows()) {
            throw new IllegalStateException("forwardBlockedTile: this convolution's tiles do not pad their rows");
        }
        int ob = tileBlock(tile);
        int from = tileRow(tile);
        int to = Math.min(rowsPerImage(), from + TILE_ROWS);
        int first = from * g.sH();
        int rowsIn = tileInputRows(to - from);
        // Padded rows [first, first + rowsIn): those of the input, between zero rows of the padding.
        int top = Math.min(rowsIn, Math.max(0, g.pH() - first));
        int inside = Math.max(0, Math.min(rowsIn, g.pH() + g.h() - first) - top);
        borderedCopy(x, xOff + (first + top - g.pH()) * g.w() * b, g.h() * g.w() * b, inBlocks, inside, g.w(), top,
                rowsIn - top - inside, g.pW(), g.pW(), scratch, scratchOff);
        rows(0, packed, scratch, scratchOff - first * wp * b, rowsIn * wp * b, y, yOff, ob, from, to);
    }

    /**
     * Tile {@code tile} of {@link #forwardBlocked}'s output, which the tiles write whole between
     * them, in any order and on any threads, with the bits of one call: every output row is
     * computed by the same kernel call either way.
     *
     * @param in    the input image, padded by {@link #padForTiles} unless {@link #tilesReadInPlace}
     */
    public void forwardBlockedTile(int tile, float[] packed, float[] in, int inOff, float[] y, int yOff) {
        int ob = tileBlock(tile);
        int from = tileRow(tile);
        rows(0, packed, in, inOff, y, yOff, ob, from, Math.min(rowsPerImage(), from + TILE_ROWS));
    }

    /**
     * One image and group: {@code dx = conv_transpose(dy, w)}, written whole for the {@code cg}
     * input planes at {@code dx[dxOff]} from the {@code og} output-gradient planes at {@code dy[dyOff]}.
     *
     * @param weights {@link #packInputGradientWeights}
     * @param layout  {@link #gradientLayoutSize} floats, written whole
     * @param padded  {@link #paddedSize} floats, written whole
     */
    public void inputGradient(int grp, float[] weights, float[] dy, int dyOff, float[] layout, float[] padded,
                              float[] dx, int dxOff) {
        Arrays.fill(layout, 0, gradientLayoutSize(), 0f);
        int plane = g.hOut() * g.wOut();
        for (int ob = 0; ob < outBlocks; ob++) {
            int channels = Math.min(b, g.og() - ob * b);
            Transpose.stranspose(channels, plane, dy, dyOff + ob * b * plane, plane, g.wOut(), dyCols - g.wOut(),
                    layout, ((ob * dyRows + dyTop) * dyCols + dyLeft) * b, b);
        }
        // The blocked input gradient, gathered into the front of the padded buffer or scattered
        // into it as the padded image, then out to planes.
        int rows = hp;
        int top = g.pH();
        int cols = wp;
        int left = g.pW();
        if (phased) {
            gather(grp, weights, layout, padded, 0);
            rows = g.h();
            top = 0;
            cols = g.w();
            left = 0;
        } else {
            scatter(grp, weights, layout, padded);
        }
        int inPlane = g.h() * g.w();
        for (int ib = 0; ib < inBlocks; ib++) {
            int channels = Math.min(b, g.cg() - ib * b);
            for (int r = 0; r < g.h(); r++) {
                Transpose.stranspose(g.w(), channels, padded, ((ib * rows + r + top) * cols + left) * b, b, channels,
                        0, dx, dxOff + ib * b * inPlane + r * g.w(), inPlane);
            }
        }
    }

    /**
     * {@link #inputGradient} of one channel-blocked image ({@code groups == 1}): the input
     * gradient image at {@code dx[dxOff]}, written whole, from the output-gradient image at {@code dy[dyOff]}.
     */
    public void inputGradientBlocked(float[] weights, float[] dy, int dyOff, float[] layout, float[] padded,
                                     float[] dx, int dxOff) {
        int rows = dyRows - dyTop - g.hOut();
        int cols = dyCols - dyLeft - g.wOut();
        borderedCopy(dy, dyOff, outBlocks, g.hOut(), g.wOut(), dyTop, rows, dyLeft, cols, layout, 0);
        if (phased) {
            gather(0, weights, layout, dx, dxOff);
            return;
        }
        scatter(0, weights, layout, padded);
        for (int ib = 0; ib < inBlocks; ib++) {
            for (int r = 0; r < g.h(); r++) {
                System.arraycopy(padded, ((ib * hp + r + g.pH()) * wp + g.pW()) * b, dx,
                        dxOff + (ib * g.h() + r) * g.w() * b, g.w() * b);
            }
        }
    }

    /**
     * Phase by phase, the input gradient as stride-1 convolutions of the laid-out {@code dY}
     * with the phase's reversed taps, each written to its strided positions of the blocked input
     * gradient image at {@code dx[dxOff]} (only the positions inside the padding are computed).
     * Every position belongs to one phase, so each is written once; positions of a phase without
     * taps (a stride larger than the kernel) are zero.
     */
    private void gather(int grp, float[] weights, float[] layout, float[] dx, int dxOff) {
        int h = g.h();
        int w = g.w();
        if (g.sH() > g.kH() || g.sW() > g.kW()) {
            Arrays.fill(dx, dxOff, dxOff + inBlocks * h * w * b, 0f);
        }
        int bb = b * b;
        int base = groupWeights(grp);
        for (int r = 0; r < g.sH(); r++) {
            int ka = phaseTaps(g.kH(), g.sH(), r);
            // Padded rows P = sH u + r inside the input: pH <= P < pH + H.
            int u0 = Math.max(0, Math.ceilDiv(g.pH() - r, g.sH()));
            int u1 = Math.ceilDiv(g.pH() + h - r, g.sH());
            for (int rc = 0; rc < g.sW(); rc++) {
                int kb = phaseTaps(g.kW(), g.sW(), rc);
                int v0 = Math.max(0, Math.ceilDiv(g.pW() - rc, g.sW()));
                int v1 = Math.ceilDiv(g.pW() + w - rc, g.sW());
                if (ka == 0 || kb == 0 || u0 >= u1 || v0 >= v1) {
                    continue;
                }
                int phase = base + phaseWeights(r, rc);
                int wBlock = outBlocks * ka * kb * bb;
                int last = g.og() - (outBlocks - 1) * b;
                for (int ib = 0; ib < inBlocks; ib += 2) {
                    int wOff = phase + ib * wBlock;
                    for (int u = u0; u < u1; u++) {
                        int xOff = ((u - (ka - 1) + dyTop) * dyCols + v0 - (kb - 1) + dyLeft) * b;
                        int yOff = dxOff + ((ib * h + g.sH() * u + r - g.pH()) * w + g.sW() * v0 + rc - g.pW()) * b;
                        if (ib + 1 < inBlocks) {
                            kernels.convRowPair(b, v1 - v0, outBlocks, last, ka, kb, layout, xOff,
                                    dyRows * dyCols * b, dyCols * b, b, b, weights, wOff, wBlock, dx, yOff, h * w * b,
                                    g.sW() * b, false);
                        } else {
                            kernels.convRow(b, v1 - v0, outBlocks, last, ka, kb, layout, xOff, dyRows * dyCols * b,
                                    dyCols * b, b, b, weights, wOff, dx, yOff, g.sW() * b, false);
                        }
                    }
                }
            }
        }
    }

    /**
     * Tap by tap, the blocked output gradient ({@code [outBlock][H_out][W_out][B]}) times the
     * tap's weights (a 1x1 convolution) added into the strided positions of the zeroed, padded
     * input gradient.
     */
    private void scatter(int grp, float[] weights, float[] dy, float[] padded) {
        int ho = g.hOut();
        int wo = g.wOut();
        Arrays.fill(padded, 0, paddedSize(), 0f);
        int wBase = groupWeights(grp);
        for (int a = 0; a < g.kH(); a++) {
            for (int c = 0; c < g.kW(); c++) {
                int tap = a * g.kW() + c;
                for (int ib = 0; ib < inBlocks; ib++) {
                    int wOff = wBase + (tap * inBlocks + ib) * outBlocks * b * b;
                    for (int oh = 0; oh < ho; oh++) {
                        int at = ((ib * hp + oh * g.sH() + a * g.dH()) * wp + c * g.dW()) * b;
                        kernels.convRow(b, wo, outBlocks, g.og() - (outBlocks - 1) * b, 1, 1, dy, oh * wo * b,
                                ho * wo * b, 0, 0, b, weights, wOff, padded, at, g.sW() * b, true);
                    }
                }
            }
        }
    }

    /**
     * One image and group: adds its weight gradient into {@code dw} (packed as {@link #packWeights}).
     *
     * @param padded  {@link #paddedSize} floats, written whole
     * @param blocked {@link #blockedOutputSize} floats, written whole
     */
    public void weightGradient(int grp, float[] x, int xOff, float[] dy, int dyOff, float[] padded, float[] blocked,
                               float[] dw, int dwOff) {
        pad(x, xOff, padded, 0);
        block(dy, dyOff, g.og(), g.hOut() * g.wOut(), blocked);
        weightRows(padded, 0, blocked, 0, dw, dwOff + groupWeights(grp));
    }

    /**
     * {@link #weightGradient} of one channel-blocked image ({@code groups == 1}), from the input
     * image at {@code x[xOff]} and the output-gradient image at {@code dy[dyOff]}; {@code padded}
     * as in {@link #forwardBlocked}.
     */
    public void weightGradientBlocked(float[] x, int xOff, float[] dy, int dyOff, float[] padded, float[] dw,
                                      int dwOff) {
        if (unpadded()) {
            weightRows(x, xOff, dy, dyOff, dw, dwOff);
            return;
        }
        padBlocked(x, xOff, padded, 0);
        weightRows(padded, 0, dy, dyOff, dw, dwOff);
    }

    private void weightRows(float[] padded, int paddedOff, float[] dy, int dyOff, float[] dw, int dwOff) {
        int ho = rowsPerImage();
        int wo = pixelsPerRow();
        int taps = g.kH() * g.kW();
        int dwBlock = inBlocks * taps * b * b;
        // Two blocks of output channels at a time where there are two, so each broadcast serves both.
        for (int ob = 0; ob < outBlocks; ob += 2) {
            for (int ib = 0; ib < inBlocks; ib++) {
                int at = dwOff + (ob * inBlocks + ib) * taps * b * b;
                int channels = Math.min(b, g.cg() - ib * b);
                for (int oh = 0; oh < ho; oh++) {
                    int xOff = paddedOff + (ib * hp + oh * g.sH()) * wp * b;
                    int dyAt = dyOff + (ob * ho + oh) * wo * b;
                    if (ob + 1 < outBlocks) {
                        kernels.convWeightRowPair(b, wo, channels, g.kH(), g.kW(), padded, xOff, g.dH() * wp * b,
                                g.dW() * b, g.sW() * b, dy, dyAt, ho * wo * b, dw, at, dwBlock);
                    } else {
                        kernels.convWeightRow(b, wo, channels, g.kH(), g.kW(), padded, xOff, g.dH() * wp * b,
                                g.dW() * b, g.sW() * b, dy, dyAt, dw, at);
                    }
                }
            }
        }
    }

    /**
     * Whether output row {@code oh + 1} starts in the padded input where row {@code oh} would
     * continue ({@code sH * W_padded == W_out * sW}: a kernel one column wide without column
     * padding, such as a 1x1 stride-1 convolution). Then the kernels take the whole image as one
     * row of {@code H_out * W_out} pixels: the same products in the same order, in longer runs.
     */
    private boolean rowsContinue() {
        return g.sH() * wp == g.wOut() * g.sW();
    }

    /** @return the rows the kernels run per image: 1 when {@link #rowsContinue}, else {@code H_out} */
    private int rowsPerImage() {
        return rowsContinue() ? 1 : g.hOut();
    }

    /** @return the pixels per row the kernels run: the whole image when {@link #rowsContinue}, else {@code W_out} */
    private int pixelsPerRow() {
        return rowsContinue() ? g.hOut() * g.wOut() : g.wOut();
    }

    /** @return whether the padded input is the input itself (no padding): blocked images are read in place */
    private boolean unpadded() {
        return g.pH() == 0 && g.pW() == 0;
    }

    /** A channel-blocked input image into {@code padded[paddedOff]}, with zero borders. */
    private void padBlocked(float[] x, int xOff, float[] padded, int paddedOff) {
        borderedCopy(x, xOff, inBlocks, g.h(), g.w(), g.pH(), g.pH(), g.pW(), g.pW(), padded, paddedOff);
    }

    /**
     * {@code blocks} blocked images of {@code h x w} pixels from {@code src[off]} into
     * {@code dst[dstOff]} with {@code top, bottom, left, right} rows and columns of zeros around
     * each (only those are cleared).
     */
    private void borderedCopy(float[] src, int off, int blocks, int h, int w, int top, int bottom, int left,
                              int right, float[] dst, int dstOff) {
        borderedCopy(src, off, h * w * b, blocks, h, w, top, bottom, left, right, dst, dstOff);
    }

    /** As above, with the source blocks {@code srcBlock} floats apart (rows of a taller image). */
    private void borderedCopy(float[] src, int off, int srcBlock, int blocks, int h, int w, int top, int bottom,
                              int left, int right, float[] dst, int dstOff) {
        int row = (left + w + right) * b;
        int rows = top + h + bottom;
        for (int ib = 0; ib < blocks; ib++) {
            int base = dstOff + ib * rows * row;
            Arrays.fill(dst, base, base + top * row, 0f);
            Arrays.fill(dst, base + (top + h) * row, base + rows * row, 0f);
            for (int r = 0; r < h; r++) {
                int at = base + (r + top) * row;
                Arrays.fill(dst, at, at + left * b, 0f);
                System.arraycopy(src, off + ib * srcBlock + r * w * b, dst, at + left * b, w * b);
                Arrays.fill(dst, at + (left + w) * b, at + row, 0f);
            }
        }
    }

    /** The {@code cg} input planes at {@code x[xOff]} into {@code padded}, blocked, with zero borders. */
    private void pad(float[] x, int xOff, float[] padded, int paddedOff) {
        Arrays.fill(padded, paddedOff, paddedOff + paddedSize(), 0f);
        int plane = g.h() * g.w();
        for (int ib = 0; ib < inBlocks; ib++) {
            int channels = Math.min(b, g.cg() - ib * b);
            // Output row j + (j / W) * 2pW for input position j: each image row lands inside its padded row.
            Transpose.stranspose(channels, plane, x, xOff + ib * b * plane, plane, g.w(), 2 * g.pW(), padded,
                    paddedOff + ((ib * hp + g.pH()) * wp + g.pW()) * b, b);
        }
    }

    /** {@code channels} planes of {@code plane} positions into {@code [block][plane][B]}, zero past the channels. */
    private void block(float[] src, int off, int channels, int plane, float[] blocked) {
        int blocks = Math.ceilDiv(channels, b);
        if (channels % b != 0) {
            Arrays.fill(blocked, (blocks - 1) * plane * b, blocks * plane * b, 0f);
        }
        for (int ob = 0; ob < blocks; ob++) {
            Transpose.stranspose(Math.min(b, channels - ob * b), plane, src, off + ob * b * plane, plane, plane, 0,
                    blocked, ob * plane * b, b);
        }
    }

    /** The blocked output at {@code blocked[blockedOff]} back into the {@code og} planes at {@code y[yOff]}, written or added. */
    private void unblock(float[] blocked, int blockedOff, float[] y, int yOff, float[] planes, boolean accumulate) {
        int l = g.hOut() * g.wOut();
        for (int ob = 0; ob < outBlocks; ob++) {
            int channels = Math.min(b, g.og() - ob * b);
            int dst = yOff + ob * b * l;
            if (!accumulate) {
                Transpose.stranspose(l, channels, blocked, blockedOff + ob * l * b, b, channels, 0, y, dst, l);
                continue;
            }
            Transpose.stranspose(l, channels, blocked, blockedOff + ob * l * b, b, channels, 0, planes, 0, l);
            for (int i = 0; i < channels * l; i++) {
                y[dst + i] += planes[i];
            }
        }
    }
}
