package dev.lanes.kernel.vector;

import static dev.lanes.kernel.vector.SgemmMicroKernels.MR;
import static dev.lanes.kernel.vector.SgemmMicroKernels.NR;

import dev.lanes.kernel.internal.Parallel;
import dev.lanes.kernel.internal.Scratch;

/**
 * SGEMM in the Goto/BLIS style.
 *
 * <pre>
 * split C into strips, one per thread (columns; rows when there are too few columns)
 * each strip, on its own thread with its own buffers:
 *   for jc over n in NC columns:
 *     for pc over k in KC steps:                B block (KC x NC) lives in L3
 *       pack B[pc.., jc..] into NR-wide panels
 *       for ic over m in MC rows:               A block (MC x KC) lives in L2
 *         pack A[ic.., pc..] into 12/8/4-row panels
 *         for each B panel:                     B panel (KC x NR) lives in L1
 *           for each A panel: micro-kernel
 *         leftover 1-3 rows: one-row kernels reading A in place
 * </pre>
 *
 * <p>Blocking ({@code KC}, {@code MC}, {@code NC}), for 512-bit vectors (NR = 32): the default
 * KC makes a B panel 96 KiB, which lives in a 1 MiB L2 rather than L1: the kernel needs only two
 * B vectors per 24 FMAs, which L2 sustains, while a long KC cuts the passes over C (k / KC),
 * which dominate once C no longer fits in L3. The default MC (four 12-row panels) keeps the A
 * block (144 KiB) in L2 next to the B panel; the default NC (64 panels, 2048 columns) bounds the
 * packed B block (6 MiB per thread at most). The system properties {@code lanes.sgemm.kc},
 * {@code lanes.sgemm.mc} (in 12-row panels) and {@code lanes.sgemm.nc} (in NR-column panels)
 * override them for other caches.
 *
 * <p>Vectors narrower than 512 bits suggest a 16-register machine (AVX2): there the 12- and
 * 8-row kernels (24 and 16 accumulators) would spill, so only the 4-row kernel is used.
 *
 * <p>Each thread packs its own panels instead of sharing them: on a virtual machine the cores
 * may sit on different L3 slices, and reading a panel packed by another core costs more than
 * packing it again. Threads meet once per call. A B packed ahead of time ({@link #packB}) is the
 * exception: every thread reads its column strip of the shared panels, which saves the packing
 * of every call when the same B serves many (a recurrent weight over a sequence).
 *
 * <p>Operands skip packing where packing does not pay: an untransposed B is read in place (its
 * rows are already contiguous) when few rows of A reuse it or it is small; an untransposed A is
 * read in place by the strided kernels when its rows are less than 1024 floats apart, a transposed
 * A only when it is small.
 *
 * <p>Every kernel computes an element identically ({@link SgemmMicroKernels}), the k loop is cut
 * at the same KC boundaries whatever the split, and strips are aligned to 4 NR columns or 12
 * rows, so whether an element lies in a partial (merged) tile depends only on its position in C.
 * The result is therefore bit-identical for any thread count, even though the strips are sized
 * by it.
 */
final class VectorSgemm {

    static final int KC = blocking("lanes.sgemm.kc", 768, 4096);
    static final int MC = blocking("lanes.sgemm.mc", 4, 256) * MR;
    static final int NC = blocking("lanes.sgemm.nc", 64, 4096) * NR;
    /** Row kernels handle four panels at once. */
    private static final int ROW_GROUP = 4;
    /** Below this many multiply-adds, a call stays on the calling thread. */
    private static final long PARALLEL_MACS = 1L << 20;
    /** B up to this many elements is read in place rather than packed (when not transposed). */
    private static final long DIRECT_B_ELEMENTS = 1L << 15;
    /**
     * An untransposed A whose rows are less than 4 KiB apart is read in place by the strided
     * kernels: its 12 rows stay in L1/L2 and packing would only add a pass over A. From 4 KiB
     * on, the rows of a panel share L1 sets and the speed depends on where the arrays happen to
     * lie in memory, so such rows are packed.
     */
    private static final int IN_PLACE_A_MAX_LD = 1023;
    /** A transposed A is read in place only when small (each k index is then a new line). */
    private static final long IN_PLACE_A_ELEMENTS = 1L << 15;
    private static final int IN_PLACE_A_MAX_N = 256;
    /** Products with a transposed B and at most this many rows run as dot products. */
    private static final int DOT_MAX_M = 4;
    /** Columns per parallel block of the dot-product path. */
    private static final int DOT_COLUMNS = 64;
    /** alpha = 1, beta = 0: raw accumulators, for edge tiles merged afterwards. */
    private static final float[] UNSCALED = {1f, 0f};
    private static final ThreadLocal<Strip> STRIPS = ThreadLocal.withInitial(Strip::new);

    private VectorSgemm() {
    }

    /** @return the cache blocking in use, as "blocking KC=... MC=... NC=..." */
    static String blockingSummary() {
        return "blocking KC=" + KC + " MC=" + MC + " NC=" + NC;
    }

    /** A blocking override from a system property, in [1, max]; anything else is an error. */
    private static int blocking(String property, int fallback, int max) {
        String value = System.getProperty(property);
        if (value == null) {
            return fallback;
        }
        try {
            int v = Integer.parseInt(value.trim());
            if (v >= 1 && v <= max) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(property + " must be an integer in [1, " + max + "], got '" + value + "'");
    }

    static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        int threads = Parallel.canSplit() ? Parallel.threads() : 1;
        if (transB && m <= DOT_MAX_M && k >= SgemmMicroKernels.L) {
            dotRows(m, n, k, alpha, a, aOff, transA ? 1 : lda, transA ? lda : 1, b, bOff, ldb, beta, c, cOff, ldc,
                    threads > 1 && (long) m * n * k >= PARALLEL_MACS);
            return;
        }
        if (threads == 1 || (long) m * n * k < PARALLEL_MACS) {
            runStrip(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        split(m, n, threads, (row, rows, col, cols) -> runStrip(transA, transB, rows, cols, k, alpha, a,
                aOff + (transA ? row : row * lda), lda, b, bOff + (transB ? col * ldb : col), ldb, beta, c,
                cOff + row * ldc + col, ldc));
    }

    /** One strip of C: rows {@code [row, row + rows)}, columns {@code [col, col + cols)}. */
    @FunctionalInterface
    private interface StripTask {
        void run(int row, int rows, int col, int cols);
    }

    /**
     * Splits C over the threads into strips of whole columns or whole rows. Column strips are
     * multiples of four B panels (the one-row kernel's width), row strips multiples of the 12-row
     * panel; the columns are split unless there are too few of them. No element's arithmetic
     * depends on the strip it falls in.
     */
    private static void split(int m, int n, int threads, StripTask task) {
        int colUnits = (n + ROW_GROUP * NR - 1) / (ROW_GROUP * NR);
        int rowUnits = (m + MR - 1) / MR;
        boolean byColumns = colUnits >= threads || colUnits >= rowUnits;
        int unit = byColumns ? ROW_GROUP * NR : MR;
        int units = byColumns ? colUnits : rowUnits;
        int strips = Math.min(threads, units);
        int per = (units + strips - 1) / strips * unit;
        int count = ((byColumns ? n : m) + per - 1) / per;
        Parallel.forEach(count, s -> {
            int start = s * per;
            if (byColumns) {
                task.run(0, m, start, Math.min(per, n - start));
            } else {
                task.run(start, Math.min(per, m - start), 0, n);
            }
        });
    }

    /** Floats of B packed for {@link #sgemmPackedB}: NR-column panels over the whole of k. */
    static int packedBLength(int k, int n) {
        return Math.multiplyExact((n + NR - 1) / NR, Math.multiplyExact(k, NR));
    }

    /**
     * Packs op(B) ({@code k x n}) once for any number of {@link #sgemmPackedB} calls: panel
     * {@code q} holds columns {@code [q NR, q NR + NR)} (zero-padded) for every k index, row
     * after row, at {@code dst[q k NR]}. Any column strip starting on a panel and any k block
     * starting on a row then reads the panels in place, as the per-call packing would have laid
     * them out, so the products are the same bits.
     */
    static void packB(boolean transB, int k, int n, float[] b, int bOff, int ldb, float[] dst) {
        int panels = (n + NR - 1) / NR;
        for (int q = 0; q < panels; q++) {
            int j0 = q * NR;
            int cols = Math.min(NR, n - j0);
            int d = q * k * NR;
            if (!transB && cols == NR) {
                SgemmPacking.copyRows(k, b, bOff + j0, ldb, dst, d);
                continue;
            }
            java.util.Arrays.fill(dst, d, d + k * NR, 0f);
            if (transB) {
                // Blocks of 16 k indices keep the panel rows written and the source lines read in L1.
                for (int p0 = 0; p0 < k; p0 += 16) {
                    int p1 = Math.min(k, p0 + 16);
                    for (int j = 0; j < cols; j++) {
                        int src = bOff + (j0 + j) * ldb;
                        for (int p = p0, o = d + p0 * NR + j; p < p1; p++, o += NR) {
                            dst[o] = b[src + p];
                        }
                    }
                }
            } else {
                for (int p = 0; p < k; p++) {
                    System.arraycopy(b, bOff + p * ldb + j0, dst, d + p * NR, cols);
                }
            }
        }
    }

    /**
     * {@code C = alpha op(A) B + beta C} with B packed by {@link #packB}: the blocking, the
     * thread split and the micro-kernels of {@link #sgemm}, minus the packing of B. The same bits
     * as {@link #sgemm} on the unpacked B, except where that takes its dot-product path
     * (a transposed B and at most {@link #DOT_MAX_M} rows).
     */
    static void sgemmPackedB(boolean transA, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                             float[] packed, float beta, float[] c, int cOff, int ldc) {
        int threads = Parallel.canSplit() ? Parallel.threads() : 1;
        if (threads == 1 || (long) m * n * k < PARALLEL_MACS) {
            runPackedStrip(transA, m, n, k, alpha, a, aOff, lda, packed, 0, beta, c, cOff, ldc);
            return;
        }
        split(m, n, threads, (row, rows, col, cols) -> runPackedStrip(transA, rows, cols, k, alpha, a,
                aOff + (transA ? row : row * lda), lda, packed, col / NR, beta, c, cOff + row * ldc + col, ldc));
    }

    private static void runPackedStrip(boolean transA, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                                       float[] packed, int panel0, float beta, float[] c, int cOff, int ldc) {
        Strip strip = STRIPS.get();
        strip.set(transA, false, m, n, k, alpha, a, aOff, lda, packed, 0, 0, beta, c, cOff, ldc);
        strip.prepackedB = true;
        strip.panel0 = panel0;
        try {
            strip.run();
        } finally {
            strip.clear();
        }
    }

    /**
     * {@code x * W^T} with few rows: each element is a dot product of a row of A with a stored
     * row of B, both contiguous along k, so nothing is packed. Columns are split across threads
     * in blocks of four; an element's arithmetic does not depend on the block it falls in.
     */
    private static void dotRows(int m, int n, int k, float alpha, float[] a, int aOff, int ars, int acs,
                                float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc,
                                boolean parallel) {
        float[] rows = a;
        int rowsOff = aOff;
        int rowsLd = ars;
        if (acs != 1) {
            // A transposed: copy its few rows to be contiguous along k.
            rows = Scratch.floats(Scratch.GEMM_PACKED_A, m * k);
            for (int i = 0; i < m; i++) {
                for (int p = 0; p < k; p++) {
                    rows[i * k + p] = a[aOff + i * ars + p * acs];
                }
            }
            rowsOff = 0;
            rowsLd = k;
        }
        float[] x = rows;
        int xOff = rowsOff;
        int xLd = rowsLd;
        int blocks = (n + DOT_COLUMNS - 1) / DOT_COLUMNS;
        if (parallel) {
            Parallel.forEach(blocks, t -> dotBlock(t, m, n, k, alpha, x, xOff, xLd, b, bOff, ldb, beta, c, cOff, ldc));
        } else {
            // No closure on this path: serving sessions call it and must not allocate.
            for (int t = 0; t < blocks; t++) {
                dotBlock(t, m, n, k, alpha, x, xOff, xLd, b, bOff, ldb, beta, c, cOff, ldc);
            }
        }
    }

    /** Columns {@code [t * DOT_COLUMNS, ...)} of the dot-product path. */
    private static void dotBlock(int t, int m, int n, int k, float alpha, float[] x, int xOff, int xLd, float[] b,
                                 int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        int j0 = t * DOT_COLUMNS;
        int j1 = Math.min(n, j0 + DOT_COLUMNS);
        for (int i = 0; i < m; i++) {
            int ai = xOff + i * xLd;
            int ci = cOff + i * ldc;
            int j = j0;
            for (; j + 4 <= j1; j += 4) {
                SgemmMicroKernels.dot1x4(k, x, ai, b, bOff + j * ldb, ldb, c, ci + j, alpha, beta);
            }
            for (; j < j1; j++) {
                SgemmMicroKernels.dot1x1(k, x, ai, b, bOff + j * ldb, c, ci + j, alpha, beta);
            }
        }
    }

    private static void runStrip(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                 float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                 float beta, float[] c, int cOff, int ldc) {
        Strip strip = STRIPS.get();
        strip.set(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        try {
            strip.run();
        } finally {
            strip.clear();
        }
    }

    /** Tallest A panel: 12 rows with 32 vector registers, else 4 (see the class comment). */
    private static final int MAX_PANEL_ROWS = SgemmMicroKernels.S.vectorBitSize() >= 512 ? MR : 4;

    /** Height of the next A panel when {@code left} (a multiple of 4) rows remain. */
    private static int panelRows(int left) {
        if (left >= MR && MAX_PANEL_ROWS == MR) {
            return MR;
        }
        return left >= 8 && MAX_PANEL_ROWS >= 8 ? 8 : 4;
    }

    /** Runs the micro-kernel for an A panel of {@code rows} = 12, 8 or 4 rows. */
    private static void tile(int rows, int kc, float[] a, int ai, int ars, int acs, float[] b, int bi, int bStride,
                             float[] c, int ci, int ldc, float[] ab) {
        switch (rows) {
            case MR -> SgemmTiles.tile12x2(kc, a, ai, ars, acs, b, bi, bStride, c, ci, ldc, ab);
            case 8 -> SgemmTiles.tile8x2(kc, a, ai, ars, acs, b, bi, bStride, c, ci, ldc, ab);
            case 4 -> SgemmTiles.tile4x2(kc, a, ai, ars, acs, b, bi, bStride, c, ci, ldc, ab);
            default -> throw new AssertionError("no kernel for " + rows + " rows");
        }
    }

    /**
     * One strip of C computed serially. Reused by its thread, so that a call allocates nothing
     * once the thread's buffers have grown to the sizes it needs.
     */
    private static final class Strip {
        // Arguments.
        private boolean transA;
        private boolean transB;
        private int m;
        private int n;
        private int k;
        private float alpha;
        private float beta;
        private float[] a;
        private float[] b;
        private float[] c;
        private int aOff;
        private int lda;
        private int bOff;
        private int ldb;
        private int cOff;
        private int ldc;
        // Strides of op(A)(i, p) in a.
        private int ars;
        private int acs;
        private boolean directB;
        private boolean inPlaceA;
        /** Whether {@code b} holds panels from {@link #packB}, the strip's first being {@code panel0}. */
        private boolean prepackedB;
        private int panel0;
        // The current (jc, pc) block.
        private int jc;
        private int nc;
        private int pc;
        private int kc;
        private int panels;
        private int fullPanels;
        private float betaBlock;
        /** {alpha, betaBlock} for the row-panel kernels (see SgemmTiles#tile12x2). */
        private final float[] alphaBeta = new float[2];
        private float[] ap;
        private float[] bp;
        private float[] edge;

        void set(boolean transA, boolean transB, int m, int n, int k, float alpha,
                 float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                 float beta, float[] c, int cOff, int ldc) {
            this.transA = transA;
            this.transB = transB;
            this.m = m;
            this.n = n;
            this.k = k;
            this.alpha = alpha;
            this.beta = beta;
            this.a = a;
            this.b = b;
            this.c = c;
            this.aOff = aOff;
            this.lda = lda;
            this.bOff = bOff;
            this.ldb = ldb;
            this.cOff = cOff;
            this.ldc = ldc;
            this.ars = transA ? 1 : lda;
            this.acs = transA ? lda : 1;
        }

        /** Drops references to the caller's arrays. */
        void clear() {
            a = null;
            b = null;
            c = null;
            prepackedB = false;
        }

        void run() {
            directB = !prepackedB && !transB && (m <= 2 * MR || (long) k * n <= DIRECT_B_ELEMENTS);
            inPlaceA = transA ? (long) m * k <= IN_PLACE_A_ELEMENTS && n <= IN_PLACE_A_MAX_N : lda <= IN_PLACE_A_MAX_LD;
            edge = Scratch.floats(Scratch.GEMM_EDGE_TILE, MR * NR);
            for (jc = 0; jc < n; jc += NC) {
                nc = Math.min(NC, n - jc);
                panels = (nc + NR - 1) / NR;
                fullPanels = nc / NR;
                for (pc = 0; pc < k; pc += KC) {
                    kc = Math.min(KC, k - pc);
                    betaBlock = pc == 0 ? beta : 1f;
                    alphaBeta[0] = alpha;
                    alphaBeta[1] = betaBlock;
                    packB();
                    if (!inPlaceA) {
                        ap = Scratch.floats(Scratch.GEMM_PACKED_A, MC * kc);
                    }
                    for (int ic = 0; ic < m; ic += MC) {
                        rowBlock(ic, Math.min(MC, m - ic));
                    }
                }
            }
        }

        /** Packs the B panels of the current block; in place, only a partial last panel. */
        private void packB() {
            if (prepackedB) {
                bp = b;
                return;
            }
            if (directB) {
                if (fullPanels < panels) {
                    bp = Scratch.floats(Scratch.GEMM_PACKED_B, kc * NR);
                    packBPanel(fullPanels, 0);
                }
                return;
            }
            bp = Scratch.floats(Scratch.GEMM_PACKED_B, panels * kc * NR);
            for (int q = 0; q < panels; q++) {
                packBPanel(q, q * kc * NR);
            }
        }

        /** Packs B panel {@code q} of the current block at {@code bp[dst]}, zero-padded to NR. */
        private void packBPanel(int q, int dst) {
            int j0 = jc + q * NR;
            int cols = Math.min(NR, n - j0);
            if (!transB && cols == NR) {
                SgemmPacking.copyRows(kc, b, bOff + pc * ldb + j0, ldb, bp, dst);
                return;
            }
            if (transB) {
                // Column j of op(B) is row j0 + j of the stored B. Transpose in blocks of 16 k
                // indices, so that the 16 panel rows written and the cols source lines read
                // stay in L1 (a whole panel, up to 96 KiB, does not).
                for (int p0 = 0; p0 < kc; p0 += 16) {
                    int p1 = Math.min(kc, p0 + 16);
                    for (int j = 0; j < cols; j++) {
                        int s = bOff + (j0 + j) * ldb + pc;
                        for (int p = p0, d = dst + p0 * NR + j; p < p1; p++, d += NR) {
                            bp[d] = b[s + p];
                        }
                    }
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(b, bOff + (pc + p) * ldb + j0, bp, dst + p * NR, cols);
                }
            }
            for (int p = 0; p < kc && cols < NR; p++) {
                java.util.Arrays.fill(bp, dst + p * NR + cols, dst + (p + 1) * NR, 0f);
            }
        }

        /**
         * Packs {@code packed} rows of op(A) from row {@code i0} (k range of the current block)
         * at {@code ap[0]}, in the panels {@link #panelRows} gives (12s, then at most one 8 and
         * one 4: any multiple of 4 is covered). Panel {@code r0} holds, for each k index, its
         * row values.
         */
        private void packA(int i0, int packed) {
            for (int r0 = 0; r0 < packed; r0 += panelRows(packed - r0)) {
                int w = panelRows(packed - r0);
                int dst = r0 * kc;
                int s = aOff + (i0 + r0) * ars + pc * acs;
                if (w == MR && !transA) {
                    SgemmPacking.interleave12Rows(kc, a, s, lda, ap, dst);
                    continue;
                }
                // Written in order, read from w streams (rows of A, or one row of a transposed A).
                for (int p = 0; p < kc; p++, s += acs, dst += w) {
                    for (int r = 0; r < w; r++) {
                        ap[dst + r] = a[s + r * ars];
                    }
                }
            }
        }

        private boolean panelInPlace(int q) {
            return directB && q < fullPanels;
        }

        private float[] panelArray(int q) {
            return panelInPlace(q) ? b : bp;
        }

        private int panelStart(int q) {
            if (prepackedB) {
                return (panel0 + jc / NR + q) * k * NR + pc * NR;
            }
            if (panelInPlace(q)) {
                return bOff + pc * ldb + jc + q * NR;
            }
            return directB ? 0 : q * kc * NR;
        }

        private int panelStride(int q) {
            return panelInPlace(q) ? ldb : NR;
        }

        /** Rows {@code [i0, i0 + rows)} of C against every B panel of the current block. */
        private void rowBlock(int i0, int rows) {
            int packed = rows & ~3;
            if (!inPlaceA) {
                packA(i0, packed);
            }
            for (int q = 0; q < panels; q++) {
                float[] bq = panelArray(q);
                int bi = panelStart(q);
                int bs = panelStride(q);
                int cols = Math.min(NR, nc - q * NR);
                int ci = cOff + i0 * ldc + jc + q * NR;
                for (int r0 = 0; r0 < packed; ) {
                    int w = panelRows(packed - r0);
                    // The A panel: packed (w values per k index) or read in place.
                    float[] aq = inPlaceA ? a : ap;
                    int ai = inPlaceA ? aOff + (i0 + r0) * ars + pc * acs : r0 * kc;
                    int rowStride = inPlaceA ? ars : 1;
                    int kStride = inPlaceA ? acs : w;
                    if (cols == NR) {
                        tile(w, kc, aq, ai, rowStride, kStride, bq, bi, bs, c, ci + r0 * ldc, ldc, alphaBeta);
                    } else {
                        tile(w, kc, aq, ai, rowStride, kStride, bq, bi, bs, edge, 0, NR, UNSCALED);
                        SgemmMicroKernels.mergeTile(edge, NR, w, cols, c, ci + r0 * ldc, ldc, alpha, betaBlock);
                    }
                    r0 += w;
                }
            }
            for (int i = i0 + packed; i < i0 + rows; i++) {
                leftoverRow(i);
            }
        }

        /** One row of C (below the last 4-row panel) over every B panel of the current block. */
        private void leftoverRow(int i) {
            int ai = aOff + i * ars + pc * acs;
            int ci = cOff + i * ldc + jc;
            int q = 0;
            for (; q + ROW_GROUP <= fullPanels; q += ROW_GROUP) {
                int bPanel = panelInPlace(q) ? NR : prepackedB ? k * NR : kc * NR;
                SgemmMicroKernels.row1x8(kc, a, ai, acs, panelArray(q), panelStart(q), panelStride(q), bPanel,
                        c, ci + q * NR, alpha, betaBlock);
            }
            for (; q < panels; q++) {
                int cols = Math.min(NR, nc - q * NR);
                if (cols == NR) {
                    SgemmMicroKernels.row1x2(kc, a, ai, acs, panelArray(q), panelStart(q), panelStride(q),
                            c, ci + q * NR, alpha, betaBlock);
                } else {
                    SgemmMicroKernels.row1x2(kc, a, ai, acs, panelArray(q), panelStart(q), panelStride(q),
                            edge, 0, 1f, 0f);
                    SgemmMicroKernels.mergeTile(edge, NR, 1, cols, c, ci + q * NR, ldc, alpha, betaBlock);
                }
            }
        }
    }
}
