package dev.lanes.kernel;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** Float generators over the whole range, edge values, and error measures in ulp. */
final class FloatValues {

    /** Values every elementwise function must get right. */
    static final float[] EDGES = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, 1e-40f, -1e-40f, Float.MIN_NORMAL,
        -Float.MIN_NORMAL, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 88.7f, -88.7f, 88.72f, 89f,
        -89f, -103.9f, -104f, 9f, -9f, 9.02f, -9.02f, 20f, -20f, 0.625f, -0.625f, 0.6249999f, 1f, -1f, 0.5f,
        16.7f, -16.7f, -20.0001f, 100f, -100f, 1000f, -1000f, Float.MAX_VALUE, -Float.MAX_VALUE, 1e-8f, -1e-8f,
        0.70710677f, 1.4142135f, 1.4142137f};

    private FloatValues() {
    }

    /** Any float: uniform bit patterns (all exponents, NaNs and infinities included). */
    static Arbitrary<Float> anyBits() {
        return Arbitraries.integers().map(Float::intBitsToFloat);
    }

    /** Uniform in [-lim, lim], at full float resolution rather than on a decimal grid. */
    static Arbitrary<Float> uniform(float lim) {
        return Arbitraries.integers().between(0, 1 << 24).map(i -> (i / (float) (1 << 24) * 2f - 1f) * lim);
    }

    /** The mix used by the elementwise properties: any float, the region where activations bend, edges. */
    static Arbitrary<Float> mixed() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, anyBits()),
                net.jqwik.api.Tuple.of(4, uniform(30f)),
                net.jqwik.api.Tuple.of(2, Arbitraries.of(box(EDGES))));
    }

    /** Lists of 0 to 300 mixed values. */
    static Arbitrary<List<Float>> lists() {
        return mixed().list().ofMaxSize(300);
    }

    static Float[] box(float[] v) {
        Float[] out = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }

    /** The list in an array of {@code off + size + pad} NaN-filled floats, from {@code off}. */
    static float[] embed(List<Float> values, int off, int pad) {
        float[] a = new float[off + values.size() + pad];
        java.util.Arrays.fill(a, Float.NaN);
        for (int i = 0; i < values.size(); i++) {
            a[off + i] = values.get(i);
        }
        return a;
    }

    /**
     * The error of {@code got} against the exact value {@code ref}, in units of the last place of
     * {@code ref} rounded to float; 0 when both are the same NaN or infinity class, infinite when
     * one of them is special and the other is not.
     */
    static double ulpError(float got, double ref) {
        float rf = (float) ref;
        if (Float.isNaN(rf) || Float.isNaN(got)) {
            return Float.isNaN(rf) && Float.isNaN(got) ? 0 : Double.POSITIVE_INFINITY;
        }
        if (Float.isInfinite(rf) || Float.isInfinite(got)) {
            return got == rf ? 0 : Double.POSITIVE_INFINITY;
        }
        return Math.abs(got - ref) / Math.ulp(rf);
    }

    /** Same bits, with every NaN equal to every NaN. */
    static boolean sameBits(float a, float b) {
        return Float.floatToIntBits(a) == Float.floatToIntBits(b);
    }
}
