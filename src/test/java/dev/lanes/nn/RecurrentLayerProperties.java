package dev.lanes.nn;

import static dev.lanes.autograd.Ops.add;
import static dev.lanes.autograd.Ops.linear;
import static dev.lanes.autograd.Ops.mul;
import static dev.lanes.autograd.Ops.narrow;
import static dev.lanes.autograd.Ops.neg;
import static dev.lanes.autograd.Ops.reshape;
import static dev.lanes.autograd.Ops.sigmoid;
import static dev.lanes.autograd.Ops.tanh;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.autograd.GradCheck;
import dev.lanes.autograd.Ops;
import dev.lanes.autograd.SequenceOutput;
import dev.lanes.kernel.Activation;
import dev.lanes.kernel.internal.KernelProvider;
import dev.lanes.kernel.internal.Parallel;
import dev.lanes.kernel.internal.Providers;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The fused recurrent layers: (1) each fused direction equals the same recurrence composed from
 * primitive autograd operations, values and gradients; (2) F64 gradient checks of the fused
 * nodes and of whole modules (1 and 2 layers, bidirectional, batch-first, odd sizes); (3) F32
 * agrees with F64; (4) the scalar and vector providers agree; (5) one and two threads give the
 * same bits.
 */
class RecurrentLayerProperties {

    enum Mode {
        RNN_TANH(1), RNN_RELU(1), RNN_SIGMOID(1), LSTM(4), GRU(3);

        final int gates;

        Mode(int gates) {
            this.gates = gates;
        }

        Activation activation() {
            return switch (this) {
                case RNN_RELU -> Activation.RELU;
                case RNN_SIGMOID -> Activation.SIGMOID;
                default -> Activation.TANH;
            };
        }
    }

    /** One direction's arguments: x, h0, c0 (LSTM), W_ih, W_hh, then the biases (none, one, or two for GRU). */
    record Args(Mode mode, boolean reverse, Tensor[] tensors) {

        Tensor x() {
            return tensors[0];
        }

        SequenceOutput fused(Tensor[] t) {
            boolean lstm = mode == Mode.LSTM;
            int w = lstm ? 3 : 2;
            Tensor b1 = t.length > w + 2 ? t[w + 2] : null;
            Tensor b2 = t.length > w + 3 ? t[w + 3] : null;
            return switch (mode) {
                case LSTM -> Ops.lstmLayer(t[0], t[1], t[2], t[3], t[4], b1, reverse);
                case GRU -> Ops.gruLayer(t[0], t[1], t[2], t[3], b1, b2, reverse);
                default -> Ops.rnnLayer(t[0], t[1], t[2], t[3], b1, mode.activation(), reverse);
            };
        }

        /** The recurrence step by step from primitive operations. */
        SequenceOutput composed(Tensor[] t) {
            boolean lstm = mode == Mode.LSTM;
            int w = lstm ? 3 : 2;
            Tensor x = t[0];
            Tensor h = t[1];
            Tensor c = lstm ? t[2] : null;
            Tensor wIh = t[w];
            Tensor wHh = t[w + 1];
            Tensor b1 = t.length > w + 2 ? t[w + 2] : null;
            Tensor b2 = t.length > w + 3 ? t[w + 3] : null;
            int steps = x.size(0);
            int batch = x.size(1);
            int n = wHh.size(1);
            Tensor[] outs = new Tensor[steps];
            for (int s = 0; s < steps; s++) {
                int time = reverse ? steps - 1 - s : s;
                Tensor xt = reshape(narrow(x, 0, time, 1), batch, x.size(2));
                switch (mode) {
                    case LSTM -> {
                        Tensor g = add(linear(xt, wIh, b1), linear(h, wHh, null));
                        Tensor i = sigmoid(narrow(g, 1, 0, n));
                        Tensor f = sigmoid(narrow(g, 1, n, n));
                        Tensor gg = tanh(narrow(g, 1, 2 * n, n));
                        Tensor o = sigmoid(narrow(g, 1, 3 * n, n));
                        c = add(mul(f, c), mul(i, gg));
                        h = mul(o, tanh(c));
                    }
                    case GRU -> {
                        Tensor gi = linear(xt, wIh, b1);
                        Tensor gh = linear(h, wHh, b2);
                        Tensor r = sigmoid(add(narrow(gi, 1, 0, n), narrow(gh, 1, 0, n)));
                        Tensor z = sigmoid(add(narrow(gi, 1, n, n), narrow(gh, 1, n, n)));
                        Tensor nn = tanh(add(narrow(gi, 1, 2 * n, n), mul(r, narrow(gh, 1, 2 * n, n))));
                        h = add(mul(add(neg(z), 1.0), nn), mul(z, h));
                    }
                    default -> {
                        Tensor pre = add(linear(xt, wIh, b1), linear(h, wHh, null));
                        h = switch (mode) {
                            case RNN_RELU -> Ops.relu(pre);
                            case RNN_SIGMOID -> sigmoid(pre);
                            default -> tanh(pre);
                        };
                    }
                }
                outs[time] = h;
            }
            return new SequenceOutput(Ops.stack(List.of(outs), 0), h, c);
        }
    }

    static Args randomArgs(Random rnd, Mode mode, int steps, int batch, int in, int hidden) {
        Generator gen = new Generator(rnd.nextLong());
        List<Tensor> t = new ArrayList<>();
        t.add(Tensor.uniform(gen, DType.F64, -1, 1, steps, batch, in));
        t.add(Tensor.uniform(gen, DType.F64, -1, 1, batch, hidden));
        if (mode == Mode.LSTM) {
            t.add(Tensor.uniform(gen, DType.F64, -1, 1, batch, hidden));
        }
        int g = mode.gates * hidden;
        t.add(Tensor.uniform(gen, DType.F64, -0.8, 0.8, g, in));
        t.add(Tensor.uniform(gen, DType.F64, -0.8, 0.8, g, hidden));
        int biases = rnd.nextInt(4) == 0 ? 0 : mode == Mode.GRU ? 2 : 1;
        for (int i = 0; i < biases; i++) {
            t.add(Tensor.uniform(gen, DType.F64, -0.5, 0.5, g));
        }
        for (Tensor x : t) {
            x.requiresGrad(true);
        }
        return new Args(mode, rnd.nextBoolean(), t.toArray(new Tensor[0]));
    }

    /** All outputs flattened into one vector, so one gradient check covers them. */
    static Tensor flat(SequenceOutput r) {
        return flat(r, 7);
    }

    /**
     * The outputs picked by the bits of {@code which} (1 output, 2 h_n, 4 c_n), flattened into
     * one vector; outputs left out receive no gradient, which the node must treat as zeros.
     */
    static Tensor flat(SequenceOutput r, int which) {
        List<Tensor> parts = new ArrayList<>();
        if ((which & 1) != 0) {
            parts.add(reshape(r.output(), -1));
        }
        if ((which & 2) != 0) {
            parts.add(reshape(r.hN(), -1));
        }
        if ((which & 4) != 0 && r.cN() != null) {
            parts.add(reshape(r.cN(), -1));
        }
        return parts.isEmpty() ? reshape(r.output(), -1) : Ops.cat(parts, 0);
    }

    /** The values of the outputs, then the gradients of every input, for a fixed random output gradient. */
    static List<double[]> valuesAndGradients(Tensor[] inputs, java.util.function.Function<Tensor[], Tensor> f,
                                             long seed) {
        for (Tensor t : inputs) {
            t.zeroGrad();
        }
        Tensor y = f.apply(inputs);
        Tensor g = Tensor.uniform(new Generator(seed), DType.F64, -1, 1, y.dims()).to(y.dtype());
        y.backward(g);
        List<double[]> out = new ArrayList<>();
        out.add(y.toDoubleArray());
        for (Tensor t : inputs) {
            out.add(t.grad() == null ? new double[t.numel()] : t.grad().toDoubleArray());
        }
        return out;
    }

    static void assertClose(List<double[]> expected, List<double[]> actual, double rtol, double atol, String what) {
        assertEquals(expected.size(), actual.size());
        for (int k = 0; k < expected.size(); k++) {
            double[] e = expected.get(k);
            double[] a = actual.get(k);
            assertEquals(e.length, a.length, what + " part " + k);
            for (int i = 0; i < e.length; i++) {
                double tol = atol + rtol * Math.abs(e[i]);
                assertTrue(Math.abs(e[i] - a[i]) <= tol, what + " part " + k + " element " + i + ": expected " + e[i]
                        + ", got " + a[i]);
            }
        }
    }

    static Tensor[] converted(Tensor[] ts, DType dtype) {
        Tensor[] out = new Tensor[ts.length];
        for (int i = 0; i < ts.length; i++) {
            out[i] = ts[i].detach().to(dtype).copy().requiresGrad(true);
        }
        return out;
    }

    /** Batches above 4 read a transposed copy of W_hh in the per-step products; up to 4, W_hh as stored. */
    @Property(tries = 150)
    void fusedDirectionEqualsComposition(@ForAll Mode mode, @ForAll @IntRange(min = 1, max = 6) int steps,
                                         @ForAll @IntRange(min = 1, max = 7) int batch,
                                         @ForAll @IntRange(min = 1, max = 7) int in,
                                         @ForAll @IntRange(min = 1, max = 9) int hidden, @ForAll long seed) {
        Random rnd = new Random(seed);
        Args a = randomArgs(rnd, mode, steps, batch, in, hidden);
        int which = 1 + rnd.nextInt(7);
        List<double[]> fused = valuesAndGradients(a.tensors(), t -> flat(a.fused(t), which), seed);
        List<double[]> composed = valuesAndGradients(a.tensors(), t -> flat(a.composed(t), which), seed);
        assertClose(composed, fused, 1e-12, 1e-13, mode + " reverse=" + a.reverse() + " outputs=" + which);
    }

    @Property(tries = 60)
    void fusedDirectionPassesGradCheck(@ForAll Mode mode, @ForAll @IntRange(min = 1, max = 4) int steps,
                                       @ForAll @IntRange(min = 1, max = 3) int batch,
                                       @ForAll @IntRange(min = 1, max = 4) int in,
                                       @ForAll @IntRange(min = 1, max = 4) int hidden, @ForAll long seed) {
        Args a = randomArgs(new Random(seed), mode, steps, batch, in, hidden);
        assertNull(GradCheck.check(t -> flat(a.fused(t)), a.tensors()), mode + " reverse=" + a.reverse());
    }

    /** A module of the given kind in F64 with random sizes and flags (separate biases among them). */
    record ModuleCase(RecurrentBase module, Mode mode, Tensor input, Tensor h0, Tensor c0) {

        static ModuleCase random(Mode mode, Random rnd, int maxSize) {
            int in = 1 + rnd.nextInt(maxSize);
            int hidden = 1 + rnd.nextInt(maxSize);
            int steps = 1 + rnd.nextInt(4);
            int batch = 1 + rnd.nextInt(3);
            RecurrentOptions o = RecurrentOptions.of(in, hidden).withNumLayers(1 + rnd.nextInt(2))
                    .withBidirectional(rnd.nextBoolean()).withBatchFirst(rnd.nextBoolean())
                    .withBias(rnd.nextInt(4) != 0).withDType(DType.F64).withSeparateBiases(rnd.nextBoolean());
            Generator gen = new Generator(rnd.nextLong());
            RecurrentBase m = switch (mode) {
                case LSTM -> new LSTM(o, gen);
                case GRU -> new GRU(o, gen);
                default -> new RNN(o, mode.activation(), gen);
            };
            Tensor x = o.batchFirst() ? Tensor.uniform(gen, DType.F64, -1, 1, batch, steps, in)
                    : Tensor.uniform(gen, DType.F64, -1, 1, steps, batch, in);
            int states = o.numLayers() * o.directions();
            boolean withState = rnd.nextBoolean();
            Tensor h0 = withState ? Tensor.uniform(gen, DType.F64, -1, 1, states, batch, hidden) : null;
            Tensor c0 = withState && mode == Mode.LSTM ? Tensor.uniform(gen, DType.F64, -1, 1, states, batch, hidden)
                    : null;
            return new ModuleCase(m, mode, x, h0, c0);
        }

        SequenceOutput run(Tensor x, Tensor h0, Tensor c0) {
            return switch (module) {
                case LSTM l -> l.forward(x, h0, c0);
                case GRU g -> g.forward(x, h0);
                case RNN r -> r.forward(x, h0);
                default -> throw new IllegalStateException();
            };
        }

        /** x, then h0 and c0 when given, then the module's parameters. */
        Tensor[] inputs() {
            List<Tensor> t = new ArrayList<>();
            t.add(input.requiresGrad(true));
            if (h0 != null) {
                t.add(h0.requiresGrad(true));
            }
            if (c0 != null) {
                t.add(c0.requiresGrad(true));
            }
            t.addAll(module.parameters());
            return t.toArray(new Tensor[0]);
        }

        Tensor apply(Tensor[] t) {
            int k = 1;
            Tensor h = h0 != null ? t[k++] : null;
            Tensor c = c0 != null ? t[k] : null;
            return flat(run(t[0], h, c));
        }
    }

    @Property(tries = 40)
    void modulesPassGradCheck(@ForAll Mode mode, @ForAll long seed) {
        ModuleCase c = ModuleCase.random(mode, new Random(seed), 4);
        assertNull(GradCheck.check(c::apply, c.inputs()), c.module().toString());
    }

    @Property(tries = 60)
    void f32AgreesWithF64(@ForAll Mode mode, @ForAll long seed) {
        ModuleCase c = ModuleCase.random(mode, new Random(seed), 9);
        Tensor[] in64 = c.inputs();
        List<double[]> expected = valuesAndGradients(in64, c::apply, seed);
        c.module().to(DType.F32);
        Tensor[] in32 = converted(in64, DType.F32);
        List<Tensor> params = c.module().parameters();
        System.arraycopy(params.toArray(new Tensor[0]), 0, in32, in32.length - params.size(), params.size());
        RecurrentBase m = c.module();
        ModuleCase c32 = new ModuleCase(m, mode, in32[0], c.h0() == null ? null : in32[1],
                c.c0() == null ? null : in32[2]);
        List<double[]> actual = valuesAndGradients(in32, c32::apply, seed);
        assertClose(expected, actual, 1e-4, 1e-5, m.toString());
    }

    static List<double[]> runWith(KernelProvider p, ModuleCase c, long seed) {
        try (Providers.Scope s = Providers.use(p)) {
            return valuesAndGradients(c.inputs(), c::apply, seed);
        }
    }

    @Property(tries = 40)
    void providersAgree(@ForAll Mode mode, @ForAll long seed) {
        ModuleCase c = ModuleCase.random(mode, new Random(seed), 40);
        c.module().to(DType.F32);
        ModuleCase c32 = new ModuleCase(c.module(), mode, c.input().to(DType.F32),
                c.h0() == null ? null : c.h0().to(DType.F32), c.c0() == null ? null : c.c0().to(DType.F32));
        List<double[]> scalar = runWith(Providers.scalar(), c32, seed);
        List<double[]> vector = runWith(Providers.vector().orElseThrow(), c32, seed);
        // GEMM sums in a different order on each provider; the fused pointwise passes are bit-identical.
        assertClose(scalar, vector, 1e-4, 1e-5, c.module().toString());
    }

    @Test
    void oneAndTwoThreadsGiveTheSameBits() {
        int before = Parallel.threads();
        try {
            for (Mode mode : Mode.values()) {
                // Large enough for the GEMMs to split across threads.
                RecurrentOptions o = RecurrentOptions.of(64, 96).withNumLayers(2).withBidirectional(true);
                Generator gen = new Generator(11);
                RecurrentBase m = switch (mode) {
                    case LSTM -> new LSTM(o, gen);
                    case GRU -> new GRU(o, gen);
                    default -> new RNN(o, mode.activation(), gen);
                };
                ModuleCase c = new ModuleCase(m, mode, Tensor.uniform(gen, DType.F32, -1, 1, 12, 24, 64), null, null);
                Parallel.setThreads(1);
                List<double[]> one = valuesAndGradients(c.inputs(), c::apply, 7);
                Parallel.setThreads(2);
                List<double[]> two = valuesAndGradients(c.inputs(), c::apply, 7);
                for (int k = 0; k < one.size(); k++) {
                    assertArrayEquals(one.get(k), two.get(k), 0.0, mode + " part " + k);
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void dropoutActsBetweenLayersInTrainingOnly() {
        RecurrentOptions o = RecurrentOptions.of(3, 5).withNumLayers(2).withDropout(0.5).withDType(DType.F64);
        LSTM lstm = new LSTM(o, new Generator(3));
        Tensor x = Tensor.uniform(new Generator(4), DType.F64, -1, 1, 4, 2, 3);
        double[] a = lstm.forward(x).toDoubleArray();
        double[] b = lstm.forward(x).toDoubleArray();
        assertTrue(!java.util.Arrays.equals(a, b), "fresh masks in training mode");
        lstm.eval();
        double[] e1 = lstm.forward(x).toDoubleArray();
        double[] e2 = lstm.forward(x).toDoubleArray();
        assertArrayEquals(e1, e2, 0.0);
        LSTM plain = new LSTM(o.withDropout(0), new Generator(99));
        plain.loadStateDict(lstm.stateDict());
        assertArrayEquals(plain.forward(x).toDoubleArray(), e1, 0.0, "eval ignores dropout");
        assertEquals(lstm.stateDict().keySet(), plain.stateDict().keySet(), "dropout adds no state");
    }
}
