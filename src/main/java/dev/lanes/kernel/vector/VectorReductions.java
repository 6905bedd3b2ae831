package dev.lanes.kernel.vector;

import dev.lanes.kernel.internal.PoolWindow;
import dev.lanes.kernel.internal.ReductionKernels;
import dev.lanes.kernel.internal.Scratch;
import dev.lanes.kernel.scalar.ScalarReductions;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Column sums and max pooling on the preferred float species (the fixed-order sums are the
 * generated {@code VectorSums}). Double precision is the scalar provider's code.
 */
final class VectorReductions implements ReductionKernels {

    static final VectorReductions INSTANCE = new VectorReductions();

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ScalarReductions SCALAR = ScalarReductions.INSTANCE;

    private VectorReductions() {
    }

    @Override
    public void addColumnSums(int rows, int cols, float[] x, int xOff, int ldx, float[] y, int yOff) {
        for (int r = 0; r < rows; r++) {
            VectorArithmetic.INSTANCE.add(y, yOff, x, xOff + r * ldx, y, yOff, cols);
        }
    }

    @Override
    public void addColumnSums(int rows, int cols, double[] x, int xOff, int ldx, double[] y, int yOff) {
        SCALAR.addColumnSums(rows, cols, x, xOff, ldx, y, yOff);
    }

    private static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, S.vectorShape());

    /**
     * Max pooling, {@code L} output columns at a time. The plane's rows are first copied into a
     * scratch buffer, padded with {@code -inf} and split by column phase (padded column
     * {@code pc} to phase {@code pc mod sW} at {@code pc / sW}), so that tap {@code b} of
     * consecutive outputs reads one contiguous run. The taps are visited in the scalar kernel's
     * order; padding never wins a comparison, so maxima and their indices are the scalar
     * kernel's. Columns after the last whole vector go to the scalar kernel.
     */
    @Override
    public void maxPool(PoolWindow p, float[] x, int xOff, float[] y, int yOff, int[] arg, int argOff) {
        int wOut = p.wOut();
        int full = wOut - wOut % L;
        if (full > 0) {
            int sW = p.sW();
            int w = p.w();
            int span = full + (p.kW() - 1) * p.dW() / sW + 1;
            float[] rows = Scratch.floats(Scratch.POOL_ROWS, p.h() * sW * span);
            for (int r = 0; r < p.h(); r++) {
                int src = xOff + r * w;
                for (int phase = 0; phase < sW; phase++) {
                    int base = (r * sW + phase) * span;
                    // Position q of this phase holds padded column q sW + phase.
                    for (int q = 0, c = phase - p.pW(); q < span; q++, c += sW) {
                        rows[base + q] = c >= 0 && c < w ? x[src + c] : Float.NEGATIVE_INFINITY;
                    }
                }
            }
            IntVector lane = IntVector.zero(IS).addIndex(1);
            FloatVector minusInf = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (int i = 0; i < p.hOut(); i++) {
                int r0 = p.firstRow(i);
                int r1 = p.rowEnd(i);
                for (int j0 = 0; j0 < full; j0 += L) {
                    // The first column inside the input, per lane: j sW - pW, stepped by dW past 0.
                    IntVector c0 = lane.mul(sW).add(j0 * sW - p.pW());
                    // (At most ceil(pW / dW) steps, and only in the first block.)
                    for (VectorMask<Integer> before = c0.compare(VectorOperators.LT, 0); before.anyTrue();
                         before = c0.compare(VectorOperators.LT, 0)) {
                        c0 = c0.add(p.dW(), before);
                    }
                    IntVector best = c0.add(r0 * w);
                    FloatVector max = minusInf;
                    for (int r = r0; r < r1; r += p.dH()) {
                        int base = r * sW * span;
                        for (int b = 0; b < p.kW(); b++) {
                            int tap = b * p.dW();
                            FloatVector v = FloatVector.fromArray(S, rows, base + tap % sW * span + j0 + tap / sW);
                            VectorMask<Float> wins = v.compare(VectorOperators.GT, max).or(v.test(VectorOperators.IS_NAN));
                            max = max.blend(v, wins);
                            best = best.blend(lane.mul(sW).add(r * w + j0 * sW - p.pW() + tap), wins.cast(IS));
                        }
                    }
                    int o = i * wOut + j0;
                    max.intoArray(y, yOff + o);
                    if (arg != null) {
                        best.intoArray(arg, argOff + o);
                    }
                }
            }
        }
        if (full < wOut) {
            ScalarReductions.maxPoolColumns(p, x, xOff, y, yOff, arg, argOff, full, wOut);
        }
    }

    /**
     * Channel-blocked max pooling, one vector per pixel: the lanes share every window, so a
     * pixel's taps are whole vectors compared in the scalar kernel's order, and the index of a
     * lane that takes a tap is the tap's pixel.
     */
    @Override
    public void blockedMaxPool(PoolWindow p, int block, float[] x, int xOff, float[] y, int yOff, int[] arg,
                               int argOff) {
        if (block != L) {
            SCALAR.blockedMaxPool(p, block, x, xOff, y, yOff, arg, argOff);
            return;
        }
        FloatVector minusInf = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < p.hOut(); i++) {
            int r0 = p.firstRow(i);
            int r1 = p.rowEnd(i);
            for (int j = 0; j < p.wOut(); j++) {
                int c0 = p.firstColumn(j);
                int c1 = p.columnEnd(j);
                FloatVector max = minusInf;
                IntVector best = IntVector.broadcast(IS, r0 * p.w() + c0);
                for (int r = r0; r < r1; r += p.dH()) {
                    for (int c = c0; c < c1; c += p.dW()) {
                        FloatVector v = FloatVector.fromArray(S, x, xOff + (r * p.w() + c) * L);
                        VectorMask<Float> wins = v.compare(VectorOperators.GT, max).or(v.test(VectorOperators.IS_NAN));
                        max = max.blend(v, wins);
                        best = best.blend(r * p.w() + c, wins.cast(IS));
                    }
                }
                int o = (i * p.wOut() + j) * L;
                max.intoArray(y, yOff + o);
                if (arg != null) {
                    best.intoArray(arg, argOff + o);
                }
            }
        }
    }
}
