package dev.lanes.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.lanes.kernel.internal.KernelProvider;
import dev.lanes.kernel.internal.Providers;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * For every differentiable operation, over random shapes (1 and primes, broadcasting, batched)
 * and values: (1) the F64 gradient check passes; (2) F32 forward and backward agree with F64
 * within float accuracy; (3) the scalar and vector providers agree (bit for bit, except through
 * GEMM, whose summation order differs between providers).
 */
class OpsProperties {

    @Provide
    static Arbitrary<OpCases.Case> op() {
        return Arbitraries.of(OpCases.all());
    }

    @Property(tries = 400)
    void f64GradientsMatchFiniteDifferences(@ForAll("op") OpCases.Case c, @ForAll long seed) {
        OpCases.Instance in = c.maker().make(new Random(seed));
        assertNull(GradCheck.check(in.f(), in.inputs()), in.toString());
    }

    /**
     * The output and the input gradients for a fixed output gradient, in the inputs' dtype. The
     * inputs are rounded to float first in both dtypes, so that an F32 run and its F64 reference
     * start from the same values: otherwise an ill-conditioned case (a batch norm of two nearly
     * equal values) magnifies the rounding of the inputs themselves beyond any float tolerance.
     */
    static double[][] run(OpCases.Instance in, DType dtype, long seed) {
        Tensor[] x = new Tensor[in.inputs().length];
        for (int i = 0; i < x.length; i++) {
            x[i] = in.inputs()[i].detach().to(DType.F32).to(dtype).copy().requiresGrad(true);
        }
        Tensor y = in.f().apply(x);
        Tensor g = Tensor.uniform(new dev.lanes.tensor.Generator(seed), DType.F64, -1, 1, y.dims()).to(dtype);
        y.backward(g);
        double[][] out = new double[x.length + 1][];
        out[0] = y.toDoubleArray();
        for (int i = 0; i < x.length; i++) {
            out[i + 1] = x[i].grad().toDoubleArray();
        }
        return out;
    }

    @Property(tries = 300)
    void f32AgreesWithF64(@ForAll("op") OpCases.Case c, @ForAll long seed) {
        OpCases.Instance in = c.maker().make(new Random(seed));
        double[][] f64 = run(in, DType.F64, seed);
        double[][] f32 = run(in, DType.F32, seed);
        for (int k = 0; k < f64.length; k++) {
            double scale = 0;
            for (double v : f64[k]) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int j = 0; j < f64[k].length; j++) {
                // Float rounding of the inputs and of each step: a few units of 2^-24 relative to
                // the largest magnitude involved.
                double tol = 2e-5 * (1 + scale);
                assertEquals(f64[k][j], f32[k][j], tol, in + (k == 0 ? " output" : " grad of input " + (k - 1))
                        + " element " + j);
            }
        }
    }

    @Property(tries = 300)
    void providersAgree(@ForAll("op") OpCases.Case c, @ForAll long seed) {
        OpCases.Instance in = c.maker().make(new Random(seed));
        KernelProvider vector = Providers.vector().orElseThrow();
        double[][] s;
        double[][] v;
        try (Providers.Scope scope = Providers.use(Providers.scalar())) {
            s = run(in, DType.F32, seed);
        }
        try (Providers.Scope scope = Providers.use(vector)) {
            v = run(in, DType.F32, seed);
        }
        for (int k = 0; k < s.length; k++) {
            for (int j = 0; j < s[k].length; j++) {
                String what = in + (k == 0 ? " output" : " grad of input " + (k - 1)) + " element " + j;
                if (in.usesGemm()) {
                    assertEquals(s[k][j], v[k][j], 1e-5 * (1 + Math.abs(s[k][j])), what);
                } else {
                    assertEquals(s[k][j], v[k][j], 0.0, what);
                }
            }
        }
    }
}
