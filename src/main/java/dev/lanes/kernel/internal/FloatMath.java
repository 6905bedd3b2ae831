package dev.lanes.kernel.internal;

/**
 * Single precision exp, log, sigmoid, tanh and erf: the definition both providers follow.
 *
 * <p>Each function is a short sequence of float additions, multiplications, divisions and bit
 * operations, with no fused multiply-add and no branch that depends on more than one lane. The
 * vector provider evaluates the same sequence lane by lane in the same order, so both providers
 * return the same bits, and the scalar provider uses these methods directly. The maximum error
 * against the correctly rounded result is about 2 ulp over the whole float range (the accuracy
 * properties bound it by 4).
 *
 * <p>The polynomial coefficients are the published single precision minimax coefficients of
 * the Cephes library (S. L. Moshier): {@code expf} on {@code [-ln2/2, ln2/2]}, {@code logf} on
 * {@code [sqrt(1/2) - 1, sqrt(2) - 1]} and {@code tanhf} on {@code [-0.625, 0.625]}. erf is
 * formula 7.1.26 of Abramowitz and Stegun (absolute error below 1.5e-7, below 5e-7 once evaluated
 * in float), on top of exp.
 */
public final class FloatMath {

    /** log2(e). */
    public static final float LOG2E = 1.44269504088896341f;
    /** 1.5 * 2^23: adding it rounds a float of magnitude below 2^22 to an integer, kept in the low mantissa bits. */
    public static final float ROUND_MAGIC = 12582912f;
    /** The bits of {@link #ROUND_MAGIC}. */
    public static final int ROUND_MAGIC_BITS = 0x4B400000;
    /** High part of ln 2 (few mantissa bits, so {@code n * LN2_HI} is exact for |n| < 2^8). */
    public static final float LN2_HI = 0.693359375f;
    /** Low part of ln 2: {@code LN2_HI + LN2_LO} is ln 2 to about 2^-36. */
    public static final float LN2_LO = -2.12194440e-4f;
    /** At or above this, exp overflows to +Inf (exp(88.7229) > Float.MAX_VALUE). */
    public static final float EXP_OVERFLOW = 88.8f;
    /** Below this, exp is below half the smallest subnormal and rounds to 0. */
    public static final float EXP_UNDERFLOW = -104f;

    /** exp(r) = 1 + r + r^2 * (E0 + r * (E1 + ...)) on |r| <= ln2/2. */
    public static final float E5 = 1.9875691500e-4f;
    /** See {@link #E5}. */
    public static final float E4 = 1.3981999507e-3f;
    /** See {@link #E5}. */
    public static final float E3 = 8.3334519073e-3f;
    /** See {@link #E5}. */
    public static final float E2 = 4.1665795894e-2f;
    /** See {@link #E5}. */
    public static final float E1 = 1.6666665459e-1f;
    /** See {@link #E5}. */
    public static final float E0 = 5.0000001201e-1f;

    /** Below this, sigmoid(x) is computed as e^x. */
    public static final float SIGMOID_EXP_BELOW = -20f;

    /** Below this |x|, tanh uses its odd polynomial (the exp form would cancel). */
    public static final float TANH_SMALL = 0.625f;
    /** tanh(x) = x + x^3 * (T0 + x^2 * (T1 + ...)) on |x| < 0.625. */
    public static final float T4 = -5.70498872745e-3f;
    /** See {@link #T4}. */
    public static final float T3 = 2.06390887954e-2f;
    /** See {@link #T4}. */
    public static final float T2 = -5.37397155531e-2f;
    /** See {@link #T4}. */
    public static final float T1 = 1.33314422036e-1f;
    /** See {@link #T4}. */
    public static final float T0 = -3.33332819422e-1f;

    /** The bits of sqrt(1/2) with the exponent of 1: mantissas above it are halved for log. */
    public static final int SQRT_HALF_MANTISSA = 0x3504F3;
    /** log(1 + f) = f - f^2/2 + f^3 * (L0 + f * (L1 + ...)) on sqrt(1/2) - 1 <= f < sqrt(2) - 1. */
    public static final float L8 = 7.0376836292e-2f;
    /** See {@link #L8}. */
    public static final float L7 = -1.1514610310e-1f;
    /** See {@link #L8}. */
    public static final float L6 = 1.1676998740e-1f;
    /** See {@link #L8}. */
    public static final float L5 = -1.2420140846e-1f;
    /** See {@link #L8}. */
    public static final float L4 = 1.4249322787e-1f;
    /** See {@link #L8}. */
    public static final float L3 = -1.6668057665e-1f;
    /** See {@link #L8}. */
    public static final float L2 = 2.0000714765e-1f;
    /** See {@link #L8}. */
    public static final float L1 = -2.4999993993e-1f;
    /** See {@link #L8}. */
    public static final float L0 = 3.3333331174e-1f;
    /** 2^23, to lift subnormal log arguments into the normal range. */
    public static final float TWO_POW_23 = 8388608f;
    /** erf: Abramowitz and Stegun 7.1.26, {@code t = 1 / (1 + p |x|)}. */
    public static final float ERF_P = 0.3275911f;
    /** erf: the coefficients of {@code t} to {@code t^5}. */
    public static final float ERF_A1 = 0.254829592f;
    /** See {@link #ERF_A1}. */
    public static final float ERF_A2 = -0.284496736f;
    /** See {@link #ERF_A1}. */
    public static final float ERF_A3 = 1.421413741f;
    /** See {@link #ERF_A1}. */
    public static final float ERF_A4 = -1.453152027f;
    /** See {@link #ERF_A1}. */
    public static final float ERF_A5 = 1.061405429f;

    private FloatMath() {
    }

    /**
     * e^x. Overflows to +Inf from {@link #EXP_OVERFLOW}, underflows through the subnormals to
     * +0, and maps NaN to NaN.
     */
    public static float exp(float x) {
        // x = n ln2 + r with n = round(x log2 e); ROUND_MAGIC does the rounding without a
        // conversion. Garbage in n for huge |x| or NaN is overwritten below.
        float t = x * LOG2E + ROUND_MAGIC;
        float n = t - ROUND_MAGIC;
        int ni = Float.floatToRawIntBits(t) - ROUND_MAGIC_BITS;
        float r = x - n * LN2_HI;
        r = r - n * LN2_LO;
        float p = expPoly(r);
        // 2^n in two factors so that n down to -150 (subnormal results) and up to 128 stays
        // representable; the first product is exact, the second rounds once.
        int n1 = ni >> 1;
        float y = p * pow2(n1) * pow2(ni - n1);
        if (x >= EXP_OVERFLOW) {
            return Float.POSITIVE_INFINITY;
        }
        if (x < EXP_UNDERFLOW) {
            return 0f;
        }
        return y;
    }

    /** e^r on |r| <= ln2/2. */
    static float expPoly(float r) {
        float z = r * r;
        float q = E5 * r + E4;
        q = q * r + E3;
        q = q * r + E2;
        q = q * r + E1;
        q = q * r + E0;
        return q * z + r + 1f;
    }

    /** 2^n for n in [-126, 127], built from the exponent bits. */
    static float pow2(int n) {
        return Float.intBitsToFloat((n + 127) << 23);
    }

    /**
     * The natural logarithm: -Inf at ±0, NaN below 0 and for NaN, +Inf at +Inf; subnormal
     * arguments are exact inputs like any other.
     */
    public static float log(float x) {
        boolean subnormal = x < Float.MIN_NORMAL;
        float xs = subnormal ? x * TWO_POW_23 : x;
        int bits = Float.floatToRawIntBits(xs);
        int e = (bits >> 23) - 127 - (subnormal ? 23 : 0);
        int mant = bits & 0x7FFFFF;
        // m in [sqrt(1/2), sqrt(2)): halve the mantissa (and bump e) when it is above sqrt(2)'s.
        boolean high = mant > SQRT_HALF_MANTISSA;
        float m = Float.intBitsToFloat(mant | (high ? 0x3F000000 : 0x3F800000));
        e = high ? e + 1 : e;
        float f = m - 1f;
        float fe = e;
        float z = f * f;
        float y = logPoly(f) * f * z;
        y = y + fe * LN2_LO;
        y = y - 0.5f * z;
        y = f + y;
        y = y + fe * LN2_HI;
        if (x == Float.POSITIVE_INFINITY) {
            return x;
        }
        if (x == 0f) {
            return Float.NEGATIVE_INFINITY;
        }
        if (!(x > 0f)) {
            return Float.NaN;
        }
        return y;
    }

    /** (log(1 + f) - f + f^2/2) / f^3 on sqrt(1/2) - 1 <= f < sqrt(2) - 1. */
    static float logPoly(float f) {
        float q = L8 * f + L7;
        q = q * f + L6;
        q = q * f + L5;
        q = q * f + L4;
        q = q * f + L3;
        q = q * f + L2;
        q = q * f + L1;
        return q * f + L0;
    }

    /**
     * The logistic function 1 / (1 + e^-x). Below {@link #SIGMOID_EXP_BELOW} it is e^x (the
     * two differ by less than 2^-28 relative there), so e^-x never overflows. Reaches exactly
     * 1 from x = 16.7 and exactly 0 from x = -104 down; in between it follows e^x through the
     * subnormals, like PyTorch.
     */
    public static float sigmoid(float x) {
        boolean tail = x < SIGMOID_EXP_BELOW;
        float e = exp(tail ? x : -x);
        float q = 1f / (1f + e);
        return tail ? e : q;
    }

    /**
     * The hyperbolic tangent: an odd polynomial below |x| = 0.625, (1 - e) / (1 + e) with
     * e = e^-2|x| above, sign restored. Exactly ±1 from |x| = 9.011.
     */
    public static float tanh(float x) {
        float ax = Math.abs(x);
        float z = x * x;
        float q = T4 * z + T3;
        q = q * z + T2;
        q = q * z + T1;
        q = q * z + T0;
        float small = q * z * x + x;
        small = x == 0f ? x : small; // keeps tanh(-0) = -0 (the polynomial term is +0)
        float e = exp(-2f * ax);
        float large = Math.copySign((1f - e) / (1f + e), x);
        return ax < TANH_SMALL ? small : large;
    }

    /**
     * The error function: {@code 1 - (a1 t + ... + a5 t^5) e^(-x^2)} with {@code t = 1 / (1 + p |x|)},
     * the sign of x restored; absolute error below 5e-7, NaN for NaN.
     */
    public static float erf(float x) {
        float ax = Math.abs(x);
        float t = 1f / (ax * ERF_P + 1f);
        float q = t * ERF_A5 + ERF_A4;
        q = q * t + ERF_A3;
        q = q * t + ERF_A2;
        q = q * t + ERF_A1;
        float e = exp(-(ax * ax));
        return Math.copySign(1f - q * t * e, x);
    }
}
