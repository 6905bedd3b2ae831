package dev.lanes.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.lanes.tensor.DType;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Batch norm (training and evaluation mode) and max, average and adaptive average pooling over
 * random tiny NCHW shapes: the F64 gradient check passes, and F32 forward and backward agree with
 * F64 within float accuracy.
 */
class NchwProperties {

    @Provide
    static Arbitrary<OpCases.Case> op() {
        return Arbitraries.of(NchwCases.all());
    }

    @Property(tries = 50)
    void f64GradientsMatchFiniteDifferences(@ForAll("op") OpCases.Case c, @ForAll long seed) {
        OpCases.Instance in = c.maker().make(new Random(seed));
        assertNull(GradCheck.check(in.f(), in.inputs()), in.toString());
    }

    @Property(tries = 50)
    void f32AgreesWithF64(@ForAll("op") OpCases.Case c, @ForAll long seed) {
        OpCases.Instance in = c.maker().make(new Random(seed));
        double[][] f64 = OpsProperties.run(in, DType.F64, seed);
        double[][] f32 = OpsProperties.run(in, DType.F32, seed);
        for (int k = 0; k < f64.length; k++) {
            double scale = 0;
            for (double v : f64[k]) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int j = 0; j < f64[k].length; j++) {
                assertEquals(f64[k][j], f32[k][j], 2e-5 * (1 + scale),
                        in + (k == 0 ? " output" : " grad of input " + (k - 1)) + " element " + j);
            }
        }
    }
}
