package dev.lanes.kernel.vector;

import static dev.lanes.kernel.vector.SgemmMicroKernels.MR;
import static dev.lanes.kernel.vector.SgemmMicroKernels.NR;

import dev.lanes.kernel.Parallel;
import dev.lanes.kernel.internal.Scratch;

/**
 * SGEMM in the Goto/BLIS style.
 *
 * <pre>
 * for jc over n in NC columns:                 B block (KC x NC) lives in L3
 *   for pc over k in KC steps:
 *     pack B[pc.., jc..] into NR-wide panels    (parallel over panels)
 *     parallel over output tiles (MC rows x a chunk of panels):
 *       pack A[ic.., pc..] into MR-row panels   A block (MC x KC) lives in L2
 *       for each B panel:                       B panel (KC x NR) lives in L1
 *         for each A panel: 12 x NR micro-kernel
 *       leftover rows (m mod 12): one-row kernels reading A directly
 * </pre>
 *
 * <p>Blocking: KC = 256 keeps one packed B panel (256 x 32 floats = 32 KiB with 512-bit vectors)
 * in the 48 KiB L1 next to the streamed A panel; MC = 96 makes the packed A block 96 KiB, well
 * inside a 1 MiB L2; NC = 2048 bounds the packed B block at 2 MiB.
 *
 * <p>When B is not transposed and either few rows of A exist or B is small, B is read in place
 * (its rows are already contiguous), and only a partial last panel is packed: this is the
 * small-matrix and matrix-vector fast path, where packing would cost as much as the product.
 *
 * <p>Tiles depend only on the shape, and all kernels compute an element identically
 * ({@link SgemmMicroKernels}), so the result is bit-identical for any thread count. The k loop
 * is never split across threads.
 */
final class VectorSgemm {

    static final int KC = 256;
    static final int MC = 8 * MR;
    static final int NC = 64 * NR;
    /** Rows of A packed at once (bounds the packed A buffer at M_CHUNK x KC floats). */
    static final int M_CHUNK = 16 * MC;
    /** Row kernels handle four panels at once. */
    private static final int ROW_GROUP = 4;
    /** Below this many multiply-adds, a call stays on the calling thread. */
    private static final long PARALLEL_MACS = 1L << 20;
    /** B up to this many elements is read in place rather than packed (when not transposed). */
    private static final long DIRECT_B_ELEMENTS = 1L << 15;
    /** Desired number of output tiles, so both threads of a small-m product have work. */
    private static final int TARGET_TILES = 8;

    /** alpha = 1, beta = 0: raw accumulators, for edge tiles merged afterwards. */
    private static final float[] UNSCALED = {1f, 0f};
    private static final ThreadLocal<Call> CALLS = ThreadLocal.withInitial(Call::new);

    private VectorSgemm() {
    }

    /** Height of the next A panel when {@code left} (a multiple of 4) rows remain. */
    private static int panelRows(int left) {
        return left >= MR ? MR : left >= 8 ? 8 : 4;
    }

    /** Runs the micro-kernel for a packed A panel of {@code rows} = 12, 8 or 4 rows. */
    private static void tile(int rows, int kc, float[] ap, int ai, float[] b, int bi, int bStride,
                             float[] c, int ci, int ldc, float[] ab) {
        switch (rows) {
            case MR -> SgemmMicroKernels.tile12x2(kc, ap, ai, b, bi, bStride, c, ci, ldc, ab);
            case 8 -> SgemmMicroKernels.tile8x2(kc, ap, ai, b, bi, bStride, c, ci, ldc, ab);
            case 4 -> SgemmMicroKernels.tile4x2(kc, ap, ai, b, bi, bStride, c, ci, ldc, ab);
            default -> throw new AssertionError("no kernel for " + rows + " rows");
        }
    }

    static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        Call call = CALLS.get();
        call.set(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        try {
            call.run();
        } finally {
            call.clear();
        }
    }

    /**
     * The state of one sgemm call, reused by its thread so that a call allocates nothing. The
     * worker threads only read it while the caller waits in {@link Parallel#forEach}.
     */
    private static final class Call implements Parallel.TileBody {
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
        // The current (jc, pc) block.
        private boolean directB;
        private boolean packing;
        private int jc;
        private int nc;
        private int pc;
        private int kc;
        private float betaBlock;
        /** {alpha, betaBlock} for the 12-row kernel. */
        private final float[] alphaBeta = new float[2];
        private float[] bp;
        private float[] ap;
        private int bTasks;
        private int ic;
        private int mc;
        private int panels;
        private int fullPanels;
        private int rowBlocks;
        private int chunkPanels;
        private int chunks;

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
            bp = null;
            ap = null;
        }

        void run() {
            boolean parallel = (long) m * n * k >= PARALLEL_MACS;
            directB = !transB && (m <= 2 * MR || (long) k * n <= DIRECT_B_ELEMENTS);
            for (jc = 0; jc < n; jc += NC) {
                nc = Math.min(NC, n - jc);
                panels = (nc + NR - 1) / NR;
                fullPanels = nc / NR;
                for (pc = 0; pc < k; pc += KC) {
                    kc = Math.min(KC, k - pc);
                    betaBlock = pc == 0 ? beta : 1f;
                    alphaBeta[0] = alpha;
                    alphaBeta[1] = betaBlock;
                    bp = Scratch.floats(Scratch.GEMM_PACKED_B, (directB ? 1 : panels) * kc * NR);
                    if (directB && fullPanels < panels) {
                        packB(fullPanels, 0);
                    }
                    bTasks = directB ? 0 : panels;
                    for (ic = 0; ic < m; ic += M_CHUNK) {
                        mc = Math.min(M_CHUNK, m - ic);
                        rowBlocks = (mc + MC - 1) / MC;
                        chooseChunks();
                        ap = Scratch.floats(Scratch.GEMM_PACKED_A, rowBlocks * MC * kc);
                        packing = true;
                        forEach(parallel, bTasks + rowBlocks);
                        packing = false;
                        bTasks = 0;
                        forEach(parallel, rowBlocks * chunks);
                    }
                }
            }
        }

        private void forEach(boolean parallel, int tiles) {
            if (parallel) {
                Parallel.forEach(tiles, this);
            } else {
                for (int t = 0; t < tiles; t++) {
                    run(t);
                }
            }
        }

        /** Splits the panels of a column block into chunks so that there are enough tiles. */
        private void chooseChunks() {
            int wanted = Math.max(1, (TARGET_TILES + rowBlocks - 1) / rowBlocks);
            int maxChunks = Math.max(1, (panels + ROW_GROUP - 1) / ROW_GROUP);
            int count = Math.min(wanted, maxChunks);
            int per = (panels + count - 1) / count;
            chunkPanels = (per + ROW_GROUP - 1) / ROW_GROUP * ROW_GROUP;
            chunks = (panels + chunkPanels - 1) / chunkPanels;
        }

        @Override
        public void run(int tile) {
            if (!packing) {
                compute(tile / chunks, tile % chunks);
            } else if (tile < bTasks) {
                packB(tile, tile * kc * NR);
            } else {
                packRowBlock(tile - bTasks);
            }
        }

        /** Packs B panel {@code q} of the current block at {@code bp[dst]}, zero-padded to NR. */
        private void packB(int q, int dst) {
            int j0 = jc + q * NR;
            int cols = Math.min(NR, n - j0);
            for (int p = 0; p < kc; p++) {
                int d = dst + p * NR;
                if (transB) {
                    int s = bOff + j0 * ldb + pc + p;
                    for (int j = 0; j < cols; j++) {
                        bp[d + j] = b[s + j * ldb];
                    }
                } else {
                    System.arraycopy(b, bOff + (pc + p) * ldb + j0, bp, d, cols);
                }
                for (int j = cols; j < NR; j++) {
                    bp[d + j] = 0f;
                }
            }
        }

        /**
         * Packs the rows of one MC row block of op(A) (k range of the current block) at
         * {@code ap[rowBlock * MC * kc]}: panels of 12, then at most one of 8 and one of 4 rows
         * (any multiple of 4 is covered that way); the last 0 to 3 rows are left to the one-row
         * kernels, which read A in place.
         */
        private void packRowBlock(int rowBlock) {
            int i0 = ic + rowBlock * MC;
            int packed = Math.min(MC, ic + mc - i0) & ~3;
            int base = rowBlock * MC * kc;
            for (int r0 = 0; r0 < packed; r0 += panelRows(packed - r0)) {
                int w = panelRows(packed - r0);
                int dst = base + r0 * kc;
                int s = aOff + (i0 + r0) * ars + pc * acs;
                // For each k index, w consecutive row values: written in order, read from w
                // streams (rows of A, or one row of a transposed A).
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
            if (panelInPlace(q)) {
                return bOff + pc * ldb + jc + q * NR;
            }
            return directB ? 0 : q * kc * NR;
        }

        private int panelStride(int q) {
            return panelInPlace(q) ? ldb : NR;
        }

        private void compute(int rowBlock, int chunk) {
            int i0 = ic + rowBlock * MC;
            int rows = Math.min(MC, ic + mc - i0);
            int packed = rows & ~3;
            int base = rowBlock * MC * kc;
            int q0 = chunk * chunkPanels;
            int q1 = Math.min(panels, q0 + chunkPanels);
            float[] edge = Scratch.floats(Scratch.GEMM_EDGE_TILE, MR * NR);
            for (int q = q0; q < q1; q++) {
                float[] bq = panelArray(q);
                int bi = panelStart(q);
                int bs = panelStride(q);
                int cols = Math.min(NR, nc - q * NR);
                int ci = cOff + i0 * ldc + jc + q * NR;
                for (int r0 = 0; r0 < packed; ) {
                    int w = panelRows(packed - r0);
                    if (cols == NR) {
                        tile(w, kc, ap, base + r0 * kc, bq, bi, bs, c, ci + r0 * ldc, ldc, alphaBeta);
                    } else {
                        tile(w, kc, ap, base + r0 * kc, bq, bi, bs, edge, 0, NR, UNSCALED);
                        SgemmMicroKernels.mergeTile(edge, NR, w, cols, c, ci + r0 * ldc, ldc, alpha, betaBlock);
                    }
                    r0 += w;
                }
            }
            for (int i = i0 + packed; i < i0 + rows; i++) {
                leftoverRow(i, q0, q1, edge);
            }
        }

        /** One row of C (below the last full A panel) over panels {@code [q0, q1)}. */
        private void leftoverRow(int i, int q0, int q1, float[] edge) {
            int ai = aOff + i * ars + pc * acs;
            int ci = cOff + i * ldc + jc;
            int q = q0;
            for (; q + ROW_GROUP <= Math.min(q1, fullPanels); q += ROW_GROUP) {
                int bPanel = panelInPlace(q) ? NR : kc * NR;
                SgemmMicroKernels.row1x8(kc, a, ai, acs, panelArray(q), panelStart(q), panelStride(q), bPanel,
                        c, ci + q * NR, alpha, betaBlock);
            }
            for (; q < q1; q++) {
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
