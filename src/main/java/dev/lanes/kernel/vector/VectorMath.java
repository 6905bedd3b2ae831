package dev.lanes.kernel.vector;

import static dev.lanes.kernel.internal.FloatMath.E0;
import static dev.lanes.kernel.internal.FloatMath.E1;
import static dev.lanes.kernel.internal.FloatMath.E2;
import static dev.lanes.kernel.internal.FloatMath.E3;
import static dev.lanes.kernel.internal.FloatMath.E4;
import static dev.lanes.kernel.internal.FloatMath.E5;
import static dev.lanes.kernel.internal.FloatMath.EXP_OVERFLOW;
import static dev.lanes.kernel.internal.FloatMath.EXP_UNDERFLOW;
import static dev.lanes.kernel.internal.FloatMath.L0;
import static dev.lanes.kernel.internal.FloatMath.L1;
import static dev.lanes.kernel.internal.FloatMath.L2;
import static dev.lanes.kernel.internal.FloatMath.L3;
import static dev.lanes.kernel.internal.FloatMath.L4;
import static dev.lanes.kernel.internal.FloatMath.L5;
import static dev.lanes.kernel.internal.FloatMath.L6;
import static dev.lanes.kernel.internal.FloatMath.L7;
import static dev.lanes.kernel.internal.FloatMath.L8;
import static dev.lanes.kernel.internal.FloatMath.LN2_HI;
import static dev.lanes.kernel.internal.FloatMath.LN2_LO;
import static dev.lanes.kernel.internal.FloatMath.LOG2E;
import static dev.lanes.kernel.internal.FloatMath.ROUND_MAGIC;
import static dev.lanes.kernel.internal.FloatMath.ROUND_MAGIC_BITS;
import static dev.lanes.kernel.internal.FloatMath.SIGMOID_EXP_BELOW;
import static dev.lanes.kernel.internal.FloatMath.SQRT_HALF_MANTISSA;
import static dev.lanes.kernel.internal.FloatMath.T0;
import static dev.lanes.kernel.internal.FloatMath.T1;
import static dev.lanes.kernel.internal.FloatMath.T2;
import static dev.lanes.kernel.internal.FloatMath.T3;
import static dev.lanes.kernel.internal.FloatMath.T4;
import static dev.lanes.kernel.internal.FloatMath.TANH_SMALL;
import static dev.lanes.kernel.internal.FloatMath.TWO_POW_23;

import dev.lanes.kernel.internal.FloatMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Loops of {@link FloatMath}'s exp, sigmoid, tanh and log over arrays: the same operations in
 * the same order on whole vectors, so every lane equals the scalar result bit for bit; the last
 * {@code n mod L} elements go through {@link FloatMath} itself.
 *
 * <p><b>No vector crosses a method boundary here.</b> Each loop spells its function out with
 * Vector API calls only. Those are force-inlined by C2 whatever the size of the compilation,
 * while a helper method of ours that takes or returns a vector is inlined only while the
 * compilation is under C2's node budget (NodeCountInliningCutoff); a caller that inlines a loop
 * into a large method would then call the helper out of line and box every vector, allocating
 * on every iteration. Hence exp's dozen lines appear in the exp, sigmoid and tanh loops.
 */
final class VectorMath {

    // Constants as vectors, broadcast once: an operation with a scalar operand inlines a
    // broadcast each time, and shifts by a scalar count may not intrinsify in large
    // compilations (C2 then parses the Java fallback and boxes).
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final FloatVector ONE = c(1f);
    static final FloatVector HALF = c(0.5f);
    static final FloatVector MINUS_TWO = c(-2f);
    static final FloatVector ZERO = c(0f);
    static final FloatVector POS_INF = c(Float.POSITIVE_INFINITY);
    static final FloatVector NEG_INF = c(Float.NEGATIVE_INFINITY);
    static final FloatVector NAN = c(Float.NaN);
    static final FloatVector V_LOG2E = c(LOG2E);
    static final FloatVector V_MAGIC = c(ROUND_MAGIC);
    static final IntVector V_MAGIC_BITS = IntVector.broadcast(I, ROUND_MAGIC_BITS);
    static final IntVector BIAS = IntVector.broadcast(I, 127);
    static final IntVector TWENTY_THREE = IntVector.broadcast(I, 23);
    static final IntVector INT_ONE = IntVector.broadcast(I, 1);
    static final IntVector MANTISSA = IntVector.broadcast(I, 0x7FFFFF);
    static final IntVector EXPONENT_ONE = IntVector.broadcast(I, 0x3F800000);
    static final IntVector EXPONENT_HALF = IntVector.broadcast(I, 0x3F000000);
    static final IntVector V_SQRT_HALF = IntVector.broadcast(I, SQRT_HALF_MANTISSA);
    static final IntVector SIGN = IntVector.broadcast(I, 0x80000000);
    static final IntVector MAGNITUDE = IntVector.broadcast(I, 0x7FFFFFFF);
    static final FloatVector V_LN2_HI = c(LN2_HI);
    static final FloatVector V_LN2_LO = c(LN2_LO);
    static final FloatVector V_OVERFLOW = c(EXP_OVERFLOW);
    static final FloatVector V_UNDERFLOW = c(EXP_UNDERFLOW);
    static final FloatVector V_SIGMOID_EXP_BELOW = c(SIGMOID_EXP_BELOW);
    static final FloatVector V_TANH_SMALL = c(TANH_SMALL);
    static final FloatVector V_MIN_NORMAL = c(Float.MIN_NORMAL);
    static final FloatVector V_TWO_POW_23 = c(TWO_POW_23);
    static final FloatVector V_E0 = c(E0);
    static final FloatVector V_E1 = c(E1);
    static final FloatVector V_E2 = c(E2);
    static final FloatVector V_E3 = c(E3);
    static final FloatVector V_E4 = c(E4);
    static final FloatVector V_E5 = c(E5);
    static final FloatVector V_T0 = c(T0);
    static final FloatVector V_T1 = c(T1);
    static final FloatVector V_T2 = c(T2);
    static final FloatVector V_T3 = c(T3);
    static final FloatVector V_T4 = c(T4);
    static final FloatVector V_L0 = c(L0);
    static final FloatVector V_L1 = c(L1);
    static final FloatVector V_L2 = c(L2);
    static final FloatVector V_L3 = c(L3);
    static final FloatVector V_L4 = c(L4);
    static final FloatVector V_L5 = c(L5);
    static final FloatVector V_L6 = c(L6);
    static final FloatVector V_L7 = c(L7);
    static final FloatVector V_L8 = c(L8);

    private VectorMath() {
    }

    private static FloatVector c(float v) {
        return FloatVector.broadcast(S, v);
    }

    /** {@code y = e^(x + b)} ({@code e^x} when {@code b} is null). */
    static void exp(float[] x, int xOff, float[] b, int bOff, float[] y, int yOff, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            if (b != null) {
                v = v.add(FloatVector.fromArray(S, b, bOff + i));
            }
            // exp(v), as FloatMath.exp
            FloatVector t = v.mul(V_LOG2E).add(V_MAGIC);
            FloatVector k = t.sub(V_MAGIC);
            IntVector ki = t.reinterpretAsInts().sub(V_MAGIC_BITS);
            FloatVector r = v.sub(k.mul(V_LN2_HI)).sub(k.mul(V_LN2_LO));
            FloatVector q = r.mul(V_E5).add(V_E4).mul(r).add(V_E3).mul(r).add(V_E2).mul(r).add(V_E1).mul(r).add(V_E0);
            IntVector k1 = ki.lanewise(VectorOperators.ASHR, INT_ONE);
            FloatVector s1 = k1.add(BIAS).lanewise(VectorOperators.LSHL, TWENTY_THREE).reinterpretAsFloats();
            FloatVector s2 = ki.sub(k1).add(BIAS).lanewise(VectorOperators.LSHL, TWENTY_THREE).reinterpretAsFloats();
            FloatVector e = q.mul(r.mul(r)).add(r).add(ONE).mul(s1).mul(s2)
                    .blend(POS_INF, v.compare(VectorOperators.GE, V_OVERFLOW))
                    .blend(ZERO, v.compare(VectorOperators.LT, V_UNDERFLOW));
            e.intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = FloatMath.exp(b == null ? x[xOff + i] : x[xOff + i] + b[bOff + i]);
        }
    }

    /** {@code y = sigmoid(x + b)} ({@code sigmoid(x)} when {@code b} is null). */
    static void sigmoid(float[] x, int xOff, float[] b, int bOff, float[] y, int yOff, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            if (b != null) {
                v = v.add(FloatVector.fromArray(S, b, bOff + i));
            }
            VectorMask<Float> tail = v.compare(VectorOperators.LT, V_SIGMOID_EXP_BELOW);
            FloatVector a = v.neg().blend(v, tail);
            // exp(a), as FloatMath.exp
            FloatVector t = a.mul(V_LOG2E).add(V_MAGIC);
            FloatVector k = t.sub(V_MAGIC);
            IntVector ki = t.reinterpretAsInts().sub(V_MAGIC_BITS);
            FloatVector r = a.sub(k.mul(V_LN2_HI)).sub(k.mul(V_LN2_LO));
            FloatVector q = r.mul(V_E5).add(V_E4).mul(r).add(V_E3).mul(r).add(V_E2).mul(r).add(V_E1).mul(r).add(V_E0);
            IntVector k1 = ki.lanewise(VectorOperators.ASHR, INT_ONE);
            FloatVector s1 = k1.add(BIAS).lanewise(VectorOperators.LSHL, TWENTY_THREE).reinterpretAsFloats();
            FloatVector s2 = ki.sub(k1).add(BIAS).lanewise(VectorOperators.LSHL, TWENTY_THREE).reinterpretAsFloats();
            FloatVector e = q.mul(r.mul(r)).add(r).add(ONE).mul(s1).mul(s2)
                    .blend(POS_INF, a.compare(VectorOperators.GE, V_OVERFLOW))
                    .blend(ZERO, a.compare(VectorOperators.LT, V_UNDERFLOW));
            ONE.div(e.add(ONE)).blend(e, tail).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = FloatMath.sigmoid(b == null ? x[xOff + i] : x[xOff + i] + b[bOff + i]);
        }
    }

    /** {@code y = tanh(x + b)} ({@code tanh(x)} when {@code b} is null). */
    static void tanh(float[] x, int xOff, float[] b, int bOff, float[] y, int yOff, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            if (b != null) {
                v = v.add(FloatVector.fromArray(S, b, bOff + i));
            }
            FloatVector ax = v.abs();
            FloatVector z = v.mul(v);
            FloatVector p = z.mul(V_T4).add(V_T3).mul(z).add(V_T2).mul(z).add(V_T1).mul(z).add(V_T0);
            FloatVector small = p.mul(z).mul(v).add(v).blend(v, v.compare(VectorOperators.EQ, ZERO));
            FloatVector a = ax.mul(MINUS_TWO);
            // exp(a), as FloatMath.exp
            FloatVector t = a.mul(V_LOG2E).add(V_MAGIC);
            FloatVector k = t.sub(V_MAGIC);
            IntVector ki = t.reinterpretAsInts().sub(V_MAGIC_BITS);
            FloatVector r = a.sub(k.mul(V_LN2_HI)).sub(k.mul(V_LN2_LO));
            FloatVector q = r.mul(V_E5).add(V_E4).mul(r).add(V_E3).mul(r).add(V_E2).mul(r).add(V_E1).mul(r).add(V_E0);
            IntVector k1 = ki.lanewise(VectorOperators.ASHR, INT_ONE);
            FloatVector s1 = k1.add(BIAS).lanewise(VectorOperators.LSHL, TWENTY_THREE).reinterpretAsFloats();
            FloatVector s2 = ki.sub(k1).add(BIAS).lanewise(VectorOperators.LSHL, TWENTY_THREE).reinterpretAsFloats();
            FloatVector e = q.mul(r.mul(r)).add(r).add(ONE).mul(s1).mul(s2)
                    .blend(POS_INF, a.compare(VectorOperators.GE, V_OVERFLOW))
                    .blend(ZERO, a.compare(VectorOperators.LT, V_UNDERFLOW));
            FloatVector large = e.neg().add(ONE).div(e.add(ONE));
            large = large.reinterpretAsInts().and(MAGNITUDE).or(v.reinterpretAsInts().and(SIGN)).reinterpretAsFloats();
            large.blend(small, ax.compare(VectorOperators.LT, V_TANH_SMALL)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = FloatMath.tanh(b == null ? x[xOff + i] : x[xOff + i] + b[bOff + i]);
        }
    }

    /** {@code y = ln(x)}. */
    static void log(float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            VectorMask<Float> subnormal = v.compare(VectorOperators.LT, V_MIN_NORMAL);
            IntVector bits = v.blend(v.mul(V_TWO_POW_23), subnormal).reinterpretAsInts();
            IntVector e = bits.lanewise(VectorOperators.ASHR, TWENTY_THREE).sub(BIAS);
            e = e.blend(e.sub(TWENTY_THREE), subnormal.cast(I));
            IntVector mant = bits.and(MANTISSA);
            VectorMask<Integer> high = mant.compare(VectorOperators.GT, V_SQRT_HALF);
            FloatVector m = mant.or(EXPONENT_ONE).blend(mant.or(EXPONENT_HALF), high).reinterpretAsFloats();
            e = e.blend(e.add(INT_ONE), high);
            FloatVector f = m.sub(ONE);
            FloatVector fe = (FloatVector) e.convert(VectorOperators.I2F, 0);
            FloatVector z = f.mul(f);
            FloatVector q = f.mul(V_L8).add(V_L7).mul(f).add(V_L6).mul(f).add(V_L5).mul(f).add(V_L4).mul(f).add(V_L3)
                    .mul(f).add(V_L2).mul(f).add(V_L1).mul(f).add(V_L0);
            FloatVector r = q.mul(f).mul(z).add(fe.mul(V_LN2_LO)).sub(z.mul(HALF));
            r = f.add(r).add(fe.mul(V_LN2_HI));
            r.blend(NAN, v.compare(VectorOperators.GT, ZERO).not())
                    .blend(NEG_INF, v.compare(VectorOperators.EQ, ZERO))
                    .blend(POS_INF, v.compare(VectorOperators.EQ, POS_INF))
                    .intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = FloatMath.log(x[xOff + i]);
        }
    }
}
