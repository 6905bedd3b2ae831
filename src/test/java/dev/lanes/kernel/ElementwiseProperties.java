package dev.lanes.kernel;

import static dev.lanes.kernel.FloatValues.embed;
import static dev.lanes.kernel.FloatValues.sameBits;
import static dev.lanes.kernel.FloatValues.ulpError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lanes.kernel.internal.ArithmeticKernels;
import dev.lanes.kernel.internal.Binary;
import dev.lanes.kernel.internal.Elementwise;
import dev.lanes.kernel.internal.FloatMath;
import dev.lanes.kernel.internal.KernelProvider;
import dev.lanes.kernel.internal.Parallel;
import dev.lanes.kernel.internal.PointwiseOp;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The pointwise kernels of both providers against their definitions, element by element: the
 * single precision results must be the exact bits of the formula (so the providers agree bit for
 * bit), the activations must be within 4 ulp of the double precision result, and nothing outside
 * the output range may change. Inputs mix any bit pattern, the range where activations bend and
 * edge values; lengths 0 to 300 from random offsets; in place and out of place.
 */
class ElementwiseProperties {

    private static final float SENTINEL = 12345.5f;

    @Provide
    static Arbitrary<KernelProvider> provider() {
        return SgemmProperties.provider();
    }

    @Provide
    static Arbitrary<List<Float>> values() {
        return FloatValues.lists();
    }

    @Provide
    static Arbitrary<Float> scalar() {
        return Arbitraries.oneOf(FloatValues.uniform(4f), Arbitraries.of(0f, -0f, 1f, -1f, Float.NaN));
    }

    /** The definition of each activation, from FloatMath. */
    static float activation(Activation f, float x) {
        return switch (f) {
            case IDENTITY -> x;
            case RELU -> x > 0f || Float.isNaN(x) ? x : 0f;
            case SIGMOID -> FloatMath.sigmoid(x);
            case TANH -> FloatMath.tanh(x);
            case EXP -> FloatMath.exp(x);
        };
    }

    /** The exact value of each activation. */
    static double exact(Activation f, float x) {
        return switch (f) {
            case IDENTITY -> x;
            case RELU -> x > 0f || Float.isNaN(x) ? x : 0f;
            case SIGMOID -> FloatMathProperties.sigmoid(x);
            case TANH -> Math.tanh(x);
            case EXP -> Math.exp(x);
        };
    }

    /** dy * f'(y) as the Activation documentation states it. */
    static float derivative(Activation f, float y, float dy) {
        return switch (f) {
            case IDENTITY -> dy;
            case RELU -> y > 0f ? dy : 0f;
            case SIGMOID -> dy * (y * (1f - y));
            case TANH -> dy * (1f - y * y);
            case EXP -> dy * y;
        };
    }

    interface Expected {
        float at(int i);
    }

    /** y[off, off + n) holds expected(i) bit for bit and the rest of y still holds {@code rest}. */
    static void assertRange(String what, float[] y, int off, int n, Expected expected, float[] rest) {
        for (int i = 0; i < y.length; i++) {
            boolean inside = i >= off && i < off + n;
            float want = inside ? expected.at(i - off) : rest[i];
            if (!sameBits(y[i], want)) {
                fail(what + ": element " + (i - off) + " (index " + i + (inside ? "" : ", outside the output")
                        + ") is " + y[i] + ", expected " + want);
            }
        }
    }

    static float[] filled(int size) {
        float[] a = new float[size];
        java.util.Arrays.fill(a, SENTINEL);
        return a;
    }

    @Property(tries = 300)
    void activationsAreFloatMathBitForBitAndAccurate(@ForAll("provider") KernelProvider p, @ForAll Activation f,
                                                     @ForAll("values") List<Float> xs,
                                                     @ForAll @IntRange(max = 19) int xOff,
                                                     @ForAll @IntRange(max = 19) int yOff, @ForAll boolean inPlace) {
        int n = xs.size();
        float[] x = embed(xs, xOff, 3);
        float[] before = x.clone();
        float[] y = inPlace ? x : filled(yOff + n + 5);
        int yo = inPlace ? xOff : yOff;
        float[] rest = y.clone();
        p.elementwise().activate(f, x, xOff, y, yo, n);
        String what = p.name() + " " + f + (inPlace ? " in place" : "");
        assertRange(what, y, yo, n, i -> activation(f, xs.get(i)), rest);
        if (!inPlace) {
            assertRange(what + " (input)", x, xOff, n, i -> before[xOff + i], before);
        }
        for (int i = 0; i < n; i++) {
            float xi = xs.get(i);
            double err = ulpError(y[yo + i], exact(f, xi));
            assertTrue(err <= FloatMathProperties.MAX_ULP, what + "(" + xi + ") = " + y[yo + i] + ": " + err + " ulp");
        }
    }

    @Property(tries = 200)
    void activationBackwardIsTheDocumentedFormula(@ForAll("provider") KernelProvider p, @ForAll Activation f,
                                                  @ForAll("values") List<Float> xs, @ForAll long seed,
                                                  @ForAll @IntRange(max = 3) int aliasing) {
        int n = xs.size();
        Random r = new Random(seed);
        float[] y = new float[n + 4];
        float[] dy = new float[n + 7];
        for (int i = 0; i < n; i++) {
            y[2 + i] = activation(f, xs.get(i));
            dy[5 + i] = r.nextFloat() * 4 - 2;
        }
        float[] y0 = y.clone();
        float[] dy0 = dy.clone();
        // 0: separate output; 1: dx is dy; 2: dx is y; 3: separate output with an offset of 0.
        float[] dx = aliasing == 1 ? dy : aliasing == 2 ? y : filled(n + 9);
        int dxOff = aliasing == 1 ? 5 : aliasing == 2 ? 2 : aliasing == 3 ? 0 : 9;
        float[] rest = dx.clone();
        p.elementwise().activateBackward(f, y, 2, dy, 5, dx, dxOff, n);
        assertRange(p.name() + " " + f + " backward", dx, dxOff, n,
                i -> derivative(f, y0[2 + i], dy0[5 + i]), rest);
    }

    @Property(tries = 200)
    void logIsFloatMathBitForBitAndAccurate(@ForAll("provider") KernelProvider p, @ForAll("values") List<Float> xs,
                                            @ForAll @IntRange(max = 19) int xOff, @ForAll @IntRange(max = 19) int yOff) {
        int n = xs.size();
        float[] x = embed(xs, xOff, 2);
        float[] y = filled(yOff + n + 2);
        float[] rest = y.clone();
        p.pointwise().pointwise(PointwiseOp.LOG, x, xOff, y, yOff, n);
        assertRange(p.name() + " log", y, yOff, n, i -> FloatMath.log(xs.get(i)), rest);
        for (int i = 0; i < n; i++) {
            double err = ulpError(y[yOff + i], Math.log(xs.get(i)));
            assertTrue(err <= FloatMathProperties.MAX_ULP, "log(" + xs.get(i) + "): " + err + " ulp");
        }
    }

    @Property(tries = 300)
    void arithmeticIsTheJavaExpressionBitForBit(@ForAll("provider") KernelProvider p,
                                                @ForAll("values") List<Float> as, @ForAll long seed,
                                                @ForAll("scalar") float alpha, @ForAll @IntRange(max = 6) int kind,
                                                @ForAll @IntRange(max = 2) int aliasing) {
        int n = as.size();
        Random r = new Random(seed);
        float[] a = embed(as, 1, 0);
        float[] b = new float[n + 3];
        float[] c = new float[n];
        float[] d = new float[n + 1];
        for (int i = 0; i < n; i++) {
            b[3 + i] = r.nextInt(8) == 0 ? as.get(r.nextInt(n)) : (float) r.nextGaussian();
            c[i] = (float) r.nextGaussian();
            d[1 + i] = (float) r.nextGaussian() * 100;
        }
        float[] a0 = a.clone();
        float[] b0 = b.clone();
        // Output: a separate array, or in place on a, or in place on b.
        float[] y = aliasing == 1 ? a : aliasing == 2 ? b : filled(n + 8);
        int yOff = aliasing == 1 ? 1 : aliasing == 2 ? 3 : 4;
        float[] y0 = y.clone();
        float[] rest = y.clone();
        ArithmeticKernels k = p.arithmetic();
        Expected expected;
        String name;
        final float[] yy = y0;
        final int yo = yOff;
        switch (kind) {
            case 0, 1, 2, 3 -> {
                Binary op = Binary.values()[kind];
                name = op.toString();
                switch (op) {
                    case ADD -> k.add(a, 1, b, 3, y, yOff, n);
                    case SUB -> k.sub(a, 1, b, 3, y, yOff, n);
                    case MUL -> k.mul(a, 1, b, 3, y, yOff, n);
                    case DIV -> k.div(a, 1, b, 3, y, yOff, n);
                }
                expected = i -> switch (op) {
                    case ADD -> a0[1 + i] + b0[3 + i];
                    case SUB -> a0[1 + i] - b0[3 + i];
                    case MUL -> a0[1 + i] * b0[3 + i];
                    case DIV -> a0[1 + i] / b0[3 + i];
                };
            }
            case 4 -> {
                name = "scale";
                k.scale(a, 1, y, yOff, n, alpha);
                expected = i -> alpha * a0[1 + i];
            }
            case 5 -> {
                name = "axpy";
                k.axpy(b, 3, y, yOff, n, alpha);
                expected = i -> yy[yo + i] + alpha * b0[3 + i];
            }
            default -> {
                name = "addProduct";
                k.addProduct(a, 1, b, 3, y, yOff, n);
                expected = i -> yy[yo + i] + a0[1 + i] * b0[3 + i];
            }
        }
        assertRange(p.name() + " " + name + " (aliasing " + aliasing + ")", y, yOff, n, expected, rest);
        float[] y2 = filled(n + 2);
        k.sumOfProducts(a0, 1, b0, 3, c, 0, d, 1, y2, 1, n);
        assertRange(p.name() + " sumOfProducts", y2, 1, n, i -> a0[1 + i] * b0[3 + i] + c[i] * d[1 + i],
                filled(n + 2));
    }

    @Property(tries = 200)
    void biasActivateIsActivationOfTheSum(@ForAll("provider") KernelProvider p, @ForAll Activation f,
                                          @ForAll @IntRange(max = 9) int rows, @ForAll @IntRange(max = 70) int cols,
                                          @ForAll @IntRange(max = 5) int pad, @ForAll long seed) {
        Random r = new Random(seed);
        int ldx = Math.max(1, cols + pad);
        int xOff = 3;
        float[] x = filled(xOff + rows * ldx + 2);
        float[] bias = new float[cols + 1];
        for (int j = 0; j < cols; j++) {
            bias[1 + j] = (float) r.nextGaussian() * 3;
        }
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                x[xOff + i * ldx + j] = (float) r.nextGaussian() * 5;
            }
        }
        float[] x0 = x.clone();
        p.elementwise().biasActivate(f, rows, cols, bias, 1, x, xOff, ldx);
        for (int idx = 0; idx < x.length; idx++) {
            int rel = idx - xOff;
            boolean inside = rel >= 0 && rel / ldx < rows && rel % ldx < cols;
            float want = inside ? activation(f, x0[idx] + bias[1 + rel % ldx]) : x0[idx];
            assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(x[idx]),
                    p.name() + " " + f + " at index " + idx);
        }
    }

    @Property(tries = 100)
    void doublePrecisionFollowsMath(@ForAll("provider") KernelProvider p, @ForAll Activation f,
                                    @ForAll @IntRange(max = 300) int n, @ForAll long seed) {
        Random r = new Random(seed);
        double[] x = new double[n + 1];
        for (int i = 0; i < n; i++) {
            x[1 + i] = r.nextInt(10) == 0 ? new double[] {0, -0d, 800, -800, Double.NaN, 40}[r.nextInt(6)]
                    : r.nextGaussian() * 10;
        }
        double[] y = new double[n + 2];
        p.elementwise().activate(f, x, 1, y, 2, n);
        double[] dy = new double[n];
        double[] dx = new double[n];
        for (int i = 0; i < n; i++) {
            dy[i] = r.nextGaussian();
        }
        p.elementwise().activateBackward(f, y, 2, dy, 0, dx, 0, n);
        double[] lg = new double[n];
        p.pointwise().pointwise(PointwiseOp.LOG, y, 2, lg, 0, n);
        for (int i = 0; i < n; i++) {
            double xi = x[1 + i];
            double want = switch (f) {
                case IDENTITY -> xi;
                case RELU -> xi > 0 || Double.isNaN(xi) ? xi : 0;
                case SIGMOID -> FloatMathProperties.sigmoid(xi);
                case TANH -> Math.tanh(xi);
                case EXP -> Math.exp(xi);
            };
            double yi = y[2 + i];
            assertTrue(Double.compare(want, yi) == 0 || Math.abs(want - yi) <= 2 * Math.ulp(want),
                    p.name() + " " + f + "(" + xi + ") = " + yi + ", expected " + want);
            double g = switch (f) {
                case IDENTITY -> dy[i];
                case RELU -> yi > 0 ? dy[i] : 0;
                case SIGMOID -> dy[i] * (yi * (1 - yi));
                case TANH -> dy[i] * (1 - yi * yi);
                case EXP -> dy[i] * yi;
            };
            assertEquals(g, dx[i], 0d, p.name() + " " + f + " backward at " + i);
            assertEquals(Math.log(yi), lg[i], 0d, p.name() + " log(" + yi + ")");
        }
    }

    /** Long inputs go through the pool in chunks: the bits are the same for 1, 2 and 3 threads. */
    @Property(tries = 10)
    void longActivationsGiveTheSameBitsForAnyThreadCount(@ForAll Activation f, @ForAll long seed,
                                                         @ForAll @IntRange(min = 1 << 15, max = 100_000) int n) {
        Random r = new Random(seed);
        float[] x = new float[n + 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian() * 8;
        }
        float[] one = new float[n + 1];
        try {
            Parallel.setThreads(1);
            Elementwise.activate(f, x, 3, one, 1, n);
            for (int threads = 2; threads <= 3; threads++) {
                Parallel.setThreads(threads);
                float[] many = new float[n + 1];
                Elementwise.activate(f, x, 3, many, 1, n);
                org.junit.jupiter.api.Assertions.assertArrayEquals(one, many, f + " with " + threads + " threads");
            }
        } finally {
            Parallel.setThreads(Runtime.getRuntime().availableProcessors());
        }
        for (int i = 0; i < n; i++) {
            assertTrue(sameBits(activation(f, x[3 + i]), one[1 + i]), f + " at " + i);
        }
    }
}
