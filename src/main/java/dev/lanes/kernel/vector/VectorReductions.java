package dev.lanes.kernel.vector;

import static dev.lanes.kernel.internal.Sums.BLOCK;
import static dev.lanes.kernel.internal.Sums.PARTIALS;

import dev.lanes.kernel.internal.Binary;
import dev.lanes.kernel.internal.FloatMath;
import dev.lanes.kernel.internal.PointwiseOp;
import dev.lanes.kernel.internal.PoolWindow;
import dev.lanes.kernel.internal.ReductionKernels;
import dev.lanes.kernel.internal.Scratch;
import dev.lanes.kernel.internal.Sums;
import dev.lanes.kernel.scalar.ScalarReductions;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Reductions on the preferred float species, in the fixed summation order of
 * {@link ReductionKernels}: four accumulators of {@code L} lanes hold {@code 4L} of the 64
 * partial sums, so one pass over a block fills them all at 512 bits (two passes at 256, four at
 * 128). The partials of the last, incomplete group of 64 terms are finished with scalar adds,
 * exactly where the scalar provider adds them. Double precision is the scalar provider's code,
 * and so are single precision sums on species wider than 512 bits.
 */
final class VectorReductions implements ReductionKernels {

    static final VectorReductions INSTANCE = new VectorReductions();

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ScalarReductions SCALAR = ScalarReductions.INSTANCE;

    /** Whether 4 vectors tile the 64 partials; wider than 512 bits they do not, and sums run scalar. */
    private static final boolean VECTOR_SUMS = PARTIALS % (4 * L) == 0;

    private enum Term { PLAIN, SQUARE, PRODUCT, SQUARED_DEVIATION }

    private VectorReductions() {
    }

    /** The fixed-order sum of terms of kind {@code term}; {@code center} only for deviations. */
    private static float sum(Term term, float[] x, int xOff, float[] y, int yOff, float center, int n) {
        if (!VECTOR_SUMS) {
            return scalarSum(term, x, xOff, y, yOff, center, n);
        }
        float[] p = Sums.floatPartials();
        double total = 0d;
        for (int start = 0; start < n; start += BLOCK) {
            int len = Math.min(BLOCK, n - start);
            int full = len - len % PARTIALS;
            int xs = xOff + start;
            int ys = yOff + start;
            switch (term) {
                case PLAIN -> groups(x, xs, full, p);
                case SQUARE -> groupsOfSquares(x, xs, full, p);
                case PRODUCT -> groupsOfProducts(x, xs, y, ys, full, p);
                case SQUARED_DEVIATION -> groupsOfSquaredDeviations(x, xs, center, full, p);
            }
            for (int i = full; i < len; i++) {
                float v = x[xs + i];
                p[i - full] += switch (term) {
                    case PLAIN -> v;
                    case SQUARE -> v * v;
                    case PRODUCT -> v * y[ys + i];
                    case SQUARED_DEVIATION -> (v - center) * (v - center);
                };
            }
            total += Sums.fold(p);
        }
        return (float) total;
    }

    private static float scalarSum(Term term, float[] x, int xOff, float[] y, int yOff, float center, int n) {
        return switch (term) {
            case SQUARED_DEVIATION -> SCALAR.sumOfSquaredDeviations(x, xOff, n, center);
            case PLAIN -> SCALAR.sum(x, xOff, n);
            case SQUARE -> SCALAR.sumOfSquares(x, xOff, n);
            case PRODUCT -> SCALAR.dot(x, xOff, y, yOff, n);
        };
    }

    /** p[j] = sum of x[off + g + j] over the groups g = 0, 64, ... below full. */
    private static void groups(float[] x, int off, int full, float[] p) {
        for (int k = 0; k < PARTIALS; k += 4 * L) {
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int g = 0; g < full; g += PARTIALS) {
                int o = off + g + k;
                a0 = a0.add(FloatVector.fromArray(S, x, o));
                a1 = a1.add(FloatVector.fromArray(S, x, o + L));
                a2 = a2.add(FloatVector.fromArray(S, x, o + 2 * L));
                a3 = a3.add(FloatVector.fromArray(S, x, o + 3 * L));
            }
            a0.intoArray(p, k);
            a1.intoArray(p, k + L);
            a2.intoArray(p, k + 2 * L);
            a3.intoArray(p, k + 3 * L);
        }
    }

    private static void groupsOfSquares(float[] x, int off, int full, float[] p) {
        for (int k = 0; k < PARTIALS; k += 4 * L) {
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int g = 0; g < full; g += PARTIALS) {
                int o = off + g + k;
                FloatVector v0 = FloatVector.fromArray(S, x, o);
                FloatVector v1 = FloatVector.fromArray(S, x, o + L);
                FloatVector v2 = FloatVector.fromArray(S, x, o + 2 * L);
                FloatVector v3 = FloatVector.fromArray(S, x, o + 3 * L);
                a0 = a0.add(v0.mul(v0));
                a1 = a1.add(v1.mul(v1));
                a2 = a2.add(v2.mul(v2));
                a3 = a3.add(v3.mul(v3));
            }
            a0.intoArray(p, k);
            a1.intoArray(p, k + L);
            a2.intoArray(p, k + 2 * L);
            a3.intoArray(p, k + 3 * L);
        }
    }

    private static void groupsOfSquaredDeviations(float[] x, int off, float center, int full, float[] p) {
        for (int k = 0; k < PARTIALS; k += 4 * L) {
            FloatVector c = FloatVector.broadcast(S, center);
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int g = 0; g < full; g += PARTIALS) {
                int o = off + g + k;
                FloatVector v0 = FloatVector.fromArray(S, x, o).sub(c);
                FloatVector v1 = FloatVector.fromArray(S, x, o + L).sub(c);
                FloatVector v2 = FloatVector.fromArray(S, x, o + 2 * L).sub(c);
                FloatVector v3 = FloatVector.fromArray(S, x, o + 3 * L).sub(c);
                a0 = a0.add(v0.mul(v0));
                a1 = a1.add(v1.mul(v1));
                a2 = a2.add(v2.mul(v2));
                a3 = a3.add(v3.mul(v3));
            }
            a0.intoArray(p, k);
            a1.intoArray(p, k + L);
            a2.intoArray(p, k + 2 * L);
            a3.intoArray(p, k + 3 * L);
        }
    }

    private static void groupsOfProducts(float[] x, int xOff, float[] y, int yOff, int full, float[] p) {
        for (int k = 0; k < PARTIALS; k += 4 * L) {
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int g = 0; g < full; g += PARTIALS) {
                int o = xOff + g + k;
                int q = yOff + g + k;
                a0 = a0.add(FloatVector.fromArray(S, x, o).mul(FloatVector.fromArray(S, y, q)));
                a1 = a1.add(FloatVector.fromArray(S, x, o + L).mul(FloatVector.fromArray(S, y, q + L)));
                a2 = a2.add(FloatVector.fromArray(S, x, o + 2 * L).mul(FloatVector.fromArray(S, y, q + 2 * L)));
                a3 = a3.add(FloatVector.fromArray(S, x, o + 3 * L).mul(FloatVector.fromArray(S, y, q + 3 * L)));
            }
            a0.intoArray(p, k);
            a1.intoArray(p, k + L);
            a2.intoArray(p, k + 2 * L);
            a3.intoArray(p, k + 3 * L);
        }
    }

    @Override
    public float sum(float[] x, int off, int n) {
        return sum(Term.PLAIN, x, off, null, 0, 0f, n);
    }

    @Override
    public float sumOfSquares(float[] x, int off, int n) {
        return sum(Term.SQUARE, x, off, null, 0, 0f, n);
    }

    @Override
    public float sumOfSquaredDeviations(float[] x, int off, int n, float center) {
        return sum(Term.SQUARED_DEVIATION, x, off, null, 0, center, n);
    }

    @Override
    public double sumOfSquaredDeviations(double[] x, int off, int n, double center) {
        return SCALAR.sumOfSquaredDeviations(x, off, n, center);
    }

    @Override
    public float dot(float[] x, int xOff, float[] y, int yOff, int n) {
        return sum(Term.PRODUCT, x, xOff, y, yOff, 0f, n);
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
            VectorElementwise.INSTANCE.binary(Binary.ADD, y, yOff, x, xOff + r * ldx, y, yOff, cols);
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
