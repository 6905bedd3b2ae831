package dev.lanes.kernel.vector;

import static dev.lanes.kernel.vector.SgemmMicroKernels.L;
import static dev.lanes.kernel.vector.SgemmMicroKernels.S;

import dev.lanes.kernel.internal.GatherBlas;
import dev.lanes.kernel.internal.GatherGemm;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * {@code GatherBlas.sgemmGatherBRowEdges} with vectors: the tiles of {@link GatherMicroKernels}, with
 * the loads of B masked for the first and last tap of every three, so that the lanes of an
 * image row's first column (left tap) and last column (right tap) read as zero. Each tile gets
 * the two masks of its column block as bits (a vector cannot be passed to a method that is not
 * inlined without being boxed); inside the k loop the mask is picked per tap rather than the
 * loop being unrolled by the three taps, which would run the 12-row tile out of registers.
 * Masking the edges spares the padded plane and its copy-out. Masked lanes load zero and still
 * take their FMA, as {@link GatherGemm#blockRowEdges} does, so both providers give the same
 * bits.
 */
final class GatherRowEdgeMicroKernels {

    private GatherRowEdgeMicroKernels() {
    }

    /**
     * @return the lanes kept among the two vectors of columns from {@code j}: bit {@code l} is clear
     *         where column {@code j + l} is at {@code col} of its row ({@code 0} for the left tap,
     *         {@code width - 1} for the right one)
     */
    static long edgeBits(int j, int width, int col) {
        long dropped = 0;
        for (int l = Math.floorMod(col - j, width); l < 2 * L; l += width) {
            dropped |= 1L << l;
        }
        return ~dropped;
    }

    static void tile12(int k, float[] a, int ai, int lda, float[] b, int bj, int[] rows, int ro,
            float[] c, int ci, int ldc, long left, long right) {
        VectorMask<Float> left0 = VectorMask.fromLong(S, left);
        VectorMask<Float> left1 = VectorMask.fromLong(S, left >>> L);
        VectorMask<Float> right0 = VectorMask.fromLong(S, right);
        VectorMask<Float> right1 = VectorMask.fromLong(S, right >>> L);
        VectorMask<Float> all = VectorMask.fromLong(S, -1L);
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        FloatVector c80 = z, c81 = z, c90 = z, c91 = z, ca0 = z, ca1 = z, cb0 = z, cb1 = z;
        int tap = 0;
        for (int p = 0; p < k; p++, ai++) {
            VectorMask<Float> m0 = tap == 0 ? left0 : tap == 2 ? right0 : all;
            VectorMask<Float> m1 = tap == 0 ? left1 : tap == 2 ? right1 : all;
            tap = tap == 2 ? 0 : tap + 1;
            int bi = bj + rows[ro + p];
            FloatVector b0 = FloatVector.fromArray(S, b, bi, m0);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L, m1);
            FloatVector v;
            v = FloatVector.broadcast(S, a[ai]);
            c00 = v.fma(b0, c00);
            c01 = v.fma(b1, c01);
            v = FloatVector.broadcast(S, a[ai + lda]);
            c10 = v.fma(b0, c10);
            c11 = v.fma(b1, c11);
            v = FloatVector.broadcast(S, a[ai + 2 * lda]);
            c20 = v.fma(b0, c20);
            c21 = v.fma(b1, c21);
            v = FloatVector.broadcast(S, a[ai + 3 * lda]);
            c30 = v.fma(b0, c30);
            c31 = v.fma(b1, c31);
            v = FloatVector.broadcast(S, a[ai + 4 * lda]);
            c40 = v.fma(b0, c40);
            c41 = v.fma(b1, c41);
            v = FloatVector.broadcast(S, a[ai + 5 * lda]);
            c50 = v.fma(b0, c50);
            c51 = v.fma(b1, c51);
            v = FloatVector.broadcast(S, a[ai + 6 * lda]);
            c60 = v.fma(b0, c60);
            c61 = v.fma(b1, c61);
            v = FloatVector.broadcast(S, a[ai + 7 * lda]);
            c70 = v.fma(b0, c70);
            c71 = v.fma(b1, c71);
            v = FloatVector.broadcast(S, a[ai + 8 * lda]);
            c80 = v.fma(b0, c80);
            c81 = v.fma(b1, c81);
            v = FloatVector.broadcast(S, a[ai + 9 * lda]);
            c90 = v.fma(b0, c90);
            c91 = v.fma(b1, c91);
            v = FloatVector.broadcast(S, a[ai + 10 * lda]);
            ca0 = v.fma(b0, ca0);
            ca1 = v.fma(b1, ca1);
            v = FloatVector.broadcast(S, a[ai + 11 * lda]);
            cb0 = v.fma(b0, cb0);
            cb1 = v.fma(b1, cb1);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c10.intoArray(c, ci + ldc);
        c11.intoArray(c, ci + ldc + L);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + L);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + L);
        c40.intoArray(c, ci + 4 * ldc);
        c41.intoArray(c, ci + 4 * ldc + L);
        c50.intoArray(c, ci + 5 * ldc);
        c51.intoArray(c, ci + 5 * ldc + L);
        c60.intoArray(c, ci + 6 * ldc);
        c61.intoArray(c, ci + 6 * ldc + L);
        c70.intoArray(c, ci + 7 * ldc);
        c71.intoArray(c, ci + 7 * ldc + L);
        c80.intoArray(c, ci + 8 * ldc);
        c81.intoArray(c, ci + 8 * ldc + L);
        c90.intoArray(c, ci + 9 * ldc);
        c91.intoArray(c, ci + 9 * ldc + L);
        ca0.intoArray(c, ci + 10 * ldc);
        ca1.intoArray(c, ci + 10 * ldc + L);
        cb0.intoArray(c, ci + 11 * ldc);
        cb1.intoArray(c, ci + 11 * ldc + L);
    }

    /** {@link #tile12} one vector wide. */
    static void tile12x1(int k, float[] a, int ai, int lda, float[] b, int bj, int[] rows, int ro,
            float[] c, int ci, int ldc, long left, long right) {
        VectorMask<Float> left0 = VectorMask.fromLong(S, left);
        VectorMask<Float> right0 = VectorMask.fromLong(S, right);
        VectorMask<Float> all = VectorMask.fromLong(S, -1L);
        FloatVector z = FloatVector.zero(S);
        FloatVector c0 = z, c1 = z, c2 = z, c3 = z, c4 = z, c5 = z, c6 = z, c7 = z;
        FloatVector c8 = z, c9 = z, ca = z, cb = z;
        int tap = 0;
        for (int p = 0; p < k; p++, ai++) {
            VectorMask<Float> m0 = tap == 0 ? left0 : tap == 2 ? right0 : all;
            tap = tap == 2 ? 0 : tap + 1;
            int bi = bj + rows[ro + p];
            FloatVector b0 = FloatVector.fromArray(S, b, bi, m0);
            c0 = FloatVector.broadcast(S, a[ai]).fma(b0, c0);
            c1 = FloatVector.broadcast(S, a[ai + lda]).fma(b0, c1);
            c2 = FloatVector.broadcast(S, a[ai + 2 * lda]).fma(b0, c2);
            c3 = FloatVector.broadcast(S, a[ai + 3 * lda]).fma(b0, c3);
            c4 = FloatVector.broadcast(S, a[ai + 4 * lda]).fma(b0, c4);
            c5 = FloatVector.broadcast(S, a[ai + 5 * lda]).fma(b0, c5);
            c6 = FloatVector.broadcast(S, a[ai + 6 * lda]).fma(b0, c6);
            c7 = FloatVector.broadcast(S, a[ai + 7 * lda]).fma(b0, c7);
            c8 = FloatVector.broadcast(S, a[ai + 8 * lda]).fma(b0, c8);
            c9 = FloatVector.broadcast(S, a[ai + 9 * lda]).fma(b0, c9);
            ca = FloatVector.broadcast(S, a[ai + 10 * lda]).fma(b0, ca);
            cb = FloatVector.broadcast(S, a[ai + 11 * lda]).fma(b0, cb);
        }
        c0.intoArray(c, ci);
        c1.intoArray(c, ci + ldc);
        c2.intoArray(c, ci + 2 * ldc);
        c3.intoArray(c, ci + 3 * ldc);
        c4.intoArray(c, ci + 4 * ldc);
        c5.intoArray(c, ci + 5 * ldc);
        c6.intoArray(c, ci + 6 * ldc);
        c7.intoArray(c, ci + 7 * ldc);
        c8.intoArray(c, ci + 8 * ldc);
        c9.intoArray(c, ci + 9 * ldc);
        ca.intoArray(c, ci + 10 * ldc);
        cb.intoArray(c, ci + 11 * ldc);
    }

    static void tile4(int k, float[] a, int ai, int lda, float[] b, int bj, int[] rows, int ro,
            float[] c, int ci, int ldc, long left, long right) {
        VectorMask<Float> left0 = VectorMask.fromLong(S, left);
        VectorMask<Float> left1 = VectorMask.fromLong(S, left >>> L);
        VectorMask<Float> right0 = VectorMask.fromLong(S, right);
        VectorMask<Float> right1 = VectorMask.fromLong(S, right >>> L);
        VectorMask<Float> all = VectorMask.fromLong(S, -1L);
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        int tap = 0;
        for (int p = 0; p < k; p++, ai++) {
            VectorMask<Float> m0 = tap == 0 ? left0 : tap == 2 ? right0 : all;
            VectorMask<Float> m1 = tap == 0 ? left1 : tap == 2 ? right1 : all;
            tap = tap == 2 ? 0 : tap + 1;
            int bi = bj + rows[ro + p];
            FloatVector b0 = FloatVector.fromArray(S, b, bi, m0);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L, m1);
            FloatVector v;
            v = FloatVector.broadcast(S, a[ai]);
            c00 = v.fma(b0, c00);
            c01 = v.fma(b1, c01);
            v = FloatVector.broadcast(S, a[ai + lda]);
            c10 = v.fma(b0, c10);
            c11 = v.fma(b1, c11);
            v = FloatVector.broadcast(S, a[ai + 2 * lda]);
            c20 = v.fma(b0, c20);
            c21 = v.fma(b1, c21);
            v = FloatVector.broadcast(S, a[ai + 3 * lda]);
            c30 = v.fma(b0, c30);
            c31 = v.fma(b1, c31);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c10.intoArray(c, ci + ldc);
        c11.intoArray(c, ci + ldc + L);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + L);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + L);
    }

    /** {@link #tile4} one vector wide. */
    static void tile4x1(int k, float[] a, int ai, int lda, float[] b, int bj, int[] rows, int ro,
            float[] c, int ci, int ldc, long left, long right) {
        VectorMask<Float> left0 = VectorMask.fromLong(S, left);
        VectorMask<Float> right0 = VectorMask.fromLong(S, right);
        VectorMask<Float> all = VectorMask.fromLong(S, -1L);
        FloatVector z = FloatVector.zero(S);
        FloatVector c0 = z, c1 = z, c2 = z, c3 = z;
        int tap = 0;
        for (int p = 0; p < k; p++, ai++) {
            VectorMask<Float> m0 = tap == 0 ? left0 : tap == 2 ? right0 : all;
            tap = tap == 2 ? 0 : tap + 1;
            int bi = bj + rows[ro + p];
            FloatVector b0 = FloatVector.fromArray(S, b, bi, m0);
            c0 = FloatVector.broadcast(S, a[ai]).fma(b0, c0);
            c1 = FloatVector.broadcast(S, a[ai + lda]).fma(b0, c1);
            c2 = FloatVector.broadcast(S, a[ai + 2 * lda]).fma(b0, c2);
            c3 = FloatVector.broadcast(S, a[ai + 3 * lda]).fma(b0, c3);
        }
        c0.intoArray(c, ci);
        c1.intoArray(c, ci + ldc);
        c2.intoArray(c, ci + 2 * ldc);
        c3.intoArray(c, ci + 3 * ldc);
    }
}
