package dev.lanes.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lanes.kernel.internal.KernelProvider;
import dev.lanes.kernel.internal.Parallel;
import dev.lanes.kernel.internal.Providers;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Batch norm at sizes where the vector reductions run (planes of 289 and 1000): the same bits for
 * one and two threads and on both providers, running statistics included, in F32 and in F64; and
 * in F32 a large mean does not cancel the variance away.
 */
class BatchNormNodeTest {

    /** Output, input/weight/bias gradients and running statistics of one training and one eval call. */
    private static List<double[]> run(DType dtype, int n, int c, int h, int w, double offset) {
        Generator gen = new Generator(7);
        Tensor x = Tensor.randn(gen, DType.F32, n, c, h, w);
        float[] xs = x.f32();
        for (int i = 0; i < xs.length; i++) {
            xs[i] += (float) offset;
        }
        x = x.to(dtype).requiresGrad(true);
        Tensor weight = Tensor.uniform(gen, dtype, 0.5, 1.5, c).requiresGrad(true);
        Tensor bias = Tensor.uniform(gen, dtype, -0.5, 0.5, c).requiresGrad(true);
        Tensor rm = Tensor.zeros(dtype, c);
        Tensor rv = Tensor.ones(dtype, c);
        Tensor y = Ops.batchNorm(x, rm, rv, weight, bias, true, 0.1, 1e-5);
        y.backward(Tensor.randn(new Generator(8), dtype, y.dims()));
        Tensor eval = Ops.batchNorm(x.detach(), rm, rv, weight.detach(), bias.detach(), false, 0.1, 1e-5);
        List<double[]> out = new ArrayList<>();
        for (Tensor t : new Tensor[] {y, x.grad(), weight.grad(), bias.grad(), rm, rv, eval}) {
            out.add(t.toDoubleArray());
        }
        return out;
    }

    private static void assertSameBits(List<double[]> a, List<double[]> b, String what) {
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i), b.get(i), 0d, what + " result " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void threadsAndProvidersGiveTheSameBits(DType dtype) {
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            List<double[]> one = run(dtype, 3, 5, 17, 17, 0.3);
            List<double[]> oneBig = run(dtype, 2, 3, 25, 40, 0);
            Parallel.setThreads(2);
            assertSameBits(one, run(dtype, 3, 5, 17, 17, 0.3), "2 threads");
            assertSameBits(oneBig, run(dtype, 2, 3, 25, 40, 0), "2 threads, planes of 1000");
            for (KernelProvider p : new KernelProvider[] {Providers.scalar(), Providers.vector().orElse(Providers.scalar())}) {
                try (Providers.Scope s = Providers.use(p)) {
                    assertSameBits(one, run(dtype, 3, 5, 17, 17, 0.3), p.name());
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void aLargeMeanKeepsTheVarianceAccurate() {
        // x = 1000 + N(0, 1): a one-pass E[x^2] - E[x]^2 in float would lose the variance entirely.
        List<double[]> r = run(DType.F32, 4, 2, 20, 20, 1000);
        Generator gen = new Generator(7);
        Tensor x = Tensor.randn(gen, DType.F32, 4, 2, 20, 20);
        double[] xs = x.toDoubleArray();
        for (int ch = 0; ch < 2; ch++) {
            double sum = 0;
            double sq = 0;
            for (int b = 0; b < 4; b++) {
                for (int i = 0; i < 400; i++) {
                    double v = (double) (float) (xs[(b * 2 + ch) * 400 + i] + 1000f);
                    sum += v;
                }
            }
            double mean = sum / 1600;
            for (int b = 0; b < 4; b++) {
                for (int i = 0; i < 400; i++) {
                    double d = (double) (float) (xs[(b * 2 + ch) * 400 + i] + 1000f) - mean;
                    sq += d * d;
                }
            }
            double unbiased = sq / 1599;
            assertEquals(0.1 * mean, r.get(4)[ch], 1e-4 * mean, "running mean " + ch);
            assertEquals(0.9 + 0.1 * unbiased, r.get(5)[ch], 1e-5, "running var " + ch);
        }
    }
}
