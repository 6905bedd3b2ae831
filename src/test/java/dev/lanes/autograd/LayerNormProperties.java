package dev.lanes.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.internal.KernelProvider;
import dev.lanes.kernel.internal.Parallel;
import dev.lanes.kernel.internal.Providers;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterProperty;

/**
 * {@link Ops#layerNorm} over random shapes (leading sizes 1 and primes, normalised sizes also
 * around the vector lengths 8 and 16), with and without weight and bias: the F64 gradient check,
 * F32 against F64, the scalar and vector providers bit for bit, one thread against several bit
 * for bit, and the argument checks.
 */
class LayerNormProperties {

    /** Normalised sizes: 1, primes, and around 8 and 16 lanes. */
    private static final int[] NORMALIZED_SIZES = {1, 2, 3, 5, 7, 8, 9, 15, 16, 17};

    @AfterProperty
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    /** An instance, with the number of elements each row normalises and the eps. */
    record Case(OpCases.Instance instance, int cols, double eps) {
    }

    /**
     * A random case: leading dimensions (0 to 2, sizes 1 and primes), 1 or 2 normalised ones,
     * optional weight and bias, an eps; the input's values distinct (at least 0.05 apart), so that
     * no row has a variance near 0, where finite differences break down. With {@code composite},
     * the output is {@code y^2 + y}.
     */
    static Case random(Random r, boolean composite) {
        int[] lead = OpCases.shape(r, 0, 2);
        int[] normalized = new int[1 + r.nextInt(2)];
        for (int i = 0; i < normalized.length; i++) {
            // Keep two normalised dimensions small: the gradient check is quadratic in the size.
            normalized[i] = normalized.length == 1 ? NORMALIZED_SIZES[r.nextInt(NORMALIZED_SIZES.length)]
                    : OpCases.size(r);
        }
        int[] dims = Arrays.copyOf(lead, lead.length + normalized.length);
        System.arraycopy(normalized, 0, dims, lead.length, normalized.length);
        boolean weight = r.nextBoolean();
        boolean bias = r.nextBoolean();
        double eps = new double[] {1e-5, 1e-3, 0.5}[r.nextInt(3)];
        Tensor x = OpCases.distinct(r, dims);
        Tensor w = weight ? OpCases.normal(r, normalized) : null;
        Tensor b = bias ? OpCases.normal(r, normalized) : null;
        Tensor[] inputs = weight && bias ? new Tensor[] {x, w, b} : weight ? new Tensor[] {x, w}
                : bias ? new Tensor[] {x, b} : new Tensor[] {x};
        GradCheck.Function f = in -> {
            Tensor wi = weight ? in[1] : null;
            Tensor bi = bias ? in[weight ? 2 : 1] : null;
            Tensor y = Ops.layerNorm(in[0], normalized, wi, bi, eps);
            // Used twice, y's gradient is a sum the engine owns, which the node may overwrite with dx.
            return composite ? Ops.add(Ops.mul(y, y), y) : y;
        };
        String name = "layerNorm" + Arrays.toString(normalized) + (weight ? " weight" : "") + (bias ? " bias" : "")
                + " eps " + eps + (composite ? " (y^2 + y)" : "");
        return new Case(new OpCases.Instance(name, inputs, f, false), Arrays.stream(normalized).reduce(1, (a, c) -> a * c),
                eps);
    }

    @Property(tries = 150)
    void f64GradientsMatchFiniteDifferences(@ForAll long seed, @ForAll boolean composite) {
        OpCases.Instance in = random(new Random(seed), composite).instance();
        assertNull(GradCheck.check(in.f(), in.inputs()), in.toString());
    }

    @Property(tries = 150)
    void f32AgreesWithF64(@ForAll long seed) {
        Case c = random(new Random(seed), false);
        OpCases.Instance in = c.instance();
        double[][] f64 = OpsProperties.run(in, DType.F64, seed);
        double[][] f32 = OpsProperties.run(in, DType.F32, seed);
        double meanRounding = meanRounding(in.inputs()[0], c.cols(), c.eps());
        for (int k = 0; k < f64.length; k++) {
            double scale = 0;
            for (double v : f64[k]) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int j = 0; j < f64[k].length; j++) {
                double tol = 2e-5 * (1 + scale) + (k == 1 ? meanRounding : 0);
                assertEquals(f64[k][j], f32[k][j], tol,
                        in + (k == 0 ? " output" : " grad of input " + (k - 1)) + " element " + j);
            }
        }
    }

    /**
     * The error in the input gradient that F32 owes to keeping each row's mean in float: the
     * normalised row is off by up to half an ulp of the mean times rstd, so it no longer sums to
     * 0, and the gradient formula, which assumes it does, is off by up to about
     * {@code rstd^2 ulp(mean) |g| |xhat|} (PyTorch's float kernel shares this). Here
     * {@code |g| <= 2} and {@code |xhat| <= sqrt(cols)}.
     */
    private static double meanRounding(Tensor x, int cols, double eps) {
        double[] v = x.detach().to(DType.F32).toDoubleArray();
        double worst = 0;
        for (int r = 0; r < v.length / cols; r++) {
            double mean = 0;
            for (int j = 0; j < cols; j++) {
                mean += v[r * cols + j];
            }
            mean /= cols;
            double var = 0;
            for (int j = 0; j < cols; j++) {
                var += (v[r * cols + j] - mean) * (v[r * cols + j] - mean);
            }
            double rs2 = 1 / (var / cols + eps);
            worst = Math.max(worst, rs2 * Math.ulp((float) mean));
        }
        return 4 * Math.sqrt(cols) * worst;
    }

    @Property(tries = 150)
    void providersAgreeBitForBit(@ForAll long seed, @ForAll boolean composite) {
        OpCases.Instance in = random(new Random(seed), composite).instance();
        KernelProvider vector = Providers.vector().orElseThrow();
        for (DType dtype : DType.values()) {
            double[][] s;
            double[][] v;
            try (Providers.Scope scope = Providers.use(Providers.scalar())) {
                s = OpsProperties.run(in, dtype, seed);
            }
            try (Providers.Scope scope = Providers.use(vector)) {
                v = OpsProperties.run(in, dtype, seed);
            }
            for (int k = 0; k < s.length; k++) {
                assertArrayEquals(s[k], v[k], 0.0, in + " " + dtype + (k == 0 ? " output" : " grad of input " + (k - 1)));
            }
        }
    }

    @Example
    void sameBitsForAnyThreadCount() {
        int[][] shapes = {{64, 300}, {2000, 12}, {4, 25, 7, 40}};
        for (int[] dims : shapes) {
            int[] normalized = dims.length == 2 ? new int[] {dims[1]} : new int[] {dims[2], dims[3]};
            for (DType dtype : DType.values()) {
                Generator gen = new Generator(dims[0]);
                Tensor x = Tensor.randn(gen, dtype, dims);
                Tensor w = Tensor.randn(gen, dtype, normalized);
                Tensor b = Tensor.randn(gen, dtype, normalized);
                Tensor g = Tensor.randn(gen, dtype, dims);
                Parallel.setThreads(1);
                List<double[]> one = valuesAndGradients(x, w, b, g, normalized);
                for (int threads = 2; threads <= 3; threads++) {
                    Parallel.setThreads(threads);
                    List<double[]> many = valuesAndGradients(x, w, b, g, normalized);
                    for (int k = 0; k < one.size(); k++) {
                        assertArrayEquals(one.get(k), many.get(k), 0.0, Arrays.toString(dims) + " " + dtype
                                + " part " + k + ", 1 vs " + threads + " threads");
                    }
                }
            }
        }
    }

    /** The output and the gradients of x, weight and bias for output gradient {@code g}. */
    private static List<double[]> valuesAndGradients(Tensor x0, Tensor w0, Tensor b0, Tensor g, int[] normalized) {
        Tensor x = x0.copy().requiresGrad(true);
        Tensor w = w0.copy().requiresGrad(true);
        Tensor b = b0.copy().requiresGrad(true);
        Tensor y = Ops.layerNorm(x, normalized, w, b, 1e-5);
        y.backward(g);
        return List.of(y.toDoubleArray(), x.grad().toDoubleArray(), w.grad().toDoubleArray(),
                b.grad().toDoubleArray());
    }

    @Example
    void onlyTheParametersNeedGradients() {
        Tensor x = Tensor.randn(new Generator(3), DType.F32, 4, 9);
        Tensor w = Tensor.ones(DType.F32, 9).requiresGrad(true);
        Tensor b = Tensor.zeros(DType.F32, 9).requiresGrad(true);
        Ops.sum(Ops.layerNorm(x, new int[] {9}, w, b, 1e-5)).backward();
        assertNull(x.grad());
        // d sum(y) / d bias = the number of rows; d sum(y) / d weight = the column sums of xhat,
        // whose total is 0, as each row of xhat sums to 0 (up to rounding).
        double total = 0;
        for (int j = 0; j < 9; j++) {
            assertEquals(4, b.grad().getFlat(j), 0);
            total += w.grad().getFlat(j);
        }
        assertEquals(0, total, 1e-5);
    }

    private static void rejects(String[] fragments, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
    }

    @Example
    void rejectsBadArgumentsNamingTheShapes() {
        Tensor x = Tensor.zeros(DType.F64, 2, 3, 4);
        Tensor w4 = Tensor.ones(DType.F64, 4);
        rejects(new String[] {"layerNorm", "normalized_shape=[3]", "[*, 3]", "[2, 3, 4]"},
                () -> Ops.layerNorm(x, new int[] {3}, null, null, 1e-5));
        rejects(new String[] {"layerNorm", "[2, 2, 3, 4]", "[2, 3, 4]"},
                () -> Ops.layerNorm(x, new int[] {2, 2, 3, 4}, null, null, 1e-5));
        rejects(new String[] {"layerNorm", "at least one dimension"}, () -> Ops.layerNorm(x, new int[0], null, null, 1e-5));
        rejects(new String[] {"layerNorm", "at least one dimension"}, () -> Ops.layerNorm(x, null, null, null, 1e-5));
        rejects(new String[] {"layerNorm", "weight", "[3, 4]", "[4]"},
                () -> Ops.layerNorm(x, new int[] {3, 4}, w4, null, 1e-5));
        rejects(new String[] {"layerNorm", "bias", "[4]", "[3]"},
                () -> Ops.layerNorm(x, new int[] {4}, w4, Tensor.zeros(DType.F64, 3), 1e-5));
        rejects(new String[] {"layerNorm", "weight is F32", "input is F64"},
                () -> Ops.layerNorm(x, new int[] {4}, Tensor.ones(DType.F32, 4), null, 1e-5));
        for (double eps : new double[] {0, -1e-5, Double.NaN, Double.POSITIVE_INFINITY}) {
            rejects(new String[] {"layerNorm", "eps", String.valueOf(eps)},
                    () -> Ops.layerNorm(x, new int[] {4}, w4, null, eps));
        }
        // The whole shape may be normalised, and a size-1 row gives the bias.
        Tensor all = Ops.layerNorm(x, new int[] {2, 3, 4}, null, null, 1e-5);
        assertEquals(x.shape(), all.shape());
        Tensor ones = Ops.layerNorm(Tensor.randn(new Generator(1), DType.F64, 5, 1), new int[] {1}, null,
                Tensor.full(DType.F64, 0.25, 1), 1e-5);
        for (int i = 0; i < 5; i++) {
            assertEquals(0.25, ones.getFlat(i), 0);
        }
    }
}
