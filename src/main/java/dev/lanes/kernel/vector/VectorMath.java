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

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link dev.lanes.kernel.internal.FloatMath} on whole vectors: the same operations in the
 * same order, lane by lane, so every lane equals the scalar result bit for bit. Callers are
 * fused kernels; each method is small enough for C2 to inline into their loops (an out-of-line
 * call would box the vectors).
 */
final class VectorMath {

    // Constants as vectors, broadcast once: an operation with a scalar operand inlines a
    // broadcast each time, and the kernels that use these functions would otherwise exceed
    // C2's inlining node budget and box their vectors.
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final FloatVector ONE = c(1f);
    private static final FloatVector HALF = c(0.5f);
    private static final FloatVector MINUS_TWO = c(-2f);
    private static final FloatVector ZERO = c(0f);
    private static final FloatVector POS_INF = c(Float.POSITIVE_INFINITY);
    private static final FloatVector NEG_INF = c(Float.NEGATIVE_INFINITY);
    private static final FloatVector NAN = c(Float.NaN);
    private static final FloatVector V_LOG2E = c(LOG2E);
    private static final FloatVector V_MAGIC = c(ROUND_MAGIC);
    private static final IntVector V_MAGIC_BITS = IntVector.broadcast(I, ROUND_MAGIC_BITS);
    private static final IntVector BIAS = IntVector.broadcast(I, 127);
    private static final IntVector V_SUBNORMAL_SHIFT = IntVector.broadcast(I, 23);
    private static final IntVector INT_ONE = IntVector.broadcast(I, 1);
    private static final IntVector MANTISSA = IntVector.broadcast(I, 0x7FFFFF);
    private static final IntVector EXPONENT_ONE = IntVector.broadcast(I, 0x3F800000);
    private static final IntVector EXPONENT_HALF = IntVector.broadcast(I, 0x3F000000);
    private static final IntVector V_SQRT_HALF = IntVector.broadcast(I, SQRT_HALF_MANTISSA);
    private static final IntVector SIGN = IntVector.broadcast(I, 0x80000000);
    private static final IntVector MAGNITUDE = IntVector.broadcast(I, 0x7FFFFFFF);
    private static final FloatVector V_LN2_HI = c(LN2_HI);
    private static final FloatVector V_LN2_LO = c(LN2_LO);
    private static final FloatVector V_OVERFLOW = c(EXP_OVERFLOW);
    private static final FloatVector V_UNDERFLOW = c(EXP_UNDERFLOW);
    private static final FloatVector V_SIGMOID_EXP_BELOW = c(SIGMOID_EXP_BELOW);
    private static final FloatVector V_TANH_SMALL = c(TANH_SMALL);
    private static final FloatVector V_MIN_NORMAL = c(Float.MIN_NORMAL);
    private static final FloatVector V_TWO_POW_23 = c(TWO_POW_23);
    private static final FloatVector V_E0 = c(E0);
    private static final FloatVector V_E1 = c(E1);
    private static final FloatVector V_E2 = c(E2);
    private static final FloatVector V_E3 = c(E3);
    private static final FloatVector V_E4 = c(E4);
    private static final FloatVector V_E5 = c(E5);
    private static final FloatVector V_T0 = c(T0);
    private static final FloatVector V_T1 = c(T1);
    private static final FloatVector V_T2 = c(T2);
    private static final FloatVector V_T3 = c(T3);
    private static final FloatVector V_T4 = c(T4);
    private static final FloatVector V_L0 = c(L0);
    private static final FloatVector V_L1 = c(L1);
    private static final FloatVector V_L2 = c(L2);
    private static final FloatVector V_L3 = c(L3);
    private static final FloatVector V_L4 = c(L4);
    private static final FloatVector V_L5 = c(L5);
    private static final FloatVector V_L6 = c(L6);
    private static final FloatVector V_L7 = c(L7);
    private static final FloatVector V_L8 = c(L8);

    private VectorMath() {
    }

    private static FloatVector c(float v) {
        return FloatVector.broadcast(S, v);
    }

    /** e^x, as {@link dev.lanes.kernel.internal.FloatMath#exp}. */
    static FloatVector exp(FloatVector x) {
        FloatVector t = x.mul(V_LOG2E).add(V_MAGIC);
        FloatVector n = t.sub(V_MAGIC);
        IntVector ni = t.reinterpretAsInts().sub(V_MAGIC_BITS);
        FloatVector r = x.sub(n.mul(V_LN2_HI));
        r = r.sub(n.mul(V_LN2_LO));
        FloatVector z = r.mul(r);
        FloatVector q = r.mul(V_E5).add(V_E4);
        q = q.mul(r).add(V_E3);
        q = q.mul(r).add(V_E2);
        q = q.mul(r).add(V_E1);
        q = q.mul(r).add(V_E0);
        FloatVector p = q.mul(z).add(r).add(ONE);
        // 2^n1 * 2^n2 with n1 = n >> 1, n2 = n - n1, from the exponent bits.
        IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
        FloatVector s1 = n1.add(BIAS).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = ni.sub(n1).add(BIAS).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector y = p.mul(s1).mul(s2);
        y = y.blend(POS_INF, x.compare(VectorOperators.GE, V_OVERFLOW));
        return y.blend(ZERO, x.compare(VectorOperators.LT, V_UNDERFLOW));
    }

    /** The logistic function, as {@link dev.lanes.kernel.internal.FloatMath#sigmoid}. */
    static FloatVector sigmoid(FloatVector x) {
        VectorMask<Float> tail = x.compare(VectorOperators.LT, V_SIGMOID_EXP_BELOW);
        FloatVector e = exp(x.neg().blend(x, tail));
        FloatVector q = ONE.div(e.add(ONE));
        return q.blend(e, tail);
    }

    /** tanh, as {@link dev.lanes.kernel.internal.FloatMath#tanh}. */
    static FloatVector tanh(FloatVector x) {
        FloatVector ax = x.abs();
        FloatVector z = x.mul(x);
        FloatVector q = z.mul(V_T4).add(V_T3);
        q = q.mul(z).add(V_T2);
        q = q.mul(z).add(V_T1);
        q = q.mul(z).add(V_T0);
        FloatVector small = q.mul(z).mul(x).add(x);
        small = small.blend(x, x.compare(VectorOperators.EQ, ZERO));
        FloatVector e = exp(ax.mul(MINUS_TWO));
        FloatVector large = e.neg().add(ONE).div(e.add(ONE));
        large = large.reinterpretAsInts().and(MAGNITUDE).or(x.reinterpretAsInts().and(SIGN)).reinterpretAsFloats();
        return large.blend(small, ax.compare(VectorOperators.LT, V_TANH_SMALL));
    }

    /** The natural logarithm, as {@link dev.lanes.kernel.internal.FloatMath#log}. */
    static FloatVector log(FloatVector x) {
        VectorMask<Float> subnormal = x.compare(VectorOperators.LT, V_MIN_NORMAL);
        IntVector bits = x.blend(x.mul(V_TWO_POW_23), subnormal).reinterpretAsInts();
        IntVector e = bits.lanewise(VectorOperators.ASHR, 23).sub(BIAS);
        e = e.blend(e.sub(V_SUBNORMAL_SHIFT), subnormal.cast(I));
        IntVector mant = bits.and(MANTISSA);
        VectorMask<Integer> high = mant.compare(VectorOperators.GT, V_SQRT_HALF);
        FloatVector m = mant.or(EXPONENT_ONE).blend(mant.or(EXPONENT_HALF), high).reinterpretAsFloats();
        e = e.blend(e.add(INT_ONE), high);
        FloatVector f = m.sub(ONE);
        FloatVector fe = (FloatVector) e.convert(VectorOperators.I2F, 0);
        FloatVector z = f.mul(f);
        FloatVector y = logPoly(f).mul(f).mul(z);
        y = y.add(fe.mul(V_LN2_LO));
        y = y.sub(z.mul(HALF));
        y = f.add(y);
        y = y.add(fe.mul(V_LN2_HI));
        y = y.blend(NAN, x.compare(VectorOperators.GT, ZERO).not());
        y = y.blend(NEG_INF, x.compare(VectorOperators.EQ, ZERO));
        return y.blend(POS_INF, x.compare(VectorOperators.EQ, POS_INF));
    }

    private static FloatVector logPoly(FloatVector f) {
        FloatVector q = f.mul(V_L8).add(V_L7);
        q = q.mul(f).add(V_L6);
        q = q.mul(f).add(V_L5);
        q = q.mul(f).add(V_L4);
        q = q.mul(f).add(V_L3);
        q = q.mul(f).add(V_L2);
        q = q.mul(f).add(V_L1);
        return q.mul(f).add(V_L0);
    }
}
