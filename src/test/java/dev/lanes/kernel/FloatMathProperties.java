package dev.lanes.kernel;

import static dev.lanes.kernel.FloatValues.ulpError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.internal.FloatMath;
import java.util.function.DoubleUnaryOperator;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Accuracy of the single precision exp, log, sigmoid and tanh that both providers follow,
 * against {@link Math} in double precision: at most 4 ulp everywhere, exact at the saturation
 * points, NaN in and NaN out. (The providers' kernels are checked to equal these functions bit
 * for bit in {@code ElementwiseProperties}.)
 */
class FloatMathProperties {

    static final double MAX_ULP = 4;

    @Provide
    static Arbitrary<Float> value() {
        return FloatValues.mixed();
    }

    /** The exact logistic function: 1 / (1 + e^-x) from whichever side cannot overflow. */
    static double sigmoid(double x) {
        if (x >= 0) {
            return 1 / (1 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1 + e);
    }

    static void assertAccurate(String name, float x, float got, double ref) {
        double err = ulpError(got, ref);
        assertTrue(err <= MAX_ULP, () -> name + "(" + x + ") = " + got + ", exact " + ref + ": " + err + " ulp");
    }

    @Property(tries = 3000)
    void expWithin4Ulp(@ForAll("value") float x) {
        assertAccurate("exp", x, FloatMath.exp(x), Math.exp(x));
    }

    @Property(tries = 3000)
    void logWithin4Ulp(@ForAll("value") float x) {
        assertAccurate("log", x, FloatMath.log(x), Math.log(x));
    }

    @Property(tries = 3000)
    void sigmoidWithin4Ulp(@ForAll("value") float x) {
        assertAccurate("sigmoid", x, FloatMath.sigmoid(x), sigmoid(x));
    }

    @Property(tries = 3000)
    void tanhWithin4Ulp(@ForAll("value") float x) {
        assertAccurate("tanh", x, FloatMath.tanh(x), Math.tanh(x));
    }

    /**
     * A deterministic sweep over every 4099th bit pattern (about a million floats of every
     * exponent and sign) for each function: the worst case, not just random samples.
     */
    @Example
    void sweepOfTheWholeFloatRange() {
        sweep("exp", FloatMath::exp, Math::exp);
        sweep("log", FloatMath::log, Math::log);
        sweep("sigmoid", FloatMath::sigmoid, FloatMathProperties::sigmoid);
        sweep("tanh", FloatMath::tanh, Math::tanh);
    }

    interface FloatFunction {
        float apply(float x);
    }

    private static void sweep(String name, FloatFunction f, DoubleUnaryOperator exact) {
        double worst = 0;
        float worstAt = 0;
        for (long bits = 0; bits < (1L << 32); bits += 4099) {
            float x = Float.intBitsToFloat((int) bits);
            double err = ulpError(f.apply(x), exact.applyAsDouble(x));
            if (!(err <= worst)) {
                worst = err;
                worstAt = x;
            }
        }
        double w = worst;
        float at = worstAt;
        assertTrue(w <= MAX_ULP, () -> name + ": " + w + " ulp at " + at);
    }

    @Example
    void saturationAndSpecialValues() {
        assertEquals(1f, FloatMath.tanh(20f));
        assertEquals(-1f, FloatMath.tanh(-20f));
        assertEquals(1f, FloatMath.tanh(9.02f));
        assertEquals(1f, FloatMath.tanh(Float.POSITIVE_INFINITY));
        assertEquals(-1f, FloatMath.tanh(Float.NEGATIVE_INFINITY));
        assertEquals(-0f, FloatMath.tanh(-0f));
        assertEquals(1f, FloatMath.sigmoid(100f));
        assertEquals(1f, FloatMath.sigmoid(17f));
        assertEquals(0f, FloatMath.sigmoid(-1000f));
        assertEquals(0f, FloatMath.sigmoid(-104f));
        assertEquals(0.5f, FloatMath.sigmoid(0f));
        assertEquals(0.5f, FloatMath.sigmoid(-0f));
        assertEquals(1f, FloatMath.sigmoid(Float.POSITIVE_INFINITY));
        assertEquals(0f, FloatMath.sigmoid(Float.NEGATIVE_INFINITY));
        // Like PyTorch, sigmoid follows e^x through the subnormals rather than flushing to 0.
        assertEquals((float) sigmoid(-100), FloatMath.sigmoid(-100f), Math.ulp((float) sigmoid(-100)));
        assertEquals(Float.POSITIVE_INFINITY, FloatMath.exp(89f));
        assertEquals(Float.POSITIVE_INFINITY, FloatMath.exp(88.73f));
        assertTrue(Float.isFinite(FloatMath.exp(88.72f)));
        assertEquals(Float.POSITIVE_INFINITY, FloatMath.exp(Float.POSITIVE_INFINITY));
        assertEquals(0f, FloatMath.exp(Float.NEGATIVE_INFINITY));
        assertEquals(0f, FloatMath.exp(-1000f));
        assertEquals(1f, FloatMath.exp(0f));
        assertEquals(1f, FloatMath.exp(-0f));
        assertEquals(Float.MIN_VALUE, FloatMath.exp(-103.28f));
        assertEquals(Float.NEGATIVE_INFINITY, FloatMath.log(0f));
        assertEquals(Float.NEGATIVE_INFINITY, FloatMath.log(-0f));
        assertEquals(Float.POSITIVE_INFINITY, FloatMath.log(Float.POSITIVE_INFINITY));
        assertEquals(0f, FloatMath.log(1f));
        assertTrue(Float.isNaN(FloatMath.log(-1f)));
        assertTrue(Float.isNaN(FloatMath.log(Float.NEGATIVE_INFINITY)));
        assertEquals((float) Math.log(Float.MIN_VALUE), FloatMath.log(Float.MIN_VALUE));
        for (FloatFunction f : new FloatFunction[] {FloatMath::exp, FloatMath::log, FloatMath::sigmoid,
            FloatMath::tanh}) {
            assertTrue(Float.isNaN(f.apply(Float.NaN)));
            assertTrue(Float.isNaN(f.apply(Float.intBitsToFloat(0xFFC00001))));
        }
    }
}
