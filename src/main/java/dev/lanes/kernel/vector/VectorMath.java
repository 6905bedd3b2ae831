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
 * {@link FloatMath}'s constants as vectors, for the generated pointwise loops
 * ({@code VectorPointwise} and the fused kernels, see tools/codegen), which evaluate FloatMath's exp, sigmoid, tanh, log and erf step for
 * step on whole vectors, so every lane equals the scalar result bit for bit.
 *
 * <p><b>No vector crosses a method boundary in those loops.</b> Each spells its functions out
 * with Vector API calls only. Those are force-inlined by C2 whatever the size of the compilation,
 * while a helper method of ours that takes or returns a vector is inlined only while the
 * compilation is under C2's node budget (NodeCountInliningCutoff); a caller that inlines a loop
 * into a large method would then call the helper out of line and box every vector, allocating
 * on every iteration. Hence the generator writes exp's dozen lines into every loop that needs it.
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
    static final FloatVector V_ERF_P = c(FloatMath.ERF_P);
    static final FloatVector V_ERF_A1 = c(FloatMath.ERF_A1);
    static final FloatVector V_ERF_A2 = c(FloatMath.ERF_A2);
    static final FloatVector V_ERF_A3 = c(FloatMath.ERF_A3);
    static final FloatVector V_ERF_A4 = c(FloatMath.ERF_A4);
    static final FloatVector V_ERF_A5 = c(FloatMath.ERF_A5);

    private VectorMath() {
    }

    private static FloatVector c(float v) {
        return FloatVector.broadcast(S, v);
    }
}
