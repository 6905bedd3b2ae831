package dev.lanes.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.autograd.NoGrad;
import dev.lanes.autograd.Ops;
import dev.lanes.nn.BatchNorm2d;
import dev.lanes.nn.Conv2d;
import dev.lanes.nn.Layer;
import dev.lanes.nn.Linear;
import dev.lanes.nn.models.ResNets;
import dev.lanes.nn.models.Shortcut;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Fusion rewrites: a batch norm on images, an activation or arithmetic with a same-shaped tensor
 * runs in the steps of the convolution or linear layer producing its operand, when nothing else
 * reads that operand and it is not an output. The plans give the eager bits on one thread and in
 * parallel sessions (where every product has more than four rows; within float rounding where
 * fewer), and the F64 module's values within float rounding; the steps show what was fused.
 */
class FusionTest {

    /** {@code relu(bn(conv(x)) + x)} on planes, written out by hand, as a user's residual block would be. */
    static final class PlanesResidualBlock extends Layer {
        final Conv2d conv;
        final BatchNorm2d bn;

        PlanesResidualBlock(int channels, Generator gen) {
            conv = registerModule("conv", new Conv2d(channels, channels, new int[] {3, 3}, new int[] {1, 1},
                    new int[] {1, 1}, new int[] {1, 1}, 1, true, DType.F32, gen));
            bn = registerModule("bn", new BatchNorm2d(channels, DType.F32));
        }

        @Override
        public Tensor forward(Tensor x) {
            return Ops.relu(Ops.add(bn.forward(conv.forward(x)), x));
        }
    }

    /** An MLP block: {@code x - sigmoid(linear(x))} (the fused value second), then {@code tanh(linear(.))}. */
    static final class GatedMlp extends Layer {
        final Linear gate;
        final Linear out;

        GatedMlp(int width, int classes, Generator gen) {
            gate = registerModule("gate", new Linear(width, width, gen));
            out = registerModule("out", new Linear(width, classes, gen));
        }

        @Override
        public Tensor forward(Tensor x) {
            return Ops.tanh(out.forward(Ops.sub(x, Ops.sigmoid(gate.forward(x)))));
        }
    }

    private static float[] eager(Layer model, float[] x, int... dims) {
        model.eval();
        try (NoGrad ng = NoGrad.enter()) {
            return model.forward(Tensor.of(x, dims)).toFloatArray();
        } finally {
            model.train();
        }
    }

    /** Captures {@code model}, checks the fused steps, the eager bits in plain and parallel sessions, and F64. */
    private static void assertFused(String what, Layer model, List<String> steps, float[] x, int... dims) {
        float[] eager = eager(model, x, dims);
        Plan plan = Plan.capture(model, Tensor.of(x, dims));
        assertEquals(steps, plan.steps(), what + ": steps");
        float[] got = plan.session().run(x).clone();
        assertArrayEquals(eager, got, what + ": the eager bits");
        assertArrayEquals(eager, plan.parallelSession().run(x).clone(), what + ": the eager bits in parallel");
        PlanCaptureTest.assertClose(PlanCaptureTest.evalF64(model, x, dims), got, what);
        model.to(DType.F32);
    }

    @Test
    void aConvolutionRunsItsBatchNormResidualAndActivation() {
        PlanesResidualBlock block = new PlanesResidualBlock(6, new Generator(1));
        ResNetPlanTest.randomiseBatchNorms(block, new SplittableRandom(2));
        assertFused("planes residual block", block, List.of("conv2d+batchNorm+add+relu"),
                PlanCaptureTest.values(3, 5 * 6 * 9 * 7), 5, 6, 9, 7);
    }

    @Test
    void aLinearLayerRunsItsActivationAndSubtraction() {
        GatedMlp mlp = new GatedMlp(24, 7, new Generator(4));
        assertFused("gated MLP", mlp, List.of("linear+sigmoid+sub", "linear+tanh"), PlanCaptureTest.values(5, 6 * 24),
                6, 24);
        assertFused("gated MLP on [2, 3, 24]", mlp, List.of("linear+sigmoid+sub", "linear+tanh"),
                PlanCaptureTest.values(6, 6 * 24), 2, 3, 24);
    }

    @Test
    void aSmallBatchRunsTheEpilogueInEveryColumnTile() {
        // Three rows: the products read matrix-vector panels, each 64-column tile running the
        // activation and the addition on its columns of every row. Not the eager bits (the eager
        // GEMM takes such products as dot products), the same values within float rounding.
        GatedMlp mlp = new GatedMlp(150, 70, new Generator(13));
        float[] x = PlanCaptureTest.values(14, 3 * 150);
        Plan plan = Plan.capture(mlp, Tensor.of(x, 3, 150));
        assertEquals(List.of("linear+sigmoid+sub", "linear+tanh"), plan.steps());
        double[] expected = PlanCaptureTest.evalF64(mlp, x, 3, 150);
        PlanCaptureTest.assertClose(expected, plan.session().run(x).clone(), "panels");
        PlanCaptureTest.assertClose(expected, plan.parallelSession().run(x).clone(), "panels in parallel");
    }

    /** {@code relu(batchNorm(linear(x)) + x)} on features {@code [N, C]}, with running statistics as buffers. */
    static final class NormalisedFeatures extends Layer {
        final Linear l;

        NormalisedFeatures(int width, Generator gen) {
            l = registerModule("l", new Linear(width, width, gen));
            SplittableRandom r = new SplittableRandom(15);
            float[] mean = new float[width];
            float[] var = new float[width];
            for (int c = 0; c < width; c++) {
                mean[c] = (float) r.nextDouble(-0.3, 0.3);
                var[c] = (float) r.nextDouble(0.5, 2);
            }
            registerBuffer("mean", Tensor.of(mean, width));
            registerBuffer("var", Tensor.of(var, width));
        }

        @Override
        public Tensor forward(Tensor x) {
            return Ops.batchNormRelu(l.forward(x), x, namedBuffers().get("mean"), namedBuffers().get("var"), null,
                    null, false, 0.1, 1e-5);
        }
    }

    @Test
    void aFeatureBatchNormIsNotFused() {
        // On features [N, C] a product's column tiles would hand the batch norm runs of one
        // element per channel; it runs as a step of its own, over whole rows.
        NormalisedFeatures model = new NormalisedFeatures(90, new Generator(16));
        assertFused("features", model, List.of("linear", "batchNormRelu"), PlanCaptureTest.values(17, 6 * 90), 6, 90);
    }

    @Test
    void everyResidualNetworkConvolutionRunsItsBatchNorm() {
        for (Shortcut shortcut : Shortcut.values()) {
            var net = ResNets.cifar(8, 2, 5, shortcut, true, DType.F32, new Generator(6));
            ResNetPlanTest.randomiseBatchNorms(net, new SplittableRandom(7));
            float[] x = PlanCaptureTest.values(8, 5 * 2 * 11 * 10);
            Plan plan = Plan.capture(net, Tensor.of(x, 5, 2, 11, 10));
            for (String step : plan.steps()) {
                assertTrue(!step.startsWith("batchNorm"), shortcut + ": a batch norm runs alone: " + plan.steps());
            }
            String conv = "conv2d (channel-blocked)";
            long relu = plan.steps().stream().filter(st -> st.equals(conv + "+batchNormRelu (channel-blocked)")).count();
            long plain = plan.steps().stream().filter(st -> st.equals(conv + "+batchNorm (channel-blocked)")).count();
            long convs = plan.steps().stream().filter(st -> st.startsWith("conv2d")).count();
            // The stem and two per block, with their ReLUs; a projection's batch norm has none.
            assertEquals(7, relu, shortcut + ": " + plan.steps());
            assertEquals(shortcut == Shortcut.PROJECTION ? 2 : 0, plain, shortcut + ": " + plan.steps());
            assertEquals(relu + plain, convs, shortcut + ": " + plan.steps());
            assertArrayEquals(eager(net, x, 5, 2, 11, 10), plan.parallelSession().run(x).clone(),
                    shortcut + ": the eager bits");
        }
    }

    @Test
    void aValueReadTwiceOrReturnedIsNotFused() {
        Linear l = new Linear(6, 6, new Generator(9));
        float[] x = PlanCaptureTest.values(10, 5 * 6);
        Function<Tensor, Tensor[]> twice = in -> {
            Tensor y = l.forward(in);
            return new Tensor[] {Ops.add(Ops.relu(y), y)};
        };
        Plan plan = Plan.capture(l, in -> twice.apply(in[0]), Tensor.of(x, 5, 6));
        assertEquals(List.of("linear", "relu", "add"), plan.steps(), "a product read twice");
        Tensor expected;
        try (NoGrad ng = NoGrad.enter()) {
            expected = twice.apply(Tensor.of(x, 5, 6))[0];
        }
        assertArrayEquals(expected.toFloatArray(), plan.session().run(x), "read twice");

        Plan both = Plan.capture(l, in -> {
            Tensor y = l.forward(in[0]);
            return new Tensor[] {y, Ops.relu(y)};
        }, Tensor.of(x, 5, 6));
        assertEquals(List.of("linear", "relu"), both.steps(), "a product that is an output");
        PlanSession s = both.session();
        s.run(x);
        float[] y = eager(l, x, 5, 6);
        assertArrayEquals(y, s.output(0), "the product itself");
        for (int i = 0; i < y.length; i++) {
            assertEquals(Math.max(y[i], 0f), s.output(1)[i], 0f, "relu " + i);
        }
    }

    /** {@code linear(x) + shift}, a buffer broadcast over the rows. */
    static final class Shifted extends Layer {
        final Linear l;

        Shifted(Generator gen) {
            l = registerModule("l", new Linear(4, 3, gen));
            registerBuffer("shift", Tensor.of(new float[] {0.5f, -1f, 2f}, 3));
        }

        @Override
        public Tensor forward(Tensor x) {
            return Ops.add(l.forward(x), namedBuffers().get("shift"));
        }
    }

    @Test
    void aBroadcastAdditionIsNotFused() {
        assertFused("broadcast shift", new Shifted(new Generator(11)), List.of("linear", "add"),
                PlanCaptureTest.values(12, 5 * 4), 5, 4);
    }
}
