package dev.lanes.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.autograd.Ops;
import dev.lanes.kernel.internal.KernelProvider;
import dev.lanes.kernel.internal.Providers;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Optimizers: the fused updates against their formulas written out element by element, the
 * scalar and vector providers bit for bit, and convergence on random convex quadratics.
 */
class OptimizerProperties {

    record Named(String name, Function<List<Tensor>, Optimizer> make) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Named> optimizers() {
        return List.of(
                new Named("SGD", p -> new SGD(p, 0.1)),
                new Named("SGD momentum", p -> new SGD(p, 0.05, 0.9)),
                new Named("SGD nesterov wd", p -> new SGD(p, 0.05, 0.9, 0, 1e-3, true)),
                new Named("SGD dampening", p -> new SGD(p, 0.05, 0.8, 0.3, 0, false)),
                new Named("Adagrad", p -> new Adagrad(p, 0.5, 0, 0, 0, 1e-10)),
                new Named("Adagrad decay", p -> new Adagrad(p, 0.5, 1e-3, 0, 0.1, 1e-10)),
                new Named("Adadelta", p -> new Adadelta(p, 0.5, 0.9, 1e-4, 0)),
                new Named("RMSprop", p -> new RMSprop(p, 0.002, 0.99, 1e-8, 0, 0, false)),
                new Named("RMSprop centered momentum", p -> new RMSprop(p, 0.001, 0.9, 1e-8, 0, 0.5, true)),
                new Named("Adam", p -> new Adam(p, 0.05)),
                new Named("Adam amsgrad", p -> new Adam(p, 0.05, 0.9, 0.999, 1e-8, 0, true)),
                new Named("AdamW", p -> new AdamW(p, 0.05, 0.9, 0.999, 1e-8, 1e-4, false)));
    }

    @Provide
    static Arbitrary<Named> optimizer() {
        return Arbitraries.of(optimizers());
    }

    /** Gives the leaf {@code w} the gradient {@code g}. */
    static void setGrad(Tensor w, Tensor g) {
        w.zeroGrad();
        Ops.sum(Ops.mul(w, g)).backward();
    }

    /**
     * Minimises f(w) = 1/2 (w - c)^T A (w - c) with A = M^T M + I/2 (well conditioned, random):
     * after the steps the distance to c has shrunk at least 100-fold (20-fold for AdamW, whose
     * decoupled decay moves the minimum). The rates are fixed, so the adaptive methods hover
     * within about lr of the minimum; their rates here are small enough for that to count.
     */
    @Property(tries = 60)
    void convergesOnRandomConvexQuadratics(@ForAll("optimizer") Named named, @ForAll @IntRange(min = 1, max = 6) int n,
                                           @ForAll long seed) {
        Generator gen = new Generator(seed);
        Tensor m = Tensor.uniform(gen, DType.F64, -0.5, 0.5, n, n);
        Tensor a = Ops.matmul(Ops.transpose(m, 0, 1), m).detach();
        for (int i = 0; i < n; i++) {
            a.setFlat(i * n + i, a.getFlat(i * n + i) + 0.5);
        }
        // Every coordinate of the minimum at least 1 from the start, so that the start is never close.
        Tensor c = Tensor.uniform(gen, DType.F64, 1, 2, n);
        for (int i = 0; i < n; i++) {
            c.setFlat(i, gen.nextDouble() < 0.5 ? -c.getFlat(i) : c.getFlat(i));
        }
        Tensor w = Tensor.zeros(DType.F64, n).requiresGrad(true);
        double start = distance(w, c);
        Optimizer opt = named.make().apply(List.of(w));
        for (int step = 0; step < 3000; step++) {
            Tensor diff = Tensor.of(sub(w.toDoubleArray(), c.toDoubleArray()), n);
            setGrad(w, Ops.matmul(a, diff));
            opt.step();
        }
        double end = distance(w, c);
        double tol = named.name().startsWith("AdamW") ? 0.05 : 0.01;
        assertTrue(end <= tol * start + 1e-9, named + ": distance " + start + " -> " + end);
    }

    static double[] sub(double[] x, double[] y) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] - y[i];
        }
        return out;
    }

    static double distance(Tensor w, Tensor c) {
        double s = 0;
        for (int i = 0; i < w.numel(); i++) {
            double d = w.getFlat(i) - c.getFlat(i);
            s += d * d;
        }
        return Math.sqrt(s);
    }

    /** Three F32 steps with the same gradients on one provider; returns the parameter. */
    static float[] run(KernelProvider provider, Named named, int n, long seed) {
        Random r = new Random(seed);
        float[] init = new float[n];
        float[][] grads = new float[3][n];
        for (int i = 0; i < n; i++) {
            init[i] = (float) r.nextGaussian();
            for (int s = 0; s < 3; s++) {
                grads[s][i] = (float) r.nextGaussian();
            }
        }
        try (Providers.Scope scope = Providers.use(provider)) {
            Tensor w = Tensor.of(init, n).requiresGrad(true);
            Optimizer opt = named.make().apply(List.of(w));
            for (int s = 0; s < 3; s++) {
                setGrad(w, Tensor.of(grads[s], n));
                opt.step();
            }
            return w.toFloatArray();
        }
    }

    @Property(tries = 120)
    void providersAgreeBitForBit(@ForAll("optimizer") Named named, @ForAll @IntRange(max = 300) int n,
                                 @ForAll long seed) {
        float[] scalar = run(Providers.scalar(), named, n, seed);
        float[] vector = run(Providers.vector().orElseThrow(), named, n, seed);
        assertArrayEquals(scalar, vector, named + " n=" + n);
    }

    /** SGD and Adam (the vectorised updates), one element at a time in double from their formulas. */
    @Property(tries = 100)
    void fusedUpdatesEqualTheirFormulas(@ForAll @IntRange(min = 1, max = 40) int n, @ForAll long seed,
                                        @ForAll boolean nesterov, @ForAll boolean amsgrad) {
        Random r = new Random(seed);
        double[] p0 = new double[n];
        double[] g = new double[n];
        for (int i = 0; i < n; i++) {
            p0[i] = r.nextGaussian();
            g[i] = r.nextGaussian();
        }
        double lr = 0.1;
        double mom = 0.9;
        double wd = 0.01;
        // SGD, two steps with the same gradient: the buffer starts as d, then momentum buf + d.
        Tensor w = Tensor.of(p0, n).requiresGrad(true);
        SGD sgd = new SGD(List.of(w), lr, mom, 0, wd, nesterov);
        double[] want = p0.clone();
        double[] buf = new double[n];
        for (int step = 0; step < 2; step++) {
            setGrad(w, Tensor.of(g, n));
            sgd.step();
            for (int i = 0; i < n; i++) {
                double d = g[i] + wd * want[i];
                buf[i] = step == 0 ? d : mom * buf[i] + d;
                want[i] -= lr * (nesterov ? d + mom * buf[i] : buf[i]);
            }
        }
        assertArrayEquals(want, w.toDoubleArray(), 1e-15);
        // Adam, two steps.
        Tensor v = Tensor.of(p0, n).requiresGrad(true);
        Adam adam = new Adam(List.of(v), lr, 0.9, 0.99, 1e-8, wd, amsgrad);
        double[] expect = p0.clone();
        double[] m1 = new double[n];
        double[] m2 = new double[n];
        double[] max = new double[n];
        for (int t = 1; t <= 2; t++) {
            setGrad(v, Tensor.of(g, n));
            adam.step();
            for (int i = 0; i < n; i++) {
                double d = g[i] + wd * expect[i];
                m1[i] = 0.9 * m1[i] + 0.1 * d;
                m2[i] = 0.99 * m2[i] + 0.01 * d * d;
                max[i] = Math.max(max[i], m2[i]);
                double mHat = m1[i] / (1 - Math.pow(0.9, t));
                double vHat = (amsgrad ? max[i] : m2[i]) / (1 - Math.pow(0.99, t));
                expect[i] -= lr * mHat / (Math.sqrt(vHat) + 1e-8);
            }
        }
        assertArrayEquals(expect, v.toDoubleArray(), 1e-12);
        assertEquals(2, (long) adam.stateDict().get("0.step").item());
    }
}
