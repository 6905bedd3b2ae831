package dev.lanes.kernel.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Register-blocked SGEMM inner kernels.
 *
 * <p>Every element of C is computed the same way by every kernel here: an accumulator starts at
 * zero and takes one fused multiply-add per k index, in increasing order; the result is written
 * as {@code alpha * acc} or {@code alpha * acc + beta * c}. The kernels therefore agree bit for
 * bit with each other, so how a matrix is cut into tiles (and across threads) never shows in the
 * result.
 *
 * <p>{@link #tile12x2} holds a 12 x 2-vector block of C in 24 accumulators (with 512-bit vectors:
 * 12 x 32 floats), leaving room in the 32 vector registers for two B vectors and one broadcast
 * of A. Per k index it issues 2 loads, 12 broadcasts and 24 FMAs, so it is bound by FMA
 * throughput, not by loads. {@link #tile8x2} and {@link #tile4x2} take the rows left over below
 * the last 12-row panel at full speed (a power-of-two m leaves 4 or 8); they still have 8 or more
 * independent accumulators to cover the FMA latency. The one-row kernels cover the last 1 to 3
 * rows and the matrix-vector case.
 */
final class SgemmMicroKernels {

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Rows of the main micro-tile. */
    static final int MR = 12;
    /** Columns of the main micro-tile: two vectors. */
    static final int NR = 2 * L;

    /** Stands in for C when beta == 0, so that C is written without being read. */
    private static final float[] ZEROS = new float[8 * NR];
    /** Lane i takes lane i + w (mod L), for w = L/2, L/4, ..., 1: the dot products' fixed fold. */
    private static final VectorShuffle<Float>[] FOLDS = folds();

    private SgemmMicroKernels() {
    }

    /**
     * C[12 x NR] (=|+=) alpha * A * B over {@code kc} steps.
     *
     * @param ap      A values: row {@code r} of k index {@code p} at {@code ai + r * ars + p * acs}
     *                (a packed panel has {@code ars = 1, acs = 12}; an untransposed A read in
     *                place has {@code ars = lda, acs = 1}). The row offsets are hoisted out of
     *                the loop, and measured as fast as constant offsets.
     * @param ai      start of the panel in {@code ap}
     * @param ars     distance between rows of the panel
     * @param acs     distance between k indices
     * @param b       B values: for each k index, NR consecutive column values
     * @param bi      start of the first row in {@code b}
     * @param bStride distance between consecutive k rows in {@code b}
     * @param ab      {@code {alpha, beta}}; beta 0 overwrites C without reading it. Passed in
     *                an array, not as two floats: float arguments would sit in vector registers
     *                for the whole k loop, and with 24 accumulators, 2 B vectors and the A
     *                broadcast that spills, and the kernel runs far slower.
     */
    static void tile12x2(int kc, float[] ap, int ai, int ars, int acs, float[] b, int bi, int bStride,
                         float[] c, int ci, int ldc, float[] ab) {
        int r1 = 1 * ars;
        int r2 = 2 * ars;
        int r3 = 3 * ars;
        int r4 = 4 * ars;
        int r5 = 5 * ars;
        int r6 = 6 * ars;
        int r7 = 7 * ars;
        int r8 = 8 * ars;
        int r9 = 9 * ars;
        int r10 = 10 * ars;
        int r11 = 11 * ars;
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        FloatVector c80 = z, c81 = z, c90 = z, c91 = z, ca0 = z, ca1 = z, cb0 = z, cb1 = z;
        for (int p = 0; p < kc; p++, ai += acs, bi += bStride) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector a;
            a = FloatVector.broadcast(S, ap[ai]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, ap[ai + r1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, ap[ai + r2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, ap[ai + r3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, ap[ai + r4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, ap[ai + r5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(S, ap[ai + r6]);
            c60 = a.fma(b0, c60);
            c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(S, ap[ai + r7]);
            c70 = a.fma(b0, c70);
            c71 = a.fma(b1, c71);
            a = FloatVector.broadcast(S, ap[ai + r8]);
            c80 = a.fma(b0, c80);
            c81 = a.fma(b1, c81);
            a = FloatVector.broadcast(S, ap[ai + r9]);
            c90 = a.fma(b0, c90);
            c91 = a.fma(b1, c91);
            a = FloatVector.broadcast(S, ap[ai + r10]);
            ca0 = a.fma(b0, ca0);
            ca1 = a.fma(b1, ca1);
            a = FloatVector.broadcast(S, ap[ai + r11]);
            cb0 = a.fma(b0, cb0);
            cb1 = a.fma(b1, cb1);
        }
        // C = alpha * acc + beta * R, where R is C itself, or a row of zeros when beta == 0 so
        // that C is never read then. The stores call the Vector API directly: its methods are
        // force-inlined, while a helper of our own would fall past C2's inlining node budget
        // (this method is large) and box every accumulator passed to it.
        float alpha = ab[0];
        float beta = ab[1];
        int rs = beta == 0f ? 0 : ldc;
        float[] r = beta == 0f ? ZEROS : c;
        int ri = beta == 0f ? 0 : ci;
        c00.mul(alpha).add(FloatVector.fromArray(S, r, ri).mul(beta)).intoArray(c, ci);
        c01.mul(alpha).add(FloatVector.fromArray(S, r, ri + L).mul(beta)).intoArray(c, ci + L);
        c10.mul(alpha).add(FloatVector.fromArray(S, r, ri + rs).mul(beta)).intoArray(c, ci + ldc);
        c11.mul(alpha).add(FloatVector.fromArray(S, r, ri + rs + L).mul(beta)).intoArray(c, ci + ldc + L);
        c20.mul(alpha).add(FloatVector.fromArray(S, r, ri + 2 * rs).mul(beta)).intoArray(c, ci + 2 * ldc);
        c21.mul(alpha).add(FloatVector.fromArray(S, r, ri + 2 * rs + L).mul(beta)).intoArray(c, ci + 2 * ldc + L);
        c30.mul(alpha).add(FloatVector.fromArray(S, r, ri + 3 * rs).mul(beta)).intoArray(c, ci + 3 * ldc);
        c31.mul(alpha).add(FloatVector.fromArray(S, r, ri + 3 * rs + L).mul(beta)).intoArray(c, ci + 3 * ldc + L);
        c40.mul(alpha).add(FloatVector.fromArray(S, r, ri + 4 * rs).mul(beta)).intoArray(c, ci + 4 * ldc);
        c41.mul(alpha).add(FloatVector.fromArray(S, r, ri + 4 * rs + L).mul(beta)).intoArray(c, ci + 4 * ldc + L);
        c50.mul(alpha).add(FloatVector.fromArray(S, r, ri + 5 * rs).mul(beta)).intoArray(c, ci + 5 * ldc);
        c51.mul(alpha).add(FloatVector.fromArray(S, r, ri + 5 * rs + L).mul(beta)).intoArray(c, ci + 5 * ldc + L);
        c60.mul(alpha).add(FloatVector.fromArray(S, r, ri + 6 * rs).mul(beta)).intoArray(c, ci + 6 * ldc);
        c61.mul(alpha).add(FloatVector.fromArray(S, r, ri + 6 * rs + L).mul(beta)).intoArray(c, ci + 6 * ldc + L);
        c70.mul(alpha).add(FloatVector.fromArray(S, r, ri + 7 * rs).mul(beta)).intoArray(c, ci + 7 * ldc);
        c71.mul(alpha).add(FloatVector.fromArray(S, r, ri + 7 * rs + L).mul(beta)).intoArray(c, ci + 7 * ldc + L);
        c80.mul(alpha).add(FloatVector.fromArray(S, r, ri + 8 * rs).mul(beta)).intoArray(c, ci + 8 * ldc);
        c81.mul(alpha).add(FloatVector.fromArray(S, r, ri + 8 * rs + L).mul(beta)).intoArray(c, ci + 8 * ldc + L);
        c90.mul(alpha).add(FloatVector.fromArray(S, r, ri + 9 * rs).mul(beta)).intoArray(c, ci + 9 * ldc);
        c91.mul(alpha).add(FloatVector.fromArray(S, r, ri + 9 * rs + L).mul(beta)).intoArray(c, ci + 9 * ldc + L);
        ca0.mul(alpha).add(FloatVector.fromArray(S, r, ri + 10 * rs).mul(beta)).intoArray(c, ci + 10 * ldc);
        ca1.mul(alpha).add(FloatVector.fromArray(S, r, ri + 10 * rs + L).mul(beta)).intoArray(c, ci + 10 * ldc + L);
        cb0.mul(alpha).add(FloatVector.fromArray(S, r, ri + 11 * rs).mul(beta)).intoArray(c, ci + 11 * ldc);
        cb1.mul(alpha).add(FloatVector.fromArray(S, r, ri + 11 * rs + L).mul(beta)).intoArray(c, ci + 11 * ldc + L);
    }

    /** As {@link #tile12x2}, for a panel of 8 rows. */
    static void tile8x2(int kc, float[] ap, int ai, int ars, int acs, float[] b, int bi, int bStride,
                         float[] c, int ci, int ldc, float[] ab) {
        int r1 = 1 * ars;
        int r2 = 2 * ars;
        int r3 = 3 * ars;
        int r4 = 4 * ars;
        int r5 = 5 * ars;
        int r6 = 6 * ars;
        int r7 = 7 * ars;
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        for (int p = 0; p < kc; p++, ai += acs, bi += bStride) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector a;
            a = FloatVector.broadcast(S, ap[ai]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, ap[ai + r1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, ap[ai + r2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, ap[ai + r3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, ap[ai + r4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, ap[ai + r5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(S, ap[ai + r6]);
            c60 = a.fma(b0, c60);
            c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(S, ap[ai + r7]);
            c70 = a.fma(b0, c70);
            c71 = a.fma(b1, c71);
        }
        // Stores as in tile12x2.
        float alpha = ab[0];
        float beta = ab[1];
        int rs = beta == 0f ? 0 : ldc;
        float[] r = beta == 0f ? ZEROS : c;
        int ri = beta == 0f ? 0 : ci;
        c00.mul(alpha).add(FloatVector.fromArray(S, r, ri).mul(beta)).intoArray(c, ci);
        c01.mul(alpha).add(FloatVector.fromArray(S, r, ri + L).mul(beta)).intoArray(c, ci + L);
        c10.mul(alpha).add(FloatVector.fromArray(S, r, ri + rs).mul(beta)).intoArray(c, ci + ldc);
        c11.mul(alpha).add(FloatVector.fromArray(S, r, ri + rs + L).mul(beta)).intoArray(c, ci + ldc + L);
        c20.mul(alpha).add(FloatVector.fromArray(S, r, ri + 2 * rs).mul(beta)).intoArray(c, ci + 2 * ldc);
        c21.mul(alpha).add(FloatVector.fromArray(S, r, ri + 2 * rs + L).mul(beta)).intoArray(c, ci + 2 * ldc + L);
        c30.mul(alpha).add(FloatVector.fromArray(S, r, ri + 3 * rs).mul(beta)).intoArray(c, ci + 3 * ldc);
        c31.mul(alpha).add(FloatVector.fromArray(S, r, ri + 3 * rs + L).mul(beta)).intoArray(c, ci + 3 * ldc + L);
        c40.mul(alpha).add(FloatVector.fromArray(S, r, ri + 4 * rs).mul(beta)).intoArray(c, ci + 4 * ldc);
        c41.mul(alpha).add(FloatVector.fromArray(S, r, ri + 4 * rs + L).mul(beta)).intoArray(c, ci + 4 * ldc + L);
        c50.mul(alpha).add(FloatVector.fromArray(S, r, ri + 5 * rs).mul(beta)).intoArray(c, ci + 5 * ldc);
        c51.mul(alpha).add(FloatVector.fromArray(S, r, ri + 5 * rs + L).mul(beta)).intoArray(c, ci + 5 * ldc + L);
        c60.mul(alpha).add(FloatVector.fromArray(S, r, ri + 6 * rs).mul(beta)).intoArray(c, ci + 6 * ldc);
        c61.mul(alpha).add(FloatVector.fromArray(S, r, ri + 6 * rs + L).mul(beta)).intoArray(c, ci + 6 * ldc + L);
        c70.mul(alpha).add(FloatVector.fromArray(S, r, ri + 7 * rs).mul(beta)).intoArray(c, ci + 7 * ldc);
        c71.mul(alpha).add(FloatVector.fromArray(S, r, ri + 7 * rs + L).mul(beta)).intoArray(c, ci + 7 * ldc + L);
    }

    /** As {@link #tile12x2}, for a panel of 4 rows. */
    static void tile4x2(int kc, float[] ap, int ai, int ars, int acs, float[] b, int bi, int bStride,
                         float[] c, int ci, int ldc, float[] ab) {
        int r1 = 1 * ars;
        int r2 = 2 * ars;
        int r3 = 3 * ars;
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        for (int p = 0; p < kc; p++, ai += acs, bi += bStride) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector a;
            a = FloatVector.broadcast(S, ap[ai]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, ap[ai + r1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, ap[ai + r2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, ap[ai + r3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
        }
        // Stores as in tile12x2.
        float alpha = ab[0];
        float beta = ab[1];
        int rs = beta == 0f ? 0 : ldc;
        float[] r = beta == 0f ? ZEROS : c;
        int ri = beta == 0f ? 0 : ci;
        c00.mul(alpha).add(FloatVector.fromArray(S, r, ri).mul(beta)).intoArray(c, ci);
        c01.mul(alpha).add(FloatVector.fromArray(S, r, ri + L).mul(beta)).intoArray(c, ci + L);
        c10.mul(alpha).add(FloatVector.fromArray(S, r, ri + rs).mul(beta)).intoArray(c, ci + ldc);
        c11.mul(alpha).add(FloatVector.fromArray(S, r, ri + rs + L).mul(beta)).intoArray(c, ci + ldc + L);
        c20.mul(alpha).add(FloatVector.fromArray(S, r, ri + 2 * rs).mul(beta)).intoArray(c, ci + 2 * ldc);
        c21.mul(alpha).add(FloatVector.fromArray(S, r, ri + 2 * rs + L).mul(beta)).intoArray(c, ci + 2 * ldc + L);
        c30.mul(alpha).add(FloatVector.fromArray(S, r, ri + 3 * rs).mul(beta)).intoArray(c, ci + 3 * ldc);
        c31.mul(alpha).add(FloatVector.fromArray(S, r, ri + 3 * rs + L).mul(beta)).intoArray(c, ci + 3 * ldc + L);
    }

    /**
     * One row of C times four NR-wide column panels: C[1 x 4NR] (=|+=) alpha * a * B, with 8
     * accumulators so that FMA latency is hidden even for a single row.
     *
     * @param a            A values, k index {@code p} at {@code ai + p * aStride}
     * @param b            B values, k index {@code p} of panel {@code q} at
     *                     {@code bi + p * bStride + q * bPanel}
     * @param c            C row; the four panels are contiguous there
     */
    static void row1x8(int kc, float[] a, int ai, int aStride, float[] b, int bi, int bStride, int bPanel,
                       float[] c, int ci, float alpha, float beta) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c0 = z, c1 = z, c2 = z, c3 = z, c4 = z, c5 = z, c6 = z, c7 = z;
        int b1 = bi + bPanel;
        int b2 = bi + 2 * bPanel;
        int b3 = bi + 3 * bPanel;
        for (int p = 0; p < kc; p++) {
            FloatVector av = FloatVector.broadcast(S, a[ai + p * aStride]);
            int o = p * bStride;
            c0 = av.fma(FloatVector.fromArray(S, b, bi + o), c0);
            c1 = av.fma(FloatVector.fromArray(S, b, bi + o + L), c1);
            c2 = av.fma(FloatVector.fromArray(S, b, b1 + o), c2);
            c3 = av.fma(FloatVector.fromArray(S, b, b1 + o + L), c3);
            c4 = av.fma(FloatVector.fromArray(S, b, b2 + o), c4);
            c5 = av.fma(FloatVector.fromArray(S, b, b2 + o + L), c5);
            c6 = av.fma(FloatVector.fromArray(S, b, b3 + o), c6);
            c7 = av.fma(FloatVector.fromArray(S, b, b3 + o + L), c7);
        }
        float[] r = beta == 0f ? ZEROS : c;
        int ri = beta == 0f ? 0 : ci;
        c0.mul(alpha).add(FloatVector.fromArray(S, r, ri).mul(beta)).intoArray(c, ci);
        c1.mul(alpha).add(FloatVector.fromArray(S, r, ri + L).mul(beta)).intoArray(c, ci + L);
        c2.mul(alpha).add(FloatVector.fromArray(S, r, ri + 2 * L).mul(beta)).intoArray(c, ci + 2 * L);
        c3.mul(alpha).add(FloatVector.fromArray(S, r, ri + 3 * L).mul(beta)).intoArray(c, ci + 3 * L);
        c4.mul(alpha).add(FloatVector.fromArray(S, r, ri + 4 * L).mul(beta)).intoArray(c, ci + 4 * L);
        c5.mul(alpha).add(FloatVector.fromArray(S, r, ri + 5 * L).mul(beta)).intoArray(c, ci + 5 * L);
        c6.mul(alpha).add(FloatVector.fromArray(S, r, ri + 6 * L).mul(beta)).intoArray(c, ci + 6 * L);
        c7.mul(alpha).add(FloatVector.fromArray(S, r, ri + 7 * L).mul(beta)).intoArray(c, ci + 7 * L);
    }

    /** One row of C times one NR-wide column panel; arguments as in {@link #row1x8}. */
    static void row1x2(int kc, float[] a, int ai, int aStride, float[] b, int bi, int bStride,
                       float[] c, int ci, float alpha, float beta) {
        FloatVector c0 = FloatVector.zero(S);
        FloatVector c1 = c0;
        for (int p = 0; p < kc; p++) {
            FloatVector av = FloatVector.broadcast(S, a[ai + p * aStride]);
            int o = bi + p * bStride;
            c0 = av.fma(FloatVector.fromArray(S, b, o), c0);
            c1 = av.fma(FloatVector.fromArray(S, b, o + L), c1);
        }
        float[] r = beta == 0f ? ZEROS : c;
        int ri = beta == 0f ? 0 : ci;
        c0.mul(alpha).add(FloatVector.fromArray(S, r, ri).mul(beta)).intoArray(c, ci);
        c1.mul(alpha).add(FloatVector.fromArray(S, r, ri + L).mul(beta)).intoArray(c, ci + L);
    }

    /**
     * Dot products of one row of A with four rows of a stored (transposed) B, for the
     * matrix-vector shapes {@code x * W^T} where packing B would cost more than the product.
     * Each result is the same arithmetic as {@link #dot1x1}: lane-wise FMAs over full vectors of
     * k in increasing order, the lanes folded in a fixed tree (lane i plus lane i + w, for w =
     * L/2 down to 1), then the k tail added in order with scalar FMAs; so it does not matter
     * which of the two computes an element. The lanes are not summed with
     * {@code reduceLanes(ADD)}: its order is unspecified and differs between the interpreter and
     * C2, which broke bit-identity between threads in testing. The fold is lane-wise adds, the
     * same in both, and took the LSTM(128, 256) input GEMM at batch 1 from 13-17 us (lanes
     * stored and summed one by one) to about 7 us.
     */
    static void dot1x4(int k, float[] a, int ai, float[] b, int bi, int ldb, float[] c, int ci,
                       float alpha, float beta) {
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        int b1 = bi + ldb;
        int b2 = bi + 2 * ldb;
        int b3 = bi + 3 * ldb;
        int bound = S.loopBound(k);
        for (int p = 0; p < bound; p += L) {
            FloatVector av = FloatVector.fromArray(S, a, ai + p);
            s0 = av.fma(FloatVector.fromArray(S, b, bi + p), s0);
            s1 = av.fma(FloatVector.fromArray(S, b, b1 + p), s1);
            s2 = av.fma(FloatVector.fromArray(S, b, b2 + p), s2);
            s3 = av.fma(FloatVector.fromArray(S, b, b3 + p), s3);
        }
        for (VectorShuffle<Float> fold : FOLDS) {
            s0 = s0.add(s0.rearrange(fold));
            s1 = s1.add(s1.rearrange(fold));
            s2 = s2.add(s2.rearrange(fold));
            s3 = s3.add(s3.rearrange(fold));
        }
        float d0 = s0.lane(0);
        float d1 = s1.lane(0);
        float d2 = s2.lane(0);
        float d3 = s3.lane(0);
        for (int p = bound; p < k; p++) {
            float ap = a[ai + p];
            d0 = Math.fma(ap, b[bi + p], d0);
            d1 = Math.fma(ap, b[b1 + p], d1);
            d2 = Math.fma(ap, b[b2 + p], d2);
            d3 = Math.fma(ap, b[b3 + p], d3);
        }
        putScalar(d0, c, ci, alpha, beta);
        putScalar(d1, c, ci + 1, alpha, beta);
        putScalar(d2, c, ci + 2, alpha, beta);
        putScalar(d3, c, ci + 3, alpha, beta);
    }

    /** One dot product, computed exactly as each of the four in {@link #dot1x4}. */
    static void dot1x1(int k, float[] a, int ai, float[] b, int bi, float[] c, int ci, float alpha, float beta) {
        FloatVector s0 = FloatVector.zero(S);
        int bound = S.loopBound(k);
        for (int p = 0; p < bound; p += L) {
            s0 = FloatVector.fromArray(S, a, ai + p).fma(FloatVector.fromArray(S, b, bi + p), s0);
        }
        for (VectorShuffle<Float> fold : FOLDS) {
            s0 = s0.add(s0.rearrange(fold));
        }
        float d = s0.lane(0);
        for (int p = bound; p < k; p++) {
            d = Math.fma(a[ai + p], b[bi + p], d);
        }
        putScalar(d, c, ci, alpha, beta);
    }

    @SuppressWarnings({"unchecked", "rawtypes"}) // no generic array creation in Java
    private static VectorShuffle<Float>[] folds() {
        int steps = Integer.numberOfTrailingZeros(L);
        VectorShuffle<Float>[] f = new VectorShuffle[steps];
        for (int s = 0, w = L / 2; s < steps; s++, w /= 2) {
            int shift = w;
            f[s] = VectorShuffle.fromOp(S, i -> (i + shift) & (L - 1));
        }
        return f;
    }

    /** {@code c = alpha * d + beta * c}, or {@code alpha * d + 0} without reading C when beta == 0. */
    private static void putScalar(float d, float[] c, int ci, float alpha, float beta) {
        c[ci] = alpha * d + (beta == 0f ? 0f : beta * c[ci]);
    }

    /**
     * Merges a tile computed with {@code alpha = 1, beta = 0} into C with the same arithmetic
     * as the kernels' stores: {@code c = alpha * t + beta * c}, with C replaced by zeros when
     * {@code beta == 0}. (The unscaled tile itself holds {@code acc * 1 + 0 * 0}, which turns a
     * -0 accumulator into +0; whether an element goes through here depends only on its column,
     * never on the thread split, so this cannot break bit-identity across thread counts.)
     */
    static void mergeTile(float[] t, int ldt, int rows, int cols, float[] c, int ci, int ldc,
                          float alpha, float beta) {
        for (int r = 0; r < rows; r++) {
            int tr = r * ldt;
            int cr = ci + r * ldc;
            for (int j = 0; j < cols; j++) {
                c[cr + j] = alpha * t[tr + j] + (beta == 0f ? 0f : beta * c[cr + j]);
            }
        }
    }
}
