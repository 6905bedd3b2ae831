package dev.lanes.kernel.vector;

import static dev.lanes.kernel.internal.GemvPanels.PANEL;
import static dev.lanes.kernel.internal.GemvPanels.TILE;
import static dev.lanes.kernel.internal.GemvPanels.columnStart;
import static dev.lanes.kernel.vector.SgemmMicroKernels.L;
import static dev.lanes.kernel.vector.SgemmMicroKernels.S;

import dev.lanes.kernel.internal.Scratch;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Products with a weight in {@link dev.lanes.kernel.internal.GemvPanels}: four vectors of
 * adjacent columns per pass over {@code k}, each lane one column's accumulator, so no lanes are
 * ever reduced across. A row of {@code x} is a broadcast per {@code i}; the weights stream from
 * the panels with unit stride. Four independent accumulators hide most of the FMA latency while
 * the kernel waits on the weights, which it reads once per row (rows of a tile share them in L1).
 *
 * <p>BF16 panels are read as ints: shifting left by 16 widens the low half (index {@code 2q})
 * exactly, masking the low 16 bits off widens the high half ({@code 2q + 1}).
 */
final class VectorGemv {

    private static final VectorSpecies<Integer> IS = S.withLanes(int.class);
    private static final IntVector HIGH_HALF = IntVector.broadcast(IS, 0xFFFF0000);
    /** Columns per pass: four vectors, at most one tile. */
    private static final int GROUP = 4 * L;

    private VectorGemv() {
    }

    static void f32(int rows, int k, int n, float[] x, int xOff, float[] w, int tileFrom, int tileTo, float beta,
                    float[] y, int yOff) {
        int end = Math.min(n, tileTo * TILE);
        float[] edge = n % GROUP == 0 ? null : Scratch.floats(Scratch.GEMV_EDGE, GROUP);
        for (int c = tileFrom * TILE; c < end; c += GROUP) {
            int w0 = columnStart(c, k);
            int w1 = columnStart(c + L, k);
            int w2 = columnStart(c + 2 * L, k);
            int w3 = columnStart(c + 3 * L, k);
            for (int r = 0; r < rows; r++) {
                int xi = xOff + r * k;
                FloatVector a0 = FloatVector.zero(S);
                FloatVector a1 = a0;
                FloatVector a2 = a0;
                FloatVector a3 = a0;
                for (int i = 0; i < k; i++) {
                    FloatVector xv = FloatVector.broadcast(S, x[xi + i]);
                    int o = i * PANEL;
                    a0 = FloatVector.fromArray(S, w, w0 + o).fma(xv, a0);
                    a1 = FloatVector.fromArray(S, w, w1 + o).fma(xv, a1);
                    a2 = FloatVector.fromArray(S, w, w2 + o).fma(xv, a2);
                    a3 = FloatVector.fromArray(S, w, w3 + o).fma(xv, a3);
                }
                int row = yOff + r * n + c;
                if (c + GROUP <= n) {
                    if (beta != 0f) {
                        a0 = a0.add(FloatVector.fromArray(S, y, row).mul(beta));
                        a1 = a1.add(FloatVector.fromArray(S, y, row + L).mul(beta));
                        a2 = a2.add(FloatVector.fromArray(S, y, row + 2 * L).mul(beta));
                        a3 = a3.add(FloatVector.fromArray(S, y, row + 3 * L).mul(beta));
                    }
                    a0.intoArray(y, row);
                    a1.intoArray(y, row + L);
                    a2.intoArray(y, row + 2 * L);
                    a3.intoArray(y, row + 3 * L);
                } else {
                    a0.intoArray(edge, 0);
                    a1.intoArray(edge, L);
                    a2.intoArray(edge, 2 * L);
                    a3.intoArray(edge, 3 * L);
                    storeEdge(edge, n - c, beta, y, row);
                }
            }
        }
    }

    static void bf16(int rows, int k, int n, float[] x, int xOff, int[] w, int tileFrom, int tileTo, float beta,
                     float[] y, int yOff) {
        int depth = (k + 1) / 2;
        int pairs = k / 2;
        int end = Math.min(n, tileTo * TILE);
        float[] edge = n % GROUP == 0 ? null : Scratch.floats(Scratch.GEMV_EDGE, GROUP);
        for (int c = tileFrom * TILE; c < end; c += GROUP) {
            int w0 = columnStart(c, depth);
            int w1 = columnStart(c + L, depth);
            int w2 = columnStart(c + 2 * L, depth);
            int w3 = columnStart(c + 3 * L, depth);
            for (int r = 0; r < rows; r++) {
                int xi = xOff + r * k;
                FloatVector a0 = FloatVector.zero(S);
                FloatVector a1 = a0;
                FloatVector a2 = a0;
                FloatVector a3 = a0;
                for (int q = 0; q < pairs; q++) {
                    FloatVector x0 = FloatVector.broadcast(S, x[xi + 2 * q]);
                    FloatVector x1 = FloatVector.broadcast(S, x[xi + 2 * q + 1]);
                    int o = q * PANEL;
                    IntVector v0 = IntVector.fromArray(IS, w, w0 + o);
                    IntVector v1 = IntVector.fromArray(IS, w, w1 + o);
                    IntVector v2 = IntVector.fromArray(IS, w, w2 + o);
                    IntVector v3 = IntVector.fromArray(IS, w, w3 + o);
                    a0 = v0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(x0, a0);
                    a1 = v1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(x0, a1);
                    a2 = v2.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(x0, a2);
                    a3 = v3.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(x0, a3);
                    a0 = v0.and(HIGH_HALF).reinterpretAsFloats().fma(x1, a0);
                    a1 = v1.and(HIGH_HALF).reinterpretAsFloats().fma(x1, a1);
                    a2 = v2.and(HIGH_HALF).reinterpretAsFloats().fma(x1, a2);
                    a3 = v3.and(HIGH_HALF).reinterpretAsFloats().fma(x1, a3);
                }
                if (pairs < depth) {
                    FloatVector x0 = FloatVector.broadcast(S, x[xi + k - 1]);
                    int o = pairs * PANEL;
                    a0 = IntVector.fromArray(IS, w, w0 + o).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                            .fma(x0, a0);
                    a1 = IntVector.fromArray(IS, w, w1 + o).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                            .fma(x0, a1);
                    a2 = IntVector.fromArray(IS, w, w2 + o).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                            .fma(x0, a2);
                    a3 = IntVector.fromArray(IS, w, w3 + o).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                            .fma(x0, a3);
                }
                int row = yOff + r * n + c;
                if (c + GROUP <= n) {
                    if (beta != 0f) {
                        a0 = a0.add(FloatVector.fromArray(S, y, row).mul(beta));
                        a1 = a1.add(FloatVector.fromArray(S, y, row + L).mul(beta));
                        a2 = a2.add(FloatVector.fromArray(S, y, row + 2 * L).mul(beta));
                        a3 = a3.add(FloatVector.fromArray(S, y, row + 3 * L).mul(beta));
                    }
                    a0.intoArray(y, row);
                    a1.intoArray(y, row + L);
                    a2.intoArray(y, row + 2 * L);
                    a3.intoArray(y, row + 3 * L);
                } else {
                    a0.intoArray(edge, 0);
                    a1.intoArray(edge, L);
                    a2.intoArray(edge, 2 * L);
                    a3.intoArray(edge, 3 * L);
                    storeEdge(edge, n - c, beta, y, row);
                }
            }
        }
    }

    /**
     * The first {@code cols} of a group's accumulators, spilled to {@code edge}, into y: the vectors
     * stay in the kernel (a vector passed to a method that is not inlined is boxed on the heap).
     */
    private static void storeEdge(float[] edge, int cols, float beta, float[] y, int at) {
        for (int j = 0; j < cols; j++) {
            y[at + j] = beta == 0f ? edge[j] : edge[j] + beta * y[at + j];
        }
    }
}
