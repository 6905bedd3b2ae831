package dev.lanes.kernel.vector;

import dev.lanes.kernel.internal.FloatMath;
import dev.lanes.kernel.internal.PointwiseOp;
import dev.lanes.kernel.internal.PoolWindow;
import dev.lanes.kernel.internal.ReductionKernels;
import dev.lanes.kernel.internal.Scratch;
import dev.lanes.kernel.internal.SumTerm;
import dev.lanes.kernel.scalar.ScalarReductions;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Reductions on the preferred float species, the sums in the fixed summation order of
 * {@link ReductionKernels} (the generated {@code VectorSums}). Double precision is the scalar
 * provider's code.
 */
final class VectorReductions implements ReductionKernels {

    static final VectorReductions INSTANCE = new VectorReductions();

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ScalarReductions SCALAR = ScalarReductions.INSTANCE;

    private VectorReductions() {
    }

    @Override
    public float sum(float[] x, int off, int n) {
        return VectorSums.sum(SumTerm.PLAIN, x, off, null, 0, 0f, n);
    }

    @Override
    public float sumOfSquares(float[] x, int off, int n) {
        return VectorSums.sum(SumTerm.SQUARE, x, off, null, 0, 0f, n);
    }

    @Override
    public float sumOfSquaredDeviations(float[] x, int off, int n, float center) {
        return VectorSums.sum(SumTerm.SQUARED_DEVIATION, x, off, null, 0, center, n);
    }

    @Override
    public double sumOfSquaredDeviations(double[] x, int off, int n, double center) {
        return SCALAR.sumOfSquaredDeviations(x, off, n, center);
    }

    @Override
    public float dot(float[] x, int xOff, float[] y, int yOff, int n) {
        return VectorSums.sum(SumTerm.PRODUCT, x, xOff, y, yOff, 0f, n);
    }

    @Override
    public float max(float[] x, int off, int n) {
        // Math.max is exact and symmetric (NaN wins, +0 beats -0), so the order is free.
        FloatVector acc = FloatVector.broadcast(S, x[off]);
        int i = 0;
        for (; i <= n - L; i += L) {
            acc = acc.lanewise(VectorOperators.MAX, FloatVector.fromArray(S, x, off + i));
        }
        float m = acc.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            m = Math.max(m, x[off + i]);
        }
        return m;
    }

    @Override
    public void addColumnSums(int rows, int cols, float[] x, int xOff, int ldx, float[] y, int yOff) {
        for (int r = 0; r < rows; r++) {
            VectorArithmetic.INSTANCE.add(y, yOff, x, xOff + r * ldx, y, yOff, cols);
        }
    }

    /** y = x - shift. */
    private static void shifted(float[] x, int xOff, float shift, float[] y, int yOff, int n) {
        for (int j = 0; j < n; j += L) {
            VectorMask<Float> m = S.indexInRange(j, n);
            FloatVector.fromArray(S, x, xOff + j, m).sub(shift).intoArray(y, yOff + j, m);
        }
    }

    @Override
    public void softmax(int rows, int cols, float[] x, int xOff, float[] y, int yOff) {
        for (int r = 0; r < rows; r++) {
            int xr = xOff + r * cols;
            int yr = yOff + r * cols;
            float mx = max(x, xr, cols);
            shifted(x, xr, mx, y, yr, cols);
            VectorPointwise.forward(PointwiseOp.EXP, y, yr, null, 0, y, yr, cols);
            float s = sum(y, yr, cols);
            for (int j = 0; j < cols; j += L) {
                VectorMask<Float> m = S.indexInRange(j, cols);
                FloatVector.fromArray(S, y, yr + j, m).div(s).intoArray(y, yr + j, m);
            }
        }
    }

    @Override
    public void logSoftmax(int rows, int cols, float[] x, int xOff, float[] y, int yOff) {
        for (int r = 0; r < rows; r++) {
            int xr = xOff + r * cols;
            int yr = yOff + r * cols;
            float mx = max(x, xr, cols);
            // exp(x - max) into a scratch row, then its fixed-order sum: the scalar provider's bits.
            float[] e = Scratch.floats(Scratch.ROW_TERMS, cols);
            shifted(x, xr, mx, e, 0, cols);
            VectorPointwise.forward(PointwiseOp.EXP, e, 0, null, 0, e, 0, cols);
            float logSum = FloatMath.log(sum(e, 0, cols));
            for (int j = 0; j < cols; j += L) {
                VectorMask<Float> m = S.indexInRange(j, cols);
                FloatVector.fromArray(S, x, xr + j, m).sub(mx).sub(logSum).intoArray(y, yr + j, m);
            }
        }
    }

    @Override
    public void softmaxBackward(int rows, int cols, float[] y, int yOff, float[] dy, int dyOff, float[] dx,
                                int dxOff) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            float d = dot(dy, dyOff + o, y, yOff + o, cols);
            for (int j = 0; j < cols; j += L) {
                VectorMask<Float> m = S.indexInRange(j, cols);
                FloatVector g = FloatVector.fromArray(S, dy, dyOff + o + j, m).sub(d);
                FloatVector.fromArray(S, y, yOff + o + j, m).mul(g).intoArray(dx, dxOff + o + j, m);
            }
        }
    }

    @Override
    public void logSoftmaxBackward(int rows, int cols, float[] y, int yOff, float[] dy, int dyOff, float[] dx,
                                   int dxOff) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            float s = sum(dy, dyOff + o, cols);
            float[] e = Scratch.floats(Scratch.ROW_TERMS, cols);
            VectorPointwise.forward(PointwiseOp.EXP, y, yOff + o, null, 0, e, 0, cols);
            for (int j = 0; j < cols; j += L) {
                VectorMask<Float> m = S.indexInRange(j, cols);
                FloatVector es = FloatVector.fromArray(S, e, j, m).mul(s);
                FloatVector.fromArray(S, dy, dyOff + o + j, m).sub(es).intoArray(dx, dxOff + o + j, m);
            }
        }
    }

    // Double precision: the scalar provider's code.

    @Override
    public double sum(double[] x, int off, int n) {
        return SCALAR.sum(x, off, n);
    }

    @Override
    public double sumOfSquares(double[] x, int off, int n) {
        return SCALAR.sumOfSquares(x, off, n);
    }

    @Override
    public double dot(double[] x, int xOff, double[] y, int yOff, int n) {
        return SCALAR.dot(x, xOff, y, yOff, n);
    }

    @Override
    public double max(double[] x, int off, int n) {
        return SCALAR.max(x, off, n);
    }

    @Override
    public void addColumnSums(int rows, int cols, double[] x, int xOff, int ldx, double[] y, int yOff) {
        SCALAR.addColumnSums(rows, cols, x, xOff, ldx, y, yOff);
    }

    @Override
    public void softmax(int rows, int cols, double[] x, int xOff, double[] y, int yOff) {
        SCALAR.softmax(rows, cols, x, xOff, y, yOff);
    }

    @Override
    public void logSoftmax(int rows, int cols, double[] x, int xOff, double[] y, int yOff) {
        SCALAR.logSoftmax(rows, cols, x, xOff, y, yOff);
    }

    @Override
    public void softmaxBackward(int rows, int cols, double[] y, int yOff, double[] dy, int dyOff, double[] dx,
                                int dxOff) {
        SCALAR.softmaxBackward(rows, cols, y, yOff, dy, dyOff, dx, dxOff);
    }

    @Override
    public void logSoftmaxBackward(int rows, int cols, double[] y, int yOff, double[] dy, int dyOff, double[] dx,
                                   int dxOff) {
        SCALAR.logSoftmaxBackward(rows, cols, y, yOff, dy, dyOff, dx, dxOff);
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
}
