package dev.lanes.kernel.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * SGEMM inner kernels written by hand (the one-row and dot-product kernels and the tile merge),
 * and what they share with the register-blocked tiles of {@link SgemmTiles}, which
 * tools/codegen/MicroKernelGenerator.java generates.
 *
 * <p>Every element of C is computed the same way by every kernel here and in {@link SgemmTiles}:
 * an accumulator starts at zero and takes one fused multiply-add per k index, in increasing order;
 * the result is written as {@code alpha * acc} or {@code alpha * acc + beta * c}. The kernels
 * therefore agree bit for bit with each other, so how a matrix is cut into tiles (and across
 * threads) never shows in the result.
 *
 * <p>{@link SgemmTiles#tile12x2} holds a 12 x 2-vector block of C in 24 accumulators (with 512-bit
 * vectors: 12 x 32 floats), leaving room in the 32 vector registers for two B vectors and one
 * broadcast of A. Per k index it issues 2 loads, 12 broadcasts and 24 FMAs, so it is bound by FMA
 * throughput, not by loads. {@link SgemmTiles#tile8x2} and {@link SgemmTiles#tile4x2} take the rows
 * left over below the last 12-row panel at full speed (a power-of-two m leaves 4 or 8); they still
 * have 8 or more independent accumulators to cover the FMA latency. The one-row kernels cover the
 * last 1 to 3 rows and the matrix-vector case.
 */
final class SgemmMicroKernels {

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Rows of the main micro-tile. */
    static final int MR = 12;
    /** Columns of the main micro-tile: two vectors. */
    static final int NR = 2 * L;

    /** Stands in for C when beta == 0, so that C is written without being read (here and in SgemmTiles). */
    static final float[] ZEROS = new float[8 * NR];
    /** Lane i takes lane i + w (mod L), for w = L/2, L/4, ..., 1: the dot products' fixed fold. */
    private static final VectorShuffle<Float>[] FOLDS = folds();

    private SgemmMicroKernels() {
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
