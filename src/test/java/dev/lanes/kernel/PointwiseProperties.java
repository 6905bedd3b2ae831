package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lanes.kernel.internal.DoubleMath;
import dev.lanes.kernel.internal.FloatMath;
import dev.lanes.kernel.internal.KernelProvider;
import dev.lanes.kernel.internal.PointwiseOp;
import dev.lanes.kernel.internal.Providers;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Every operation declared in src/main/ops/pointwise.ops: the vector provider's generated loops
 * give the scalar provider's bits, forward and backward, at every length and offset (the tails
 * included) and on special values; the float erf is within its stated error.
 */
class PointwiseProperties {

    private static final float[] SPECIAL = {0f, -0f, 1e-30f, -1e-30f, Float.MIN_VALUE, 1e-8f, -3.9f, 3.9f, 8f, -8f,
        15f, -15f, 88f, -88f, 100f, -110f, Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, Float.NaN};

    private static float[] values(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextInt(8) == 0 ? SPECIAL[r.nextInt(SPECIAL.length)] : (float) (r.nextGaussian() * 4);
        }
        return v;
    }

    private static void sameBits(float[] a, float[] b, String what) {
        for (int i = 0; i < a.length; i++) {
            assertEquals(Float.floatToIntBits(a[i]), Float.floatToIntBits(b[i]), what + " element " + i + ": "
                    + a[i] + " vs " + b[i]);
        }
    }

    @Property(tries = 300)
    void vectorLoopsGiveTheScalarBits(@ForAll @IntRange(min = 0, max = 80) int n, @ForAll @IntRange(max = 5) int off,
                                      @ForAll long seed) {
        KernelProvider scalar = Providers.scalar();
        KernelProvider vector = Providers.vector().orElseThrow();
        Random r = new Random(seed);
        float[] x = values(r, n + off);
        float[] dy = values(r, n + off);
        for (PointwiseOp op : PointwiseOp.values()) {
            float[] ys = new float[n + off];
            float[] yv = new float[n + off];
            scalar.pointwise().pointwise(op, x, off, ys, off, n);
            vector.pointwise().pointwise(op, x, off, yv, off, n);
            sameBits(ys, yv, op + " forward, n=" + n);
            float[] dxs = new float[n + off];
            float[] dxv = new float[n + off];
            scalar.pointwise().pointwiseBackward(op, x, off, ys, off, dy, off, dxs, off, n);
            vector.pointwise().pointwiseBackward(op, x, off, ys, off, dy, off, dxv, off, n);
            sameBits(dxs, dxv, op + " backward, n=" + n);
        }
    }

    @Test
    void floatErfIsWithinItsStatedError() {
        double worst = 0;
        for (int i = -5000; i <= 5000; i++) {
            float x = i / 1000f;
            worst = Math.max(worst, Math.abs(FloatMath.erf(x) - DoubleMath.erf(x)));
        }
        // Abramowitz and Stegun 7.1.26 is within 1.5e-7; evaluating it in float adds a few roundings.
        assertEquals(0, worst, 5e-7, "max |erf_float - erf|");
        assertEquals(1f, FloatMath.erf(Float.POSITIVE_INFINITY));
        assertEquals(-1f, FloatMath.erf(-40f));
        assertEquals(Float.NaN, FloatMath.erf(Float.NaN));
    }

    @Test
    void doubleErfMatchesKnownValues() {
        // erf at 0.1, 0.5, 1, 2, 2.5, 3, 4 (tables to 16 digits)
        double[][] known = {{0.1, 0.1124629160182849}, {0.5, 0.5204998778130465}, {1, 0.8427007929497149},
            {2, 0.9953222650189527}, {2.5, 0.9995930479825550}, {3, 0.9999779095030014}, {4, 0.9999999845827421}};
        for (double[] k : known) {
            assertEquals(k[1], DoubleMath.erf(k[0]), 2e-16, "erf(" + k[0] + ")");
            assertEquals(-k[1], DoubleMath.erf(-k[0]), 2e-16, "erf(" + -k[0] + ")");
        }
        assertEquals(0.0, DoubleMath.erf(0.0));
        assertEquals(1.0, DoubleMath.erf(7.0));
        // Continuity where the method changes at |x| = 2.
        assertEquals(DoubleMath.erf(Math.nextDown(2.0)), DoubleMath.erf(2.0), 1e-15);
    }
}
