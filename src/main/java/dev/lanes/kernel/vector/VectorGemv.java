package dev.lanes.kernel.vector;

import static dev.lanes.kernel.internal.GemvPanels.PANEL;
import static dev.lanes.kernel.internal.GemvPanels.TILE;
import static dev.lanes.kernel.internal.GemvPanels.columnStart;

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
 * the kernel waits on the weights. Each row of {@code x} makes its own pass over a group's
 * weights (the next rows find them in cache). The columns after the last whole group take one
 * vector per pass, so a narrow layer reads no more than its own panels. Vectors are at most 512
 * bits, one panel wide.
 *
 * <p>BF16 panels are read as ints: shifting left by 16 widens the low half (index {@code 2q})
 * exactly, masking the low 16 bits off widens the high half ({@code 2q + 1}).
 *
 * <p>The two kernels spell out the same stores: a vector passed to a method that C2 does not
 * inline is boxed on the heap, and these kernels are too large for it to inline into reliably.
 */
final class VectorGemv {

    /** The preferred species, at most one panel (16 floats) wide. */
    private static final VectorSpecies<Float> S = SgemmMicroKernels.S.length() <= PANEL ? SgemmMicroKernels.S
            : FloatVector.SPECIES_512;
    private static final int L = S.length();
    private static final VectorSpecies<Integer> IS = S.withLanes(int.class);
    private static final IntVector HIGH_HALF = IntVector.broadcast(IS, 0xFFFF0000);
    /** Columns per pass: four vectors, a whole number of which make a tile. */
    private static final int GROUP = 4 * L;

    private VectorGemv() {
    }

    static void f32(int rows, int k, int n, float[] x, int xOff, float[] w, int tileFrom, int tileTo, float beta,
                    float[] y, int yOff) {
        int end = Math.min(n, tileTo * TILE);
        int c = tileFrom * TILE;
        for (; c + GROUP <= end; c += GROUP) {
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
            }
        }
        for (; c < end; c += L) {
            int w0 = columnStart(c, k);
            for (int r = 0; r < rows; r++) {
                int xi = xOff + r * k;
                FloatVector a0 = FloatVector.zero(S);
                for (int i = 0; i < k; i++) {
                    a0 = FloatVector.fromArray(S, w, w0 + i * PANEL).fma(FloatVector.broadcast(S, x[xi + i]), a0);
                }
                int row = yOff + r * n + c;
                if (c + L <= end) {
                    (beta == 0f ? a0 : a0.add(FloatVector.fromArray(S, y, row).mul(beta))).intoArray(y, row);
                } else {
                    float[] edge = Scratch.floats(Scratch.GEMV_EDGE, L);
                    a0.intoArray(edge, 0);
                    storeEdge(edge, end - c, beta, y, row);
                }
            }
        }
    }

    static void bf16(int rows, int k, int n, float[] x, int xOff, int[] w, int tileFrom, int tileTo, float beta,
                     float[] y, int yOff) {
        int depth = (k + 1) / 2;
        int pairs = k / 2;
        int end = Math.min(n, tileTo * TILE);
        int c = tileFrom * TILE;
        for (; c + GROUP <= end; c += GROUP) {
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
            }
        }
        for (; c < end; c += L) {
            int w0 = columnStart(c, depth);
            for (int r = 0; r < rows; r++) {
                int xi = xOff + r * k;
                FloatVector a0 = FloatVector.zero(S);
                for (int q = 0; q < pairs; q++) {
                    IntVector v0 = IntVector.fromArray(IS, w, w0 + q * PANEL);
                    a0 = v0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                            .fma(FloatVector.broadcast(S, x[xi + 2 * q]), a0);
                    a0 = v0.and(HIGH_HALF).reinterpretAsFloats().fma(FloatVector.broadcast(S, x[xi + 2 * q + 1]), a0);
                }
                if (pairs < depth) {
                    a0 = IntVector.fromArray(IS, w, w0 + pairs * PANEL).lanewise(VectorOperators.LSHL, 16)
                            .reinterpretAsFloats().fma(FloatVector.broadcast(S, x[xi + k - 1]), a0);
                }
                int row = yOff + r * n + c;
                if (c + L <= end) {
                    (beta == 0f ? a0 : a0.add(FloatVector.fromArray(S, y, row).mul(beta))).intoArray(y, row);
                } else {
                    float[] edge = Scratch.floats(Scratch.GEMV_EDGE, L);
                    a0.intoArray(edge, 0);
                    storeEdge(edge, end - c, beta, y, row);
                }
            }
        }
    }

    /**
     * The first {@code cols} accumulators of the last, partial vector, spilled to {@code edge},
     * into y (a vector passed to a method is boxed unless C2 inlines it).
     */
    private static void storeEdge(float[] edge, int cols, float beta, float[] y, int at) {
        for (int j = 0; j < cols; j++) {
            y[at + j] = beta == 0f ? edge[j] : edge[j] + beta * y[at + j];
        }
    }
}
