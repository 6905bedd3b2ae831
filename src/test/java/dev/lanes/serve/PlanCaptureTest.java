package dev.lanes.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.Allocations;
import dev.lanes.autograd.NoGrad;
import dev.lanes.autograd.Ops;
import dev.lanes.nn.Dropout;
import dev.lanes.nn.Flatten;
import dev.lanes.nn.GELU;
import dev.lanes.nn.Layer;
import dev.lanes.nn.Linear;
import dev.lanes.nn.ReLU;
import dev.lanes.nn.Sequential;
import dev.lanes.nn.Tanh;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Captured plans of feed-forward models: the module's eval function, user modules, several inputs
 * and outputs, refusals that name the operation and module, memory sharing, isolation from the
 * module, many threads, no allocation.
 */
class PlanCaptureTest {

    /** A user module with its own forward: a residual MLP block with a scaled skip, a softmax head. */
    static final class Scorer extends Layer {
        final Linear in;
        final Linear hidden;
        final Linear out;
        final Dropout drop = new Dropout(0.5, new Generator(9));

        Scorer(int features, int width, int classes, Generator gen) {
            in = registerModule("in", new Linear(features, width, gen));
            hidden = registerModule("hidden", new Linear(width, width, gen));
            out = registerModule("out", new Linear(width, classes, gen));
            registerModule("drop", drop);
            registerBuffer("shift", Tensor.full(DType.F32, 0.25, width));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor h = Ops.tanh(in.forward(x));
            Tensor skip = Ops.mul(h, 0.5);
            h = Ops.add(Ops.gelu(hidden.forward(drop.forward(h))), skip);
            h = Ops.sub(h, namedBuffers().get("shift"));
            return Ops.logSoftmax(out.forward(Ops.sigmoid(h)), -1);
        }
    }

    static float[] values(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble() * 4 - 2);
        }
        return x;
    }

    /** The module's eval outputs in F64 (after the plan is taken; the module converts in place). */
    static double[] evalF64(Layer model, float[] x, int... dims) {
        model.to(DType.F64);
        model.eval();
        double[] xd = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            xd[i] = x[i];
        }
        try (NoGrad ng = NoGrad.enter()) {
            return model.forward(Tensor.of(xd, dims)).toDoubleArray();
        }
    }

    /**
     * {@link #assertClose(double[], float[], String)} against F32 outputs: for plans whose products
     * of at most four rows fold each column in a vector lane, where the eager GEMM takes dot products.
     */
    static void assertClose(float[] expected, float[] got, String what) {
        double[] e = new double[expected.length];
        for (int i = 0; i < e.length; i++) {
            e[i] = expected[i];
        }
        assertClose(e, got, what);
    }

    static void assertClose(double[] expected, float[] got, String what) {
        assertEquals(expected.length, got.length, what);
        double scale = 0;
        for (double v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < got.length; i++) {
            assertEquals(expected[i], got[i], 2e-5 * scale + 1e-6, what + " element " + i);
        }
    }

    @Test
    void anMlpPlanComputesTheModulesEvalFunction() {
        Layer mlp = new Sequential(new Flatten(1, -1), new Linear(48, 40, new Generator(1)), new ReLU(),
                new Dropout(0.3, new Generator(2)), new Linear(40, 40, new Generator(3)), new GELU("tanh"),
                new Linear(40, 10, new Generator(4)));
        float[] x = values(7, 5 * 3 * 4 * 4);
        Plan plan = Plan.capture(mlp, Tensor.of(x, 5, 3, 4, 4));
        assertTrue(mlp.isTraining(), "capture must restore the module's mode");
        assertArrayEquals(new int[] {5, 3, 4, 4}, plan.inputShape(0).dims());
        assertArrayEquals(new int[] {5, 10}, plan.outputShape(0).dims());
        // The flatten is a view of the input's floats: no step. Each activation runs in the tiles
        // of the product before it; the dropout is the identity.
        assertEquals(List.of("linear+relu", "linear+gelu_tanh", "linear"), plan.steps());
        float[] got = plan.session().run(x).clone();
        assertClose(evalF64(mlp, x, 5, 3, 4, 4), got, "MLP");
    }

    @Test
    void aUserModulePlanComputesItsForward() {
        Scorer model = new Scorer(12, 24, 6, new Generator(5));
        float[] x = values(8, 3 * 12);
        Plan plan = Plan.capture(model, Tensor.of(x, 3, 12));
        float[] got = plan.session().run(x).clone();
        assertClose(evalF64(model, x, 3, 12), got, "user module");
    }

    @Test
    void aPlanTakesSeveralInputsAndGivesSeveralOutputs() {
        Linear a = new Linear(5, 4, new Generator(6));
        Linear b = new Linear(3, 4, new Generator(7));
        Sequential both = new Sequential(a, b);
        float[] x = values(1, 2 * 5);
        float[] y = values(2, 2 * 3);
        Plan plan = Plan.capture(both, in -> {
            Tensor s = Ops.add(a.forward(in[0]), b.forward(in[1]));
            return new Tensor[] {Ops.relu(s), Ops.neg(s)};
        }, Tensor.of(x, 2, 5), Tensor.of(y, 2, 3));
        assertEquals(2, plan.inputCount());
        assertEquals(2, plan.outputCount());
        PlanSession s = plan.session();
        s.run(new float[][] {x, y});
        Tensor sum;
        try (NoGrad ng = NoGrad.enter()) {
            sum = Ops.add(a.forward(Tensor.of(x, 2, 5)), b.forward(Tensor.of(y, 2, 3)));
        }
        // The plan runs the eager kernels: the same bits.
        float[] expected = sum.toFloatArray();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Math.max(expected[i], 0f), s.output(0)[i], 0f, "relu " + i);
            assertEquals(-expected[i], s.output(1)[i], 0f, "neg " + i);
        }
        assertThrows(IllegalArgumentException.class, () -> s.run(x), "one input for a two-input plan");
    }

    /** Runs an operation plans do not take (a power), from a nested module. */
    static final class Squaring extends Layer {
        @Override
        public Tensor forward(Tensor x) {
            return Ops.pow(x, 2);
        }
    }

    @Test
    void anOperationWithoutAPlanFormIsRefusedNamingItAndItsModule() {
        Sequential model = new Sequential(new Linear(4, 4, new Generator(1)),
                new Sequential(new Tanh(), new Squaring()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Plan.capture(model, Tensor.zeros(DType.F32, 2, 4)));
        assertTrue(e.getMessage().contains("'pow'"), e.getMessage());
        assertTrue(e.getMessage().contains("in Squaring at '1.1'"), e.getMessage());
        assertTrue(model.isTraining(), "a failed capture must restore the module's mode too");
    }

    /** Builds a tensor inside forward from data it reads out of its input: a trace cannot follow that. */
    static final class ReadsData extends Layer {
        @Override
        public Tensor forward(Tensor x) {
            return Ops.add(x, Tensor.of(x.toFloatArray(), x.dims()));
        }
    }

    @Test
    void aTensorMadeOutsideTheTraceIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Plan.capture(new ReadsData(), Tensor.zeros(DType.F32, 2, 3)));
        assertTrue(e.getMessage().contains("made outside the traced operations"), e.getMessage());
        assertTrue(e.getMessage().contains("(the model itself)"), e.getMessage());
    }

    @Test
    void broadcastingAComputedValueIsRefused() {
        Linear l = new Linear(3, 1, new Generator(2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Plan.capture(l, in -> new Tensor[] {Ops.mul(in[0], l.forward(in[0]))},
                        Tensor.zeros(DType.F32, 2, 3)));
        assertTrue(e.getMessage().contains("broadcasts a computed [2, 1] operand"), e.getMessage());
    }

    @Test
    void operationsNoOutputNeedsAreLeftOut() {
        Linear l = new Linear(3, 2, new Generator(2));
        Plan plan = Plan.capture(l, in -> {
            Ops.pow(in[0], 3);
            return new Tensor[] {l.forward(in[0])};
        }, Tensor.zeros(DType.F32, 2, 3));
        assertEquals(List.of("linear"), plan.steps());
    }

    @Test
    void activationsShareTheArenaWhenTheirLivesDoNotOverlap() {
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            layers.add(new Linear(64, 64, new Generator(i)));
            layers.add(new ReLU());
        }
        Plan plan = Plan.capture(new Sequential(layers.toArray(new Layer[0])), Tensor.zeros(DType.F32, 16, 64));
        int activation = 16 * 64;
        // Input, 16 activations: without sharing 17 activations; each step needs only its operand and result.
        assertTrue(plan.arenaSize() <= 3 * activation, "arena of " + plan.arenaSize() + " floats");
        assertTrue(plan.arenaSize() >= 2 * activation, "arena of " + plan.arenaSize() + " floats");
    }

    @Test
    void aPlanDoesNotFollowTheModuleAfterCapture() {
        Linear l = new Linear(4, 3, new Generator(3));
        float[] x = values(3, 4);
        Plan plan = Plan.capture(l, Tensor.of(x, 1, 4));
        float[] before = plan.session().run(x).clone();
        l.weight().tensor().setFlat(0, 100);
        assertArrayEquals(before, plan.session().run(x));
    }

    @Test
    void nonFiniteWeightsAreRefusedByName() {
        Linear l = new Linear(4, 3, new Generator(3));
        l.bias().tensor().setFlat(2, Double.NaN);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Plan.capture(new Sequential(l), Tensor.zeros(DType.F32, 1, 4)));
        assertTrue(e.getMessage().contains("'0.bias' element 2 is NaN"), e.getMessage());
    }

    @Test
    void sessionsCheckTheirInputs() {
        Plan plan = Plan.capture(new Linear(4, 3, new Generator(3)), Tensor.zeros(DType.F32, 2, 4));
        PlanSession s = plan.session(NonFinitePolicy.REJECT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.run(new float[7]));
        assertTrue(e.getMessage().contains("must hold 8 floats [2, 4], got 7"), e.getMessage());
        float[] bad = new float[8];
        bad[5] = Float.POSITIVE_INFINITY;
        e = assertThrows(IllegalArgumentException.class, () -> s.run(bad));
        assertTrue(e.getMessage().contains("element 5 is Infinity"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> s.run(new float[8], new float[5]));
    }

    @Test
    void everyThreadsSessionGivesTheSameBits() throws Exception {
        Scorer model = new Scorer(30, 70, 9, new Generator(4));
        float[] x = values(4, 4 * 30);
        Plan plan = Plan.capture(model, Tensor.of(x, 4, 30));
        float[] expected = plan.session().run(x).clone();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<float[]>> runs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                runs.add(pool.submit(() -> {
                    PlanSession s = plan.session();
                    float[] out = null;
                    for (int i = 0; i < 50; i++) {
                        out = s.run(x, new float[expected.length]);
                    }
                    return out;
                }));
            }
            for (Future<float[]> f : runs) {
                assertArrayEquals(expected, f.get());
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aCallAllocatesNothing() {
        Scorer model = new Scorer(30, 70, 9, new Generator(4));
        float[] x = values(4, 2 * 30);
        PlanSession s = Plan.capture(model, Tensor.of(x, 2, 30)).session();
        assertEquals(0, Allocations.settledBytes(() -> s.run(x), 20_000, 1000, 50), "bytes allocated by 1000 calls");
        assertFalse(s.output(0).length == 0);
    }
}
