package dev.lanes.kernel;

import static dev.lanes.kernel.FloatValues.sameBits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.internal.FloatMath;
import dev.lanes.kernel.internal.KernelProvider;
import dev.lanes.kernel.internal.Providers;
import dev.lanes.kernel.internal.ReductionKernels;
import dev.lanes.kernel.internal.SoftmaxKernels;
import dev.lanes.kernel.internal.SumKernels;
import dev.lanes.kernel.internal.SumTerm;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Sums, maxima and the softmax family on both providers: sums follow the documented fixed order
 * bit for bit (so every provider and vector width agrees), stay within the error bound of that
 * order, and softmax and its backward match double precision definitions.
 */
class ReductionProperties {

    @Provide
    static Arbitrary<KernelProvider> provider() {
        return SgemmProperties.provider();
    }

    /** Lengths that cross the 64-partial groups and the 4096-term blocks. */
    @Provide
    static Arbitrary<Integer> length() {
        return Arbitraries.oneOf(Arbitraries.integers().between(0, 300),
                Arbitraries.of(63, 64, 65, 127, 128, 4095, 4096, 4097, 8192 + 63, 12289),
                Arbitraries.integers().between(0, 20000));
    }

    static float[] gaussian(Random r, int size, float scale) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) {
            a[i] = (float) r.nextGaussian() * scale + (r.nextInt(4) == 0 ? scale : 0);
        }
        return a;
    }

    /** The summation order as ReductionKernels documents it, written out plainly. */
    static float documentedOrder(float[] t) {
        double total = 0;
        for (int start = 0; start < t.length; start += 4096) {
            float[] p = new float[64];
            for (int i = start; i < Math.min(t.length, start + 4096); i++) {
                p[(i - start) % 64] += t[i];
            }
            for (int w = 32; w >= 1; w /= 2) {
                for (int j = 0; j < w; j++) {
                    p[j] += p[j + w];
                }
            }
            total += p[0];
        }
        return (float) total;
    }

    @Property(tries = 150)
    void sumsFollowTheDocumentedOrderBitForBit(@ForAll("provider") KernelProvider p,
                                               @ForAll("length") int n, @ForAll @IntRange(max = 9) int off,
                                               @ForAll long seed) {
        Random r = new Random(seed);
        float[] x = gaussian(r, off + n, 3f);
        float[] y = gaussian(r, n + 2, 1f);
        float[] squares = new float[n];
        float[] products = new float[n];
        float[] deviations = new float[n];
        float[] exponentials = new float[n];
        float center = (float) r.nextGaussian();
        float[] plain = new float[n];
        double exact = 0;
        double abs = 0;
        for (int i = 0; i < n; i++) {
            float v = x[off + i];
            plain[i] = v;
            squares[i] = v * v;
            products[i] = v * y[2 + i];
            deviations[i] = (v - center) * (v - center);
            exponentials[i] = FloatMath.exp(v - center);
            exact += v;
            abs += Math.abs(v);
        }
        SumKernels k = p.sums();
        float sum = k.sum(SumTerm.PLAIN, x, off, null, 0, 0f, n);
        assertEquals(Float.floatToIntBits(documentedOrder(plain)), Float.floatToIntBits(sum), p.name() + " sum");
        assertEquals(Float.floatToIntBits(documentedOrder(squares)),
                Float.floatToIntBits(k.sum(SumTerm.SQUARE, x, off, null, 0, 0f, n)), p.name() + " sumOfSquares");
        assertEquals(Float.floatToIntBits(documentedOrder(deviations)),
                Float.floatToIntBits(k.sum(SumTerm.SQUARED_DEVIATION, x, off, null, 0, center, n)),
                p.name() + " deviations");
        assertEquals(Float.floatToIntBits(documentedOrder(products)),
                Float.floatToIntBits(k.sum(SumTerm.PRODUCT, x, off, y, 2, 0f, n)), p.name() + " dot");
        assertEquals(Float.floatToIntBits(documentedOrder(exponentials)),
                Float.floatToIntBits(k.sum(SumTerm.EXP_SHIFTED, x, off, null, 0, center, n)),
                p.name() + " exp(x - center)");
        // Error bound of the order: at most 64 additions per chain, 6 in the fold, then one
        // rounding of the double total.
        double u = 0x1p-24;
        double bound = 71 * u * abs + Math.ulp(sum);
        assertTrue(Math.abs(sum - exact) <= bound, p.name() + " sum " + sum + " vs exact " + exact);
    }

    @Property(tries = 100)
    void doubleSumsAgreeAcrossProviders(@ForAll("length") int n, @ForAll long seed) {
        Random r = new Random(seed);
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextGaussian();
            y[i] = r.nextGaussian();
        }
        SumKernels s = Providers.scalar().sums();
        for (KernelProvider p : SgemmProperties.providers()) {
            SumKernels k = p.sums();
            for (SumTerm t : SumTerm.values()) {
                assertEquals(s.sum(t, x, 0, y, 0, 0.25, n), k.sum(t, x, 0, y, 0, 0.25, n), 0d, t.toString());
            }
        }
        double exact = 0;
        for (double v : x) {
            exact += v;
        }
        assertEquals(exact, s.sum(SumTerm.PLAIN, x, 0, null, 0, 0, n), 1e-12 * (n + 1));
    }

    @Property(tries = 200)
    void maxIsMathMaxOfAll(@ForAll("provider") KernelProvider p, @ForAll("values") List<Float> xs,
                           @ForAll @IntRange(max = 5) int off) {
        if (xs.isEmpty()) {
            return;
        }
        float[] x = FloatValues.embed(xs, off, 1);
        float want = xs.get(0);
        for (float v : xs) {
            want = Math.max(want, v);
        }
        float got = p.sums().max(x, off, xs.size());
        assertTrue(sameBits(want, got), p.name() + ": max " + got + ", expected " + want);
    }

    @Provide
    static Arbitrary<List<Float>> values() {
        return FloatValues.lists();
    }

    @Property(tries = 100)
    void columnSumsAddRowByRow(@ForAll("provider") KernelProvider p, @ForAll @IntRange(max = 12) int rows,
                               @ForAll @IntRange(max = 70) int cols, @ForAll @IntRange(max = 4) int pad,
                               @ForAll long seed) {
        Random r = new Random(seed);
        int ld = Math.max(1, cols + pad);
        float[] x = gaussian(r, 2 + rows * ld, 1f);
        float[] y = gaussian(r, cols + 3, 1f);
        float[] want = y.clone();
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                want[1 + j] += x[2 + i * ld + j];
            }
        }
        p.reductions().addColumnSums(rows, cols, x, 2, ld, y, 1);
        for (int j = 0; j < y.length; j++) {
            assertTrue(sameBits(want[j], y[j]), p.name() + " column " + (j - 1));
        }
    }

    /** Softmax, log-softmax and their backward passes in double precision, straight from the formulas. */
    static double[][] softmaxReference(float[] x, float[] dy, int off, int cols) {
        double m = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < cols; j++) {
            m = Math.max(m, x[off + j]);
        }
        double s = 0;
        for (int j = 0; j < cols; j++) {
            s += Math.exp(x[off + j] - m);
        }
        double[] y = new double[cols];
        double[] ly = new double[cols];
        for (int j = 0; j < cols; j++) {
            y[j] = Math.exp(x[off + j] - m) / s;
            ly[j] = x[off + j] - m - Math.log(s);
        }
        // dx_j = sum_i dy_i dy_i/dx_j with the full Jacobians.
        double[] dx = new double[cols];
        double[] ldx = new double[cols];
        for (int j = 0; j < cols; j++) {
            for (int i = 0; i < cols; i++) {
                double kron = i == j ? 1 : 0;
                dx[j] += dy[off + i] * y[i] * (kron - y[j]);
                ldx[j] += dy[off + i] * (kron - y[j]);
            }
        }
        return new double[][] {y, ly, dx, ldx};
    }

    @Property(tries = 150)
    void softmaxFamilyMatchesDoublePrecision(@ForAll("provider") KernelProvider p,
                                             @ForAll @IntRange(min = 1, max = 5) int rows,
                                             @ForAll @IntRange(min = 1, max = 100) int cols,
                                             @ForAll @IntRange(max = 3) int off, @ForAll boolean inPlace,
                                             @ForAll long seed) {
        Random r = new Random(seed);
        float scale = new float[] {0.1f, 3f, 30f}[r.nextInt(3)];
        float[] x = gaussian(r, off + rows * cols, scale);
        float[] dy = gaussian(r, off + rows * cols, 1f);
        float[] x0 = x.clone();
        SoftmaxKernels k = p.softmax();
        float[] y = inPlace ? x.clone() : new float[off + rows * cols];
        float[] ly = inPlace ? x.clone() : new float[off + rows * cols];
        k.softmax(rows, cols, inPlace ? y : x, off, y, off);
        k.logSoftmax(rows, cols, inPlace ? ly : x, off, ly, off);
        float[] dx = new float[off + rows * cols];
        float[] ldx = dy.clone();
        k.softmaxBackward(rows, cols, y, off, dy, off, dx, off);
        k.logSoftmaxBackward(rows, cols, ly, off, ldx, off, ldx, off);
        for (int i = 0; i < rows; i++) {
            int o = off + i * cols;
            double[][] ref = softmaxReference(x0, dy, o, cols);
            double rowSum = 0;
            for (int j = 0; j < cols; j++) {
                String at = p.name() + " row " + i + " col " + j;
                // Relative: a few ulp, plus the rounding of x - max in float, which exp amplifies
                // by |x - max| (ln ref is about x - max).
                double tol = ref[0][j] * (5e-7 + 1.2e-7 * Math.abs(Math.log(ref[0][j]))) + 1e-44;
                assertEquals(ref[0][j], y[o + j], tol, at + " softmax");
                assertEquals(ref[1][j], ly[o + j], 2e-6 * (1 + Math.abs(ref[1][j])), at + " logSoftmax");
                assertEquals(ref[2][j], dx[o + j], 1e-5 * (1 + Math.abs(dy[o + j])), at + " softmaxBackward");
                assertEquals(ref[3][j], ldx[o + j], 1e-5 * (cols + Math.abs(dy[o + j])), at + " logSoftmaxBackward");
                rowSum += y[o + j];
            }
            assertEquals(1, rowSum, 1e-5, p.name() + " row " + i + " sums to 1");
        }
        // The providers agree bit for bit.
        float[] ys = new float[off + rows * cols];
        Providers.scalar().softmax().softmax(rows, cols, x0, off, ys, off);
        for (int j = off; j < ys.length; j++) {
            assertTrue(sameBits(ys[j], y[j]), p.name() + " softmax equals the scalar provider at " + j);
        }
    }

    @Property(tries = 100)
    void doubleSoftmaxFamilyIsExact(@ForAll("provider") KernelProvider p,
                                    @ForAll @IntRange(min = 1, max = 4) int rows,
                                    @ForAll @IntRange(min = 1, max = 60) int cols, @ForAll long seed) {
        Random r = new Random(seed);
        float[] xf = gaussian(r, rows * cols, 5f);
        float[] dyf = gaussian(r, rows * cols, 1f);
        double[] x = new double[xf.length];
        double[] dy = new double[xf.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = xf[i];
            dy[i] = dyf[i];
        }
        SoftmaxKernels k = p.softmax();
        double[] y = new double[x.length];
        double[] ly = new double[x.length];
        double[] dx = new double[x.length];
        double[] ldx = new double[x.length];
        k.softmax(rows, cols, x, 0, y, 0);
        k.logSoftmax(rows, cols, x, 0, ly, 0);
        k.softmaxBackward(rows, cols, y, 0, dy, 0, dx, 0);
        k.logSoftmaxBackward(rows, cols, ly, 0, dy, 0, ldx, 0);
        for (int i = 0; i < rows; i++) {
            double[][] ref = softmaxReference(xf, dyf, i * cols, cols);
            for (int j = 0; j < cols; j++) {
                int q = i * cols + j;
                assertEquals(ref[0][j], y[q], 1e-14, "softmax");
                assertEquals(ref[1][j], ly[q], 1e-13, "logSoftmax");
                assertEquals(ref[2][j], dx[q], 1e-13, "softmaxBackward");
                assertEquals(ref[3][j], ldx[q], 1e-12, "logSoftmaxBackward");
            }
        }
    }

    @Example
    void softmaxIsStableAndFollowsPyTorchOnInfinities() {
        for (KernelProvider p : SgemmProperties.providers()) {
            float[] y = new float[3];
            p.softmax().softmax(1, 3, new float[] {1000f, 999f, -1000f}, 0, y, 0);
            assertEquals(0.7310586f, y[0], 1e-7f);
            assertEquals(0.26894143f, y[1], 1e-7f);
            assertEquals(0f, y[2]);
            float[] ly = new float[2];
            p.softmax().logSoftmax(1, 2, new float[] {Float.NEGATIVE_INFINITY, 0f}, 0, ly, 0);
            assertEquals(Float.NEGATIVE_INFINITY, ly[0]);
            assertEquals(0f, ly[1]);
            // All -inf (or any +inf) gives NaN, as torch.softmax does.
            p.softmax().softmax(1, 2, new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY}, 0, ly, 0);
            assertTrue(Float.isNaN(ly[0]) && Float.isNaN(ly[1]));
            p.softmax().softmax(1, 2, new float[] {Float.POSITIVE_INFINITY, 0f}, 0, ly, 0);
            assertTrue(Float.isNaN(ly[0]));
            assertTrue(Float.isNaN(p.sums().sum(SumTerm.PLAIN, new float[] {1f, Float.NaN}, 0, null, 0, 0f, 2)));
            assertEquals(Float.POSITIVE_INFINITY,
                    p.sums().sum(SumTerm.PLAIN, new float[] {Float.MAX_VALUE, Float.MAX_VALUE}, 0, null, 0, 0f, 2));
        }
    }
}
