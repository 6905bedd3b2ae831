package dev.lanes.kernel.vector;

import static dev.lanes.kernel.vector.SgemmMicroKernels.L;
import static dev.lanes.kernel.vector.SgemmMicroKernels.MR;
import static dev.lanes.kernel.vector.SgemmMicroKernels.NR;
import static dev.lanes.kernel.vector.SgemmMicroKernels.S;

import jdk.incubator.vector.FloatVector;

/** The fast cases of SGEMM packing; {@link VectorSgemm} keeps the general loops. */
final class SgemmPacking {

    private SgemmPacking() {
    }

    /**
     * Copies {@code kc} rows of NR floats (row stride {@code ld}) into a contiguous panel: the
     * common case of packing an untransposed B, two vector moves per row.
     */
    static void copyRows(int kc, float[] src, int s, int ld, float[] dst, int d) {
        for (int p = 0; p < kc; p++, s += ld, d += NR) {
            FloatVector.fromArray(S, src, s).intoArray(dst, d);
            FloatVector.fromArray(S, src, s + L).intoArray(dst, d + L);
        }
    }

    /**
     * Interleaves 12 rows of an untransposed A (row stride {@code lda}, {@code kc} values each)
     * into a panel holding, for each k index, the 12 row values. Unrolled over the rows so that
     * every load has a loop-invariant offset.
     */
    static void interleave12Rows(int kc, float[] a, int s, int lda, float[] ap, int d) {
        int o1 = lda;
        int o2 = 2 * lda;
        int o3 = 3 * lda;
        int o4 = 4 * lda;
        int o5 = 5 * lda;
        int o6 = 6 * lda;
        int o7 = 7 * lda;
        int o8 = 8 * lda;
        int o9 = 9 * lda;
        int o10 = 10 * lda;
        int o11 = 11 * lda;
        for (int p = 0; p < kc; p++, s++, d += MR) {
            ap[d] = a[s];
            ap[d + 1] = a[s + o1];
            ap[d + 2] = a[s + o2];
            ap[d + 3] = a[s + o3];
            ap[d + 4] = a[s + o4];
            ap[d + 5] = a[s + o5];
            ap[d + 6] = a[s + o6];
            ap[d + 7] = a[s + o7];
            ap[d + 8] = a[s + o8];
            ap[d + 9] = a[s + o9];
            ap[d + 10] = a[s + o10];
            ap[d + 11] = a[s + o11];
        }
    }
}
