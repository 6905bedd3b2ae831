package dev.lanes.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.Allocations;
import dev.lanes.autograd.NoGrad;
import dev.lanes.nn.BatchNorm2d;
import dev.lanes.nn.Layer;
import dev.lanes.nn.models.ResNet;
import dev.lanes.nn.models.ResNets;
import dev.lanes.nn.models.Shortcut;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Frozen ResNets: the module's eval-mode function, every block and shortcut
 * kind, isolation from later training, many threads, no allocation, bad input.
 */
class ResNetPlanTest {

    static float[] images(long seed, int count, int size) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[count * size];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble() * 4 - 2);
        }
        return x;
    }

    /** Gives every batch norm random affine parameters and running statistics, as after training. */
    static void randomiseBatchNorms(Layer m, SplittableRandom r) {
        if (m instanceof BatchNorm2d bn) {
            for (int c = 0; c < bn.numFeatures(); c++) {
                bn.weight().tensor().setFlat(c, 0.5 + r.nextDouble());
                bn.bias().tensor().setFlat(c, r.nextDouble() - 0.5);
                bn.runningMean().tensor().setFlat(c, r.nextDouble() - 0.5);
                bn.runningVar().tensor().setFlat(c, 0.5 + r.nextDouble());
            }
        }
        for (Layer child : m.children().values()) {
            randomiseBatchNorms(child, r);
        }
    }

    /** The module's eval-mode logits in double precision (an F64 copy of the F32 network). */
    static double[] evalLogits(Supplier<ResNet> build, ResNet trained, float[] x, int n, int c, int h, int w) {
        ResNet ref = build.get();
        ref.loadStateDict(trained.stateDict());
        ref.to(DType.F64);
        ref.eval();
        double[] xd = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            xd[i] = x[i];
        }
        try (NoGrad ng = NoGrad.enter()) {
            return ref.forward(Tensor.of(xd, n, c, h, w)).toDoubleArray();
        }
    }

    private static void assertPlanMatchesModule(String what, Supplier<ResNet> build, int c, int h, int w) {
        ResNet net = build.get();
        randomiseBatchNorms(net, new SplittableRandom(11));
        int n = 3;
        float[] x = images(5, n, c * h * w);
        double[] expected = evalLogits(build, net, x, n, c, h, w);
        net.train();
        ResNetPlan plan = ResNetPlan.freeze(net, c, h, w);
        float[] got = plan.session(n).run(x);
        assertEquals(expected.length, got.length, what);
        double scale = 0;
        for (double v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        assertTrue(scale > 0.1, what + ": logits too small to compare: " + scale);
        for (int i = 0; i < got.length; i++) {
            assertEquals(expected[i], got[i], 2e-5 * scale + 1e-6, what + " logit " + i);
        }
        assertTrue(net.isTraining(), "freezing must not change the module's mode");
    }

    @Test
    void planComputesTheModulesEvalFunctionForEveryBlockAndShortcut() {
        assertPlanMatchesModule("ResNet-8 option A", () -> ResNets.cifar(8, 3, 10, Shortcut.ZERO_PAD, true, DType.F32,
                new Generator(1)), 3, 17, 15);
        assertPlanMatchesModule("ResNet-8 option B", () -> ResNets.cifar(8, 1, 7, Shortcut.PROJECTION, true, DType.F32,
                new Generator(2)), 1, 12, 12);
        assertPlanMatchesModule("Plain-8", () -> ResNets.cifar(8, 2, 5, Shortcut.ZERO_PAD, false, DType.F32,
                new Generator(3)), 2, 9, 11);
        assertPlanMatchesModule("basic ImageNet-style", () -> ResNets.imagenet(new int[] {1, 1, 1, 1}, false, 3, 6,
                DType.F32, new Generator(4)), 3, 40, 37);
        assertPlanMatchesModule("bottleneck ImageNet-style", () -> ResNets.imagenet(new int[] {1, 2, 1, 1}, true, 3,
                4, DType.F32, new Generator(5)), 3, 33, 33);
    }

    @Test
    void pyTorchResNetFrozenFromSafetensorsGivesPyTorchLogits() throws Exception {
        java.nio.file.Path file = java.nio.file.Path.of(ResNetPlanTest.class.getResource(
                "/golden/resnet8.safetensors").toURI());
        java.util.Map<String, Tensor> state = new java.util.LinkedHashMap<>(dev.lanes.io.SafeTensors.read(file));
        Tensor input = state.remove("test.input");
        double[] expected = state.remove("test.output").toDoubleArray();
        ResNet net = ResNets.cifar(8, 3, 10, Shortcut.PROJECTION, true, DType.F32, new Generator(1));
        net.loadStateDict(state);
        float[] logits = ResNetPlan.freeze(net, 3, 12, 12).session(2).run(input.toFloatArray());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], logits[i], 1e-5, "logit " + i);
        }
    }

    @Test
    void resnet20LogitsMatchTheModule() {
        assertPlanMatchesModule("ResNet-20", () -> ResNets.resnet20(1, 10, new Generator(6)), 1, 28, 28);
    }

    @Test
    void imagesOfABatchAreIndependentAndSessionsAgreeBitForBit() {
        ResNet net = ResNets.cifar(8, 3, 10, Shortcut.PROJECTION, true, DType.F32, new Generator(8));
        randomiseBatchNorms(net, new SplittableRandom(2));
        ResNetPlan plan = ResNetPlan.freeze(net, 3, 16, 16);
        float[] x = images(9, 4, plan.imageSize());
        float[] batched = plan.session(4).run(x).clone();
        ResNetSession one = plan.session(1);
        for (int i = 0; i < 4; i++) {
            float[] image = java.util.Arrays.copyOfRange(x, i * plan.imageSize(), (i + 1) * plan.imageSize());
            float[] logits = one.run(image);
            assertArrayEquals(java.util.Arrays.copyOfRange(batched, i * 10, i * 10 + 10), logits, 0f, "image " + i);
        }
        assertArrayEquals(batched, plan.session(4).run(x), 0f, "a second session");
    }

    @Test
    void laterTrainingDoesNotReachThePlan() {
        ResNet net = ResNets.cifar(8, 1, 3, Shortcut.ZERO_PAD, true, DType.F32, new Generator(9));
        ResNetPlan plan = ResNetPlan.freeze(net, 1, 8, 8);
        float[] x = images(1, 1, 64);
        float[] before = plan.session(1).run(x).clone();
        net.conv1().weight().tensor().f32()[0] += 1f;
        net.bn1().runningMean().tensor().f32()[0] += 1f;
        assertArrayEquals(before, plan.session(1).run(x), 0f);
    }

    @Test
    void eightThreadsOnOnePlanGiveTheSingleThreadBits() throws Exception {
        ResNet net = ResNets.cifar(8, 3, 10, Shortcut.ZERO_PAD, true, DType.F32, new Generator(10));
        randomiseBatchNorms(net, new SplittableRandom(3));
        ResNetPlan plan = ResNetPlan.freeze(net, 3, 12, 12);
        int threads = 8;
        int calls = 300;
        List<float[]> expected = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            expected.add(runMany(plan, 100 + t, calls));
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<float[]>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = 100 + t;
                results.add(pool.submit(() -> runMany(plan, seed, calls)));
            }
            for (int t = 0; t < threads; t++) {
                assertArrayEquals(expected.get(t), results.get(t).get(), 0f, "thread " + t);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** The logits of {@code calls} calls on different images, concatenated. */
    private static float[] runMany(ResNetPlan plan, long seed, int calls) {
        ResNetSession s = plan.session(2);
        float[] all = new float[calls * 2 * plan.classes()];
        for (int i = 0; i < calls; i++) {
            float[] out = s.run(images(seed * 1000 + i, 2, plan.imageSize()));
            System.arraycopy(out, 0, all, i * out.length, out.length);
        }
        return all;
    }

    @Test
    void aCallAllocatesNothing() {
        // The served shapes themselves (ResNet-20 on 1 x 28 x 28 and 3 x 32 x 32), large enough that
        // kernels would split across the pool, a projection network with a batch of 2, and an
        // ImageNet-style stem (strided 7 x 7 convolution, max pooling). The head runs once per call,
        // so its vector kernels reach the optimising compiler (which keeps vectors off the heap)
        // only after a few thousand calls.
        ResNetSession[] sessions = {
            ResNetPlan.freeze(ResNets.resnet20(1, 10, new Generator(12)), 1, 28, 28).session(1),
            ResNetPlan.freeze(ResNets.resnet20(3, 10, new Generator(12)), 3, 32, 32).session(1),
            ResNetPlan.freeze(ResNets.cifar(8, 1, 10, Shortcut.PROJECTION, true, DType.F32, new Generator(12)), 1, 10,
                    10, NonFinitePolicy.REJECT).session(2),
            ResNetPlan.freeze(ResNets.imagenet(new int[] {1, 1, 1, 1}, false, 3, 6, DType.F32, new Generator(12)), 3,
                    40, 40).session(1)};
        int[] imageSizes = {784, 3072, 100, 4800};
        for (int k = 0; k < sessions.length; k++) {
            ResNetSession s = sessions[k];
            float[] x = images(1, s.batch(), imageSizes[k]);
            assertEquals(0, Allocations.settledBytes(() -> s.run(x), 2000, 100, 80), "bytes allocated by 100 calls");
        }
    }

    @Test
    void nonFiniteInputsPropagateOrAreRejected() {
        ResNet net = ResNets.cifar(8, 1, 4, Shortcut.ZERO_PAD, true, DType.F32, new Generator(13));
        float[] bad = images(2, 1, 36);
        bad[7] = Float.NaN;
        float[] logits = ResNetPlan.freeze(net, 1, 6, 6).session(1).run(bad);
        assertTrue(Float.isNaN(logits[0]), java.util.Arrays.toString(logits));
        ResNetSession strict = ResNetPlan.freeze(net, 1, 6, 6, NonFinitePolicy.REJECT).session(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> strict.run(bad));
        assertTrue(e.getMessage().contains("element 7 (image 0, channel 0, row 1, column 1) is NaN"), e.getMessage());
        bad[7] = Float.NEGATIVE_INFINITY;
        e = assertThrows(IllegalArgumentException.class, () -> strict.run(bad));
        assertTrue(e.getMessage().contains("-Infinity"), e.getMessage());
    }

    @Test
    void badShapesAreNamed() {
        ResNet net = ResNets.cifar(8, 3, 4, Shortcut.ZERO_PAD, true, DType.F32, new Generator(14));
        ResNetSession s = ResNetPlan.freeze(net, 3, 8, 8).session(2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.run(new float[3 * 64]));
        assertTrue(e.getMessage().contains("expected 384 floats [2, 3, 8, 8], got 192"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ResNetPlan.freeze(net, 1, 8, 8));
        assertTrue(e.getMessage().contains("takes 3 input channels, got images [1, 8, 8]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ResNetPlan.freeze(net, 3, 0, 8));
        assertTrue(e.getMessage().contains("[3, 0, 8]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ResNetPlan.freeze(net, 3, 8, 8).session(0));
        assertTrue(e.getMessage().contains("batch must be >= 1, got 0"), e.getMessage());
        assertThrows(NullPointerException.class, () -> ResNetPlan.freeze(null, 3, 8, 8));
    }

    @Test
    void aParallelSessionGivesTheSessionsLogits() {
        int threads = dev.lanes.kernel.internal.Parallel.threads();
        try {
            dev.lanes.kernel.internal.Parallel.setThreads(2);
            ResNet net = ResNets.cifar(8, 3, 10, Shortcut.PROJECTION, true, DType.F32, new Generator(31));
            ResNetPlan plan = ResNetPlan.freeze(net, 3, 20, 18);
            float[] x = images(32, 3, 3 * 20 * 18);
            assertArrayEquals(plan.session(3).run(x).clone(), plan.parallelSession(3).run(x), 0f);
            assertThrows(IllegalArgumentException.class, () -> plan.parallelSession(0));
        } finally {
            dev.lanes.kernel.internal.Parallel.setThreads(threads);
        }
    }
}
