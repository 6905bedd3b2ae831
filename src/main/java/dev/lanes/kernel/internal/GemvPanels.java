package dev.lanes.kernel.internal;

/**
 * A fixed weight {@code W [n, k]} packed for products {@code y = x W^T} with few rows of
 * {@code x}, as a served linear layer or recurrent step computes them: a product streams the
 * weight in the order the kernel reads it, and folds each column in a vector lane instead of
 * reducing dot products across lanes. Each row makes its own pass, so many rows are better served
 * by the GEMM.
 *
 * <p>Layout: columns in panels of {@link #PANEL}; a panel holds, for {@code i = 0, 1, ...}, the
 * weights of its columns at {@code i} side by side. In {@link #bf16() BF16} form each int holds the
 * weights at {@code 2q} (low half) and {@code 2q + 1} (high half) as BF16, so a product reads half
 * the bytes and widens each half with a shift or a mask. The last panel is padded with zero
 * columns. The layout is the same on every provider.
 *
 * <p>Columns split into tiles of {@link #TILE}; a product may compute any range of tiles, and each
 * element's arithmetic is the same whichever tile range (and so thread) computes it
 * ({@link GemmKernels#gemvPanels}). Immutable after packing; any number of threads may multiply.
 */
public final class GemvPanels {

    /** Columns per panel. */
    public static final int PANEL = 16;
    /** Columns per tile: the unit of a split across threads. */
    public static final int TILE = 64;

    private final int n;
    private final int k;
    private final float[] f32;
    private final int[] bf16;

    private GemvPanels(int n, int k, float[] f32, int[] bf16) {
        this.n = n;
        this.k = k;
        this.f32 = f32;
        this.bf16 = bf16;
    }

    /**
     * Packs {@code W [n, k]}, stored row-major from {@code off}.
     *
     * @param bf16 whether to keep the weights as BF16 (rounded to nearest, ties to even) instead of F32
     * @throws IllegalArgumentException for sizes below 1, a matrix outside the array, a packed form
     *                                  too large for an array, a non-finite weight, or (in BF16) a
     *                                  weight beyond BF16's range
     */
    public static GemvPanels pack(float[] w, int off, int n, int k, boolean bf16) {
        ArrayChecks.nonNull("GemvPanels.pack", "w", w);
        if (n < 1 || k < 1) {
            throw new IllegalArgumentException("GemvPanels.pack: sizes must be >= 1, got n=" + n + ", k=" + k);
        }
        if (off < 0 || (long) off + (long) n * k > w.length) {
            throw new IllegalArgumentException("GemvPanels.pack: a " + n + "x" + k + " matrix from " + off
                    + " does not fit in " + w.length + " floats");
        }
        int cols = (n + PANEL - 1) / PANEL * PANEL;
        int depth = bf16 ? (k + 1) / 2 : k;
        if ((long) cols * depth > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("GemvPanels.pack: a packed " + n + "x" + k + " matrix does not fit"
                    + " in an array");
        }
        for (int j = 0; j < n * k; j++) {
            if (!Float.isFinite(w[off + j])) {
                throw new IllegalArgumentException("GemvPanels.pack: weight [" + j / k + ", " + j % k + "] is "
                        + w[off + j]);
            }
        }
        if (!bf16) {
            float[] p = new float[cols * depth];
            for (int c = 0; c < n; c++) {
                int at = columnStart(c, k);
                for (int i = 0; i < k; i++) {
                    p[at + i * PANEL] = w[off + c * k + i];
                }
            }
            return new GemvPanels(n, k, p, null);
        }
        int[] p = new int[cols * depth];
        for (int c = 0; c < n; c++) {
            int at = columnStart(c, depth);
            for (int i = 0; i < k; i++) {
                int half = toBf16(w[off + c * k + i], c, i);
                p[at + (i >> 1) * PANEL] |= (i & 1) == 0 ? half : half << 16;
            }
        }
        return new GemvPanels(n, k, null, p);
    }

    /**
     * The BF16 bits of {@code v}: the high 16 bits of the float, rounded to nearest with ties to
     * even on the 16 bits dropped.
     */
    static int toBf16(float v, int c, int i) {
        int bits = Float.floatToRawIntBits(v);
        int rounded = (bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16;
        if (Float.isInfinite(Float.intBitsToFloat(rounded << 16))) {
            throw new IllegalArgumentException("GemvPanels.pack: weight [" + c + ", " + i + "] = " + v
                    + " is beyond BF16's range");
        }
        return rounded;
    }

    /** @return where column {@code c}'s weight at index 0 lies, for panels {@code depth} entries deep */
    public static int columnStart(int c, int depth) {
        return (c / PANEL) * depth * PANEL + c % PANEL;
    }

    /** @return the columns of the product: the rows {@code n} of {@code W} */
    public int n() {
        return n;
    }

    /** @return the depth of the product: the columns {@code k} of {@code W} */
    public int k() {
        return k;
    }

    /** @return whether the weights are kept as BF16 */
    public boolean bf16() {
        return bf16 != null;
    }

    /** @return the tiles of columns, {@code ceil(n / TILE)} */
    public int tiles() {
        return (n + TILE - 1) / TILE;
    }

    /** @return the bytes the packed weights take */
    public long bytes() {
        return bf16 != null ? 4L * bf16.length : 4L * f32.length;
    }

    /**
     * {@code y = x W^T}, or {@code x W^T + beta y} when beta is not zero, for {@code rows} rows of
     * {@code x} ({@code k} floats apart from {@code xOff}) into rows of {@code y} ({@code n} floats
     * apart from {@code yOff}), on the calling thread.
     *
     * @throws IllegalArgumentException when a row range lies outside its array, or {@code y}
     *                                  overlaps {@code x}
     */
    public void multiply(int rows, float[] x, int xOff, float beta, float[] y, int yOff) {
        multiply(rows, 0, tiles(), x, xOff, beta, y, yOff);
    }

    /** {@link #multiply(int, float[], int, float, float[], int)} for the columns of tiles {@code [tileFrom, tileTo)} only. */
    public void multiply(int rows, int tileFrom, int tileTo, float[] x, int xOff, float beta, float[] y, int yOff) {
        ArrayChecks.nonNull("GemvPanels.multiply", "x", x);
        ArrayChecks.nonNull("GemvPanels.multiply", "y", y);
        if (rows < 0 || tileFrom < 0 || tileFrom > tileTo || tileTo > tiles()) {
            throw new IllegalArgumentException("GemvPanels.multiply: rows=" + rows + ", tiles [" + tileFrom + ", "
                    + tileTo + ") of " + tiles());
        }
        if (xOff < 0 || (long) xOff + (long) rows * k > x.length || yOff < 0
                || (long) yOff + (long) rows * n > y.length) {
            throw new IllegalArgumentException("GemvPanels.multiply: " + rows + " rows of x from " + xOff + " ("
                    + k + " floats each, " + x.length + " in all) or of y from " + yOff + " (" + n + " each, "
                    + y.length + " in all) lie outside their arrays");
        }
        if (x == y && xOff < yOff + (long) rows * n && yOff < xOff + (long) rows * k && rows > 0) {
            throw new IllegalArgumentException("GemvPanels.multiply: y overlaps x");
        }
        if (rows == 0 || tileFrom == tileTo) {
            return;
        }
        GemmKernels kernels = Providers.provider().gemm();
        if (bf16 != null) {
            kernels.gemvPanelsBf16(rows, k, n, x, xOff, bf16, tileFrom, tileTo, beta, y, yOff);
        } else {
            kernels.gemvPanels(rows, k, n, x, xOff, f32, tileFrom, tileTo, beta, y, yOff);
        }
    }
}
