package dev.lanes.kernel.vector;

import static dev.lanes.kernel.vector.SgemmMicroKernels.L;
import static dev.lanes.kernel.vector.SgemmMicroKernels.S;

import dev.lanes.kernel.internal.GatherBlas;
import dev.lanes.kernel.internal.GatherGemm;
import jdk.incubator.vector.FloatVector;

/**
 * {@code GatherBlas.sgemmGatherA} with vectors: each row of A is found through the row table and read
 * in place along k, B is read in place by rows. Tiles of 12 (or 4) rows by two vectors or one
 * vector of columns; 12 rows that are four runs of three adjacent rows (a 3x3 convolution's
 * taps) take tiles that address them from four bases, so the compiled loop's row addresses fit
 * in general registers. Leftover rows and columns go to {@link GatherGemm#blockA}, whose arithmetic
 * every tile follows (an FMA chain from zero in k order, then the old C added when
 * accumulating). Runs on the calling thread.
 */
final class GatherAMicroKernels {

    private static final boolean TALL = S.vectorBitSize() >= 512;

    private GatherAMicroKernels() {
    }

    static void sgemm(int m, int n, int k, float[] a, int aOff, int[] aRows, int aRowsOff, float[] b, int bOff,
                      int ldb, boolean accumulate, float[] c, int cOff, int ldc) {
        int wide = n - n % (2 * L);
        int narrow = n - n % L;
        int i = 0;
        // 12-row tiles need up to 24 accumulators: only with 32 vector registers.
        for (; TALL && i + 12 <= m; i += 12) {
            boolean runs = inRunsOfThree(aRows, aRowsOff + i);
            for (int j = 0; j < wide; j += 2 * L) {
                if (runs) {
                    tile12x2Runs(k, a, aOff, aRows, aRowsOff + i, b, bOff + j, ldb, accumulate, c, cOff + i * ldc + j,
                            ldc);
                } else {
                    tile12x2(k, a, aOff, aRows, aRowsOff + i, b, bOff + j, ldb, accumulate, c, cOff + i * ldc + j, ldc);
                }
            }
            if (narrow > wide && runs) {
                tile12x1Runs(k, a, aOff, aRows, aRowsOff + i, b, bOff + wide, ldb, accumulate, c,
                        cOff + i * ldc + wide, ldc);
            } else if (narrow > wide) {
                tile12x1(k, a, aOff, aRows, aRowsOff + i, b, bOff + wide, ldb, accumulate, c, cOff + i * ldc + wide,
                        ldc);
            }
        }
        for (; i + 4 <= m; i += 4) {
            for (int j = 0; j < wide; j += 2 * L) {
                tile4x2(k, a, aOff, aRows, aRowsOff + i, b, bOff + j, ldb, accumulate, c, cOff + i * ldc + j, ldc);
            }
            if (narrow > wide) {
                tile4x1(k, a, aOff, aRows, aRowsOff + i, b, bOff + wide, ldb, accumulate, c, cOff + i * ldc + wide,
                        ldc);
            }
        }
        GatherGemm.blockA(i, m, 0, narrow, k, a, aOff, aRows, aRowsOff, b, bOff, ldb, accumulate, c, cOff, ldc);
        GatherGemm.blockA(0, m, narrow, n, k, a, aOff, aRows, aRowsOff, b, bOff, ldb, accumulate, c, cOff, ldc);
    }

    /** @return whether rows {@code [ro, ro + 12)} of the table are four runs {@code r, r + 1, r + 2} */
    private static boolean inRunsOfThree(int[] rows, int ro) {
        for (int j = ro; j < ro + 12; j += 3) {
            if (rows[j + 1] != rows[j] + 1 || rows[j + 2] != rows[j] + 2) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@link #tile12x2} when the twelve rows are four runs of three adjacent rows
     * ({@link #inRunsOfThree}), as for a 3x3 convolution's taps: four row bases and fixed offsets
     * 1 and 2 leave the compiled loop enough general registers, where twelve bases are spilled.
     */
    private static void tile12x2Runs(int k, float[] a, int aOff, int[] rows, int ro, float[] b, int bj, int ldb,
                                     boolean accumulate, float[] c, int ci, int ldc) {
        int a0 = aOff + rows[ro];
        int a1 = aOff + rows[ro + 3];
        int a2 = aOff + rows[ro + 6];
        int a3 = aOff + rows[ro + 9];
        FloatVector z = FloatVector.zero(S);
        FloatVector c0_0 = z, c0_1 = z, c1_0 = z, c1_1 = z, c2_0 = z, c2_1 = z, c3_0 = z, c3_1 = z;
        FloatVector c4_0 = z, c4_1 = z, c5_0 = z, c5_1 = z, c6_0 = z, c6_1 = z, c7_0 = z, c7_1 = z;
        FloatVector c8_0 = z, c8_1 = z, c9_0 = z, c9_1 = z, c10_0 = z, c10_1 = z, c11_0 = z, c11_1 = z;
        for (int p = 0, bi = bj; p < k; p++, bi += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector v;
            v = FloatVector.broadcast(S, a[a0 + p]);
            c0_0 = v.fma(b0, c0_0);
            c0_1 = v.fma(b1, c0_1);
            v = FloatVector.broadcast(S, a[a0 + p + 1]);
            c1_0 = v.fma(b0, c1_0);
            c1_1 = v.fma(b1, c1_1);
            v = FloatVector.broadcast(S, a[a0 + p + 2]);
            c2_0 = v.fma(b0, c2_0);
            c2_1 = v.fma(b1, c2_1);
            v = FloatVector.broadcast(S, a[a1 + p]);
            c3_0 = v.fma(b0, c3_0);
            c3_1 = v.fma(b1, c3_1);
            v = FloatVector.broadcast(S, a[a1 + p + 1]);
            c4_0 = v.fma(b0, c4_0);
            c4_1 = v.fma(b1, c4_1);
            v = FloatVector.broadcast(S, a[a1 + p + 2]);
            c5_0 = v.fma(b0, c5_0);
            c5_1 = v.fma(b1, c5_1);
            v = FloatVector.broadcast(S, a[a2 + p]);
            c6_0 = v.fma(b0, c6_0);
            c6_1 = v.fma(b1, c6_1);
            v = FloatVector.broadcast(S, a[a2 + p + 1]);
            c7_0 = v.fma(b0, c7_0);
            c7_1 = v.fma(b1, c7_1);
            v = FloatVector.broadcast(S, a[a2 + p + 2]);
            c8_0 = v.fma(b0, c8_0);
            c8_1 = v.fma(b1, c8_1);
            v = FloatVector.broadcast(S, a[a3 + p]);
            c9_0 = v.fma(b0, c9_0);
            c9_1 = v.fma(b1, c9_1);
            v = FloatVector.broadcast(S, a[a3 + p + 1]);
            c10_0 = v.fma(b0, c10_0);
            c10_1 = v.fma(b1, c10_1);
            v = FloatVector.broadcast(S, a[a3 + p + 2]);
            c11_0 = v.fma(b0, c11_0);
            c11_1 = v.fma(b1, c11_1);
        }
        if (accumulate) {
            c0_0 = c0_0.add(FloatVector.fromArray(S, c, ci + 0 * ldc));
            c0_1 = c0_1.add(FloatVector.fromArray(S, c, ci + 0 * ldc + L));
            c1_0 = c1_0.add(FloatVector.fromArray(S, c, ci + 1 * ldc));
            c1_1 = c1_1.add(FloatVector.fromArray(S, c, ci + 1 * ldc + L));
            c2_0 = c2_0.add(FloatVector.fromArray(S, c, ci + 2 * ldc));
            c2_1 = c2_1.add(FloatVector.fromArray(S, c, ci + 2 * ldc + L));
            c3_0 = c3_0.add(FloatVector.fromArray(S, c, ci + 3 * ldc));
            c3_1 = c3_1.add(FloatVector.fromArray(S, c, ci + 3 * ldc + L));
            c4_0 = c4_0.add(FloatVector.fromArray(S, c, ci + 4 * ldc));
            c4_1 = c4_1.add(FloatVector.fromArray(S, c, ci + 4 * ldc + L));
            c5_0 = c5_0.add(FloatVector.fromArray(S, c, ci + 5 * ldc));
            c5_1 = c5_1.add(FloatVector.fromArray(S, c, ci + 5 * ldc + L));
            c6_0 = c6_0.add(FloatVector.fromArray(S, c, ci + 6 * ldc));
            c6_1 = c6_1.add(FloatVector.fromArray(S, c, ci + 6 * ldc + L));
            c7_0 = c7_0.add(FloatVector.fromArray(S, c, ci + 7 * ldc));
            c7_1 = c7_1.add(FloatVector.fromArray(S, c, ci + 7 * ldc + L));
            c8_0 = c8_0.add(FloatVector.fromArray(S, c, ci + 8 * ldc));
            c8_1 = c8_1.add(FloatVector.fromArray(S, c, ci + 8 * ldc + L));
            c9_0 = c9_0.add(FloatVector.fromArray(S, c, ci + 9 * ldc));
            c9_1 = c9_1.add(FloatVector.fromArray(S, c, ci + 9 * ldc + L));
            c10_0 = c10_0.add(FloatVector.fromArray(S, c, ci + 10 * ldc));
            c10_1 = c10_1.add(FloatVector.fromArray(S, c, ci + 10 * ldc + L));
            c11_0 = c11_0.add(FloatVector.fromArray(S, c, ci + 11 * ldc));
            c11_1 = c11_1.add(FloatVector.fromArray(S, c, ci + 11 * ldc + L));
        }
        c0_0.intoArray(c, ci + 0 * ldc);
        c0_1.intoArray(c, ci + 0 * ldc + L);
        c1_0.intoArray(c, ci + 1 * ldc);
        c1_1.intoArray(c, ci + 1 * ldc + L);
        c2_0.intoArray(c, ci + 2 * ldc);
        c2_1.intoArray(c, ci + 2 * ldc + L);
        c3_0.intoArray(c, ci + 3 * ldc);
        c3_1.intoArray(c, ci + 3 * ldc + L);
        c4_0.intoArray(c, ci + 4 * ldc);
        c4_1.intoArray(c, ci + 4 * ldc + L);
        c5_0.intoArray(c, ci + 5 * ldc);
        c5_1.intoArray(c, ci + 5 * ldc + L);
        c6_0.intoArray(c, ci + 6 * ldc);
        c6_1.intoArray(c, ci + 6 * ldc + L);
        c7_0.intoArray(c, ci + 7 * ldc);
        c7_1.intoArray(c, ci + 7 * ldc + L);
        c8_0.intoArray(c, ci + 8 * ldc);
        c8_1.intoArray(c, ci + 8 * ldc + L);
        c9_0.intoArray(c, ci + 9 * ldc);
        c9_1.intoArray(c, ci + 9 * ldc + L);
        c10_0.intoArray(c, ci + 10 * ldc);
        c10_1.intoArray(c, ci + 10 * ldc + L);
        c11_0.intoArray(c, ci + 11 * ldc);
        c11_1.intoArray(c, ci + 11 * ldc + L);
    }

    /**
     * {@link #tile12x1} when the twelve rows are four runs of three adjacent rows
     * ({@link #inRunsOfThree}), as for a 3x3 convolution's taps: four row bases and fixed offsets
     * 1 and 2 leave the compiled loop enough general registers, where twelve bases are spilled.
     */
    private static void tile12x1Runs(int k, float[] a, int aOff, int[] rows, int ro, float[] b, int bj, int ldb,
                                     boolean accumulate, float[] c, int ci, int ldc) {
        int a0 = aOff + rows[ro];
        int a1 = aOff + rows[ro + 3];
        int a2 = aOff + rows[ro + 6];
        int a3 = aOff + rows[ro + 9];
        FloatVector z = FloatVector.zero(S);
        FloatVector c0_0 = z, c1_0 = z, c2_0 = z, c3_0 = z, c4_0 = z, c5_0 = z;
        FloatVector c6_0 = z, c7_0 = z, c8_0 = z, c9_0 = z, c10_0 = z, c11_0 = z;
        for (int p = 0, bi = bj; p < k; p++, bi += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector v;
            v = FloatVector.broadcast(S, a[a0 + p]);
            c0_0 = v.fma(b0, c0_0);
            v = FloatVector.broadcast(S, a[a0 + p + 1]);
            c1_0 = v.fma(b0, c1_0);
            v = FloatVector.broadcast(S, a[a0 + p + 2]);
            c2_0 = v.fma(b0, c2_0);
            v = FloatVector.broadcast(S, a[a1 + p]);
            c3_0 = v.fma(b0, c3_0);
            v = FloatVector.broadcast(S, a[a1 + p + 1]);
            c4_0 = v.fma(b0, c4_0);
            v = FloatVector.broadcast(S, a[a1 + p + 2]);
            c5_0 = v.fma(b0, c5_0);
            v = FloatVector.broadcast(S, a[a2 + p]);
            c6_0 = v.fma(b0, c6_0);
            v = FloatVector.broadcast(S, a[a2 + p + 1]);
            c7_0 = v.fma(b0, c7_0);
            v = FloatVector.broadcast(S, a[a2 + p + 2]);
            c8_0 = v.fma(b0, c8_0);
            v = FloatVector.broadcast(S, a[a3 + p]);
            c9_0 = v.fma(b0, c9_0);
            v = FloatVector.broadcast(S, a[a3 + p + 1]);
            c10_0 = v.fma(b0, c10_0);
            v = FloatVector.broadcast(S, a[a3 + p + 2]);
            c11_0 = v.fma(b0, c11_0);
        }
        if (accumulate) {
            c0_0 = c0_0.add(FloatVector.fromArray(S, c, ci + 0 * ldc));
            c1_0 = c1_0.add(FloatVector.fromArray(S, c, ci + 1 * ldc));
            c2_0 = c2_0.add(FloatVector.fromArray(S, c, ci + 2 * ldc));
            c3_0 = c3_0.add(FloatVector.fromArray(S, c, ci + 3 * ldc));
            c4_0 = c4_0.add(FloatVector.fromArray(S, c, ci + 4 * ldc));
            c5_0 = c5_0.add(FloatVector.fromArray(S, c, ci + 5 * ldc));
            c6_0 = c6_0.add(FloatVector.fromArray(S, c, ci + 6 * ldc));
            c7_0 = c7_0.add(FloatVector.fromArray(S, c, ci + 7 * ldc));
            c8_0 = c8_0.add(FloatVector.fromArray(S, c, ci + 8 * ldc));
            c9_0 = c9_0.add(FloatVector.fromArray(S, c, ci + 9 * ldc));
            c10_0 = c10_0.add(FloatVector.fromArray(S, c, ci + 10 * ldc));
            c11_0 = c11_0.add(FloatVector.fromArray(S, c, ci + 11 * ldc));
        }
        c0_0.intoArray(c, ci + 0 * ldc);
        c1_0.intoArray(c, ci + 1 * ldc);
        c2_0.intoArray(c, ci + 2 * ldc);
        c3_0.intoArray(c, ci + 3 * ldc);
        c4_0.intoArray(c, ci + 4 * ldc);
        c5_0.intoArray(c, ci + 5 * ldc);
        c6_0.intoArray(c, ci + 6 * ldc);
        c7_0.intoArray(c, ci + 7 * ldc);
        c8_0.intoArray(c, ci + 8 * ldc);
        c9_0.intoArray(c, ci + 9 * ldc);
        c10_0.intoArray(c, ci + 10 * ldc);
        c11_0.intoArray(c, ci + 11 * ldc);
    }

    private static void tile12x2(int k, float[] a, int aOff, int[] rows, int ro, float[] b, int bj, int ldb,
                                boolean accumulate, float[] c, int ci, int ldc) {
        int a0 = aOff + rows[ro];
        int a1 = aOff + rows[ro + 1];
        int a2 = aOff + rows[ro + 2];
        int a3 = aOff + rows[ro + 3];
        int a4 = aOff + rows[ro + 4];
        int a5 = aOff + rows[ro + 5];
        int a6 = aOff + rows[ro + 6];
        int a7 = aOff + rows[ro + 7];
        int a8 = aOff + rows[ro + 8];
        int a9 = aOff + rows[ro + 9];
        int a10 = aOff + rows[ro + 10];
        int a11 = aOff + rows[ro + 11];
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        FloatVector c80 = z, c81 = z, c90 = z, c91 = z, c100 = z, c101 = z, c110 = z, c111 = z;
        for (int p = 0, bi = bj; p < k; p++, bi += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector v;
            v = FloatVector.broadcast(S, a[a0 + p]);
            c00 = v.fma(b0, c00);
            c01 = v.fma(b1, c01);
            v = FloatVector.broadcast(S, a[a1 + p]);
            c10 = v.fma(b0, c10);
            c11 = v.fma(b1, c11);
            v = FloatVector.broadcast(S, a[a2 + p]);
            c20 = v.fma(b0, c20);
            c21 = v.fma(b1, c21);
            v = FloatVector.broadcast(S, a[a3 + p]);
            c30 = v.fma(b0, c30);
            c31 = v.fma(b1, c31);
            v = FloatVector.broadcast(S, a[a4 + p]);
            c40 = v.fma(b0, c40);
            c41 = v.fma(b1, c41);
            v = FloatVector.broadcast(S, a[a5 + p]);
            c50 = v.fma(b0, c50);
            c51 = v.fma(b1, c51);
            v = FloatVector.broadcast(S, a[a6 + p]);
            c60 = v.fma(b0, c60);
            c61 = v.fma(b1, c61);
            v = FloatVector.broadcast(S, a[a7 + p]);
            c70 = v.fma(b0, c70);
            c71 = v.fma(b1, c71);
            v = FloatVector.broadcast(S, a[a8 + p]);
            c80 = v.fma(b0, c80);
            c81 = v.fma(b1, c81);
            v = FloatVector.broadcast(S, a[a9 + p]);
            c90 = v.fma(b0, c90);
            c91 = v.fma(b1, c91);
            v = FloatVector.broadcast(S, a[a10 + p]);
            c100 = v.fma(b0, c100);
            c101 = v.fma(b1, c101);
            v = FloatVector.broadcast(S, a[a11 + p]);
            c110 = v.fma(b0, c110);
            c111 = v.fma(b1, c111);
        }
        if (accumulate) {
            c00 = c00.add(FloatVector.fromArray(S, c, ci));
            c01 = c01.add(FloatVector.fromArray(S, c, ci + L));
            c10 = c10.add(FloatVector.fromArray(S, c, ci + 1 * ldc));
            c11 = c11.add(FloatVector.fromArray(S, c, ci + 1 * ldc + L));
            c20 = c20.add(FloatVector.fromArray(S, c, ci + 2 * ldc));
            c21 = c21.add(FloatVector.fromArray(S, c, ci + 2 * ldc + L));
            c30 = c30.add(FloatVector.fromArray(S, c, ci + 3 * ldc));
            c31 = c31.add(FloatVector.fromArray(S, c, ci + 3 * ldc + L));
            c40 = c40.add(FloatVector.fromArray(S, c, ci + 4 * ldc));
            c41 = c41.add(FloatVector.fromArray(S, c, ci + 4 * ldc + L));
            c50 = c50.add(FloatVector.fromArray(S, c, ci + 5 * ldc));
            c51 = c51.add(FloatVector.fromArray(S, c, ci + 5 * ldc + L));
            c60 = c60.add(FloatVector.fromArray(S, c, ci + 6 * ldc));
            c61 = c61.add(FloatVector.fromArray(S, c, ci + 6 * ldc + L));
            c70 = c70.add(FloatVector.fromArray(S, c, ci + 7 * ldc));
            c71 = c71.add(FloatVector.fromArray(S, c, ci + 7 * ldc + L));
            c80 = c80.add(FloatVector.fromArray(S, c, ci + 8 * ldc));
            c81 = c81.add(FloatVector.fromArray(S, c, ci + 8 * ldc + L));
            c90 = c90.add(FloatVector.fromArray(S, c, ci + 9 * ldc));
            c91 = c91.add(FloatVector.fromArray(S, c, ci + 9 * ldc + L));
            c100 = c100.add(FloatVector.fromArray(S, c, ci + 10 * ldc));
            c101 = c101.add(FloatVector.fromArray(S, c, ci + 10 * ldc + L));
            c110 = c110.add(FloatVector.fromArray(S, c, ci + 11 * ldc));
            c111 = c111.add(FloatVector.fromArray(S, c, ci + 11 * ldc + L));
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c10.intoArray(c, ci + 1 * ldc);
        c11.intoArray(c, ci + 1 * ldc + L);
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
        c100.intoArray(c, ci + 10 * ldc);
        c101.intoArray(c, ci + 10 * ldc + L);
        c110.intoArray(c, ci + 11 * ldc);
        c111.intoArray(c, ci + 11 * ldc + L);
    }

    private static void tile12x1(int k, float[] a, int aOff, int[] rows, int ro, float[] b, int bj, int ldb,
                                boolean accumulate, float[] c, int ci, int ldc) {
        int a0 = aOff + rows[ro];
        int a1 = aOff + rows[ro + 1];
        int a2 = aOff + rows[ro + 2];
        int a3 = aOff + rows[ro + 3];
        int a4 = aOff + rows[ro + 4];
        int a5 = aOff + rows[ro + 5];
        int a6 = aOff + rows[ro + 6];
        int a7 = aOff + rows[ro + 7];
        int a8 = aOff + rows[ro + 8];
        int a9 = aOff + rows[ro + 9];
        int a10 = aOff + rows[ro + 10];
        int a11 = aOff + rows[ro + 11];
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c10 = z, c20 = z, c30 = z, c40 = z, c50 = z, c60 = z, c70 = z;
        FloatVector c80 = z, c90 = z, c100 = z, c110 = z;
        for (int p = 0, bi = bj; p < k; p++, bi += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector v;
            v = FloatVector.broadcast(S, a[a0 + p]);
            c00 = v.fma(b0, c00);
            v = FloatVector.broadcast(S, a[a1 + p]);
            c10 = v.fma(b0, c10);
            v = FloatVector.broadcast(S, a[a2 + p]);
            c20 = v.fma(b0, c20);
            v = FloatVector.broadcast(S, a[a3 + p]);
            c30 = v.fma(b0, c30);
            v = FloatVector.broadcast(S, a[a4 + p]);
            c40 = v.fma(b0, c40);
            v = FloatVector.broadcast(S, a[a5 + p]);
            c50 = v.fma(b0, c50);
            v = FloatVector.broadcast(S, a[a6 + p]);
            c60 = v.fma(b0, c60);
            v = FloatVector.broadcast(S, a[a7 + p]);
            c70 = v.fma(b0, c70);
            v = FloatVector.broadcast(S, a[a8 + p]);
            c80 = v.fma(b0, c80);
            v = FloatVector.broadcast(S, a[a9 + p]);
            c90 = v.fma(b0, c90);
            v = FloatVector.broadcast(S, a[a10 + p]);
            c100 = v.fma(b0, c100);
            v = FloatVector.broadcast(S, a[a11 + p]);
            c110 = v.fma(b0, c110);
        }
        if (accumulate) {
            c00 = c00.add(FloatVector.fromArray(S, c, ci));
            c10 = c10.add(FloatVector.fromArray(S, c, ci + 1 * ldc));
            c20 = c20.add(FloatVector.fromArray(S, c, ci + 2 * ldc));
            c30 = c30.add(FloatVector.fromArray(S, c, ci + 3 * ldc));
            c40 = c40.add(FloatVector.fromArray(S, c, ci + 4 * ldc));
            c50 = c50.add(FloatVector.fromArray(S, c, ci + 5 * ldc));
            c60 = c60.add(FloatVector.fromArray(S, c, ci + 6 * ldc));
            c70 = c70.add(FloatVector.fromArray(S, c, ci + 7 * ldc));
            c80 = c80.add(FloatVector.fromArray(S, c, ci + 8 * ldc));
            c90 = c90.add(FloatVector.fromArray(S, c, ci + 9 * ldc));
            c100 = c100.add(FloatVector.fromArray(S, c, ci + 10 * ldc));
            c110 = c110.add(FloatVector.fromArray(S, c, ci + 11 * ldc));
        }
        c00.intoArray(c, ci);
        c10.intoArray(c, ci + 1 * ldc);
        c20.intoArray(c, ci + 2 * ldc);
        c30.intoArray(c, ci + 3 * ldc);
        c40.intoArray(c, ci + 4 * ldc);
        c50.intoArray(c, ci + 5 * ldc);
        c60.intoArray(c, ci + 6 * ldc);
        c70.intoArray(c, ci + 7 * ldc);
        c80.intoArray(c, ci + 8 * ldc);
        c90.intoArray(c, ci + 9 * ldc);
        c100.intoArray(c, ci + 10 * ldc);
        c110.intoArray(c, ci + 11 * ldc);
    }

    private static void tile4x2(int k, float[] a, int aOff, int[] rows, int ro, float[] b, int bj, int ldb,
                                boolean accumulate, float[] c, int ci, int ldc) {
        int a0 = aOff + rows[ro];
        int a1 = aOff + rows[ro + 1];
        int a2 = aOff + rows[ro + 2];
        int a3 = aOff + rows[ro + 3];
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        for (int p = 0, bi = bj; p < k; p++, bi += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector v;
            v = FloatVector.broadcast(S, a[a0 + p]);
            c00 = v.fma(b0, c00);
            c01 = v.fma(b1, c01);
            v = FloatVector.broadcast(S, a[a1 + p]);
            c10 = v.fma(b0, c10);
            c11 = v.fma(b1, c11);
            v = FloatVector.broadcast(S, a[a2 + p]);
            c20 = v.fma(b0, c20);
            c21 = v.fma(b1, c21);
            v = FloatVector.broadcast(S, a[a3 + p]);
            c30 = v.fma(b0, c30);
            c31 = v.fma(b1, c31);
        }
        if (accumulate) {
            c00 = c00.add(FloatVector.fromArray(S, c, ci));
            c01 = c01.add(FloatVector.fromArray(S, c, ci + L));
            c10 = c10.add(FloatVector.fromArray(S, c, ci + 1 * ldc));
            c11 = c11.add(FloatVector.fromArray(S, c, ci + 1 * ldc + L));
            c20 = c20.add(FloatVector.fromArray(S, c, ci + 2 * ldc));
            c21 = c21.add(FloatVector.fromArray(S, c, ci + 2 * ldc + L));
            c30 = c30.add(FloatVector.fromArray(S, c, ci + 3 * ldc));
            c31 = c31.add(FloatVector.fromArray(S, c, ci + 3 * ldc + L));
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c10.intoArray(c, ci + 1 * ldc);
        c11.intoArray(c, ci + 1 * ldc + L);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + L);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + L);
    }

    private static void tile4x1(int k, float[] a, int aOff, int[] rows, int ro, float[] b, int bj, int ldb,
                                boolean accumulate, float[] c, int ci, int ldc) {
        int a0 = aOff + rows[ro];
        int a1 = aOff + rows[ro + 1];
        int a2 = aOff + rows[ro + 2];
        int a3 = aOff + rows[ro + 3];
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c10 = z, c20 = z, c30 = z;
        for (int p = 0, bi = bj; p < k; p++, bi += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector v;
            v = FloatVector.broadcast(S, a[a0 + p]);
            c00 = v.fma(b0, c00);
            v = FloatVector.broadcast(S, a[a1 + p]);
            c10 = v.fma(b0, c10);
            v = FloatVector.broadcast(S, a[a2 + p]);
            c20 = v.fma(b0, c20);
            v = FloatVector.broadcast(S, a[a3 + p]);
            c30 = v.fma(b0, c30);
        }
        if (accumulate) {
            c00 = c00.add(FloatVector.fromArray(S, c, ci));
            c10 = c10.add(FloatVector.fromArray(S, c, ci + 1 * ldc));
            c20 = c20.add(FloatVector.fromArray(S, c, ci + 2 * ldc));
            c30 = c30.add(FloatVector.fromArray(S, c, ci + 3 * ldc));
        }
        c00.intoArray(c, ci);
        c10.intoArray(c, ci + 1 * ldc);
        c20.intoArray(c, ci + 2 * ldc);
        c30.intoArray(c, ci + 3 * ldc);
    }
}
