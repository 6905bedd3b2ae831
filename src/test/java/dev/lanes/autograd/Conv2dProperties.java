package dev.lanes.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.lanes.kernel.internal.KernelProvider;
import dev.lanes.kernel.internal.Providers;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * {@code conv2d} over random small shapes (stride 1-3, padding 0-2, dilation 1-2, groups 1-3,
 * with and without bias): F64 gradients match finite differences, the output matches a direct
 * reference, F32 agrees with F64, and the scalar and vector providers agree.
 */
class Conv2dProperties {

    @Property(tries = 50)
    void f64GradientsMatchFiniteDifferences(@ForAll long seed) {
        ConvCases.Case c = ConvCases.random(new Random(seed));
        Tensor[] in = c.b() == null ? new Tensor[] {c.x().requiresGrad(true), c.w().requiresGrad(true)}
                : new Tensor[] {c.x().requiresGrad(true), c.w().requiresGrad(true), c.b().requiresGrad(true)};
        assertNull(GradCheck.check(t -> Ops.conv2d(t[0], t[1], t.length > 2 ? t[2] : null, c.stride(), c.padding(),
                c.dilation(), c.groups()), in), c.toString());
    }

    @Property(tries = 100)
    void outputMatchesDirectReference(@ForAll long seed) {
        ConvCases.Case c = ConvCases.random(new Random(seed));
        double[] expected = ConvCases.reference(c);
        double[] actual = c.run().toDoubleArray();
        assertEquals(expected.length, actual.length, c.toString());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-12, c + " element " + i);
        }
    }

    /** Output, then the gradients of x, w and b (when present) for a seeded output gradient. */
    static double[][] run(ConvCases.Case c, DType dtype, long seed) {
        Tensor x = c.x().detach().to(dtype).copy().requiresGrad(true);
        Tensor w = c.w().detach().to(dtype).copy().requiresGrad(true);
        Tensor b = c.b() == null ? null : c.b().detach().to(dtype).copy().requiresGrad(true);
        Tensor y = Ops.conv2d(x, w, b, c.stride(), c.padding(), c.dilation(), c.groups());
        y.backward(Tensor.uniform(new Generator(seed), DType.F64, -1, 1, y.dims()).to(dtype));
        return b == null ? new double[][] {y.toDoubleArray(), x.grad().toDoubleArray(), w.grad().toDoubleArray()}
                : new double[][] {y.toDoubleArray(), x.grad().toDoubleArray(), w.grad().toDoubleArray(),
                        b.grad().toDoubleArray()};
    }

    static void assertClose(double[][] expected, double[][] actual, double rel, String what) {
        for (int k = 0; k < expected.length; k++) {
            double scale = 0;
            for (double v : expected[k]) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int j = 0; j < expected[k].length; j++) {
                assertEquals(expected[k][j], actual[k][j], rel * (1 + scale), what + " result " + k + " element " + j);
            }
        }
    }

    @Property(tries = 100)
    void f32AgreesWithF64(@ForAll long seed) {
        ConvCases.Case c = ConvCases.random(new Random(seed));
        assertClose(run(c, DType.F64, seed), run(c, DType.F32, seed), 2e-5, c.toString());
    }

    @Property(tries = 100)
    void providersAgree(@ForAll long seed) {
        ConvCases.Case c = ConvCases.random(new Random(seed));
        KernelProvider vector = Providers.vector().orElseThrow();
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            double[][] s;
            double[][] v;
            try (Providers.Scope scope = Providers.use(Providers.scalar())) {
                s = run(c, dtype, seed);
            }
            try (Providers.Scope scope = Providers.use(vector)) {
                v = run(c, dtype, seed);
            }
            assertClose(s, v, dtype == DType.F32 ? 2e-5 : 1e-12, c + " " + dtype);
        }
    }
}
