package dev.lanes.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.Allocations;
import dev.lanes.autograd.NoGrad;
import dev.lanes.nn.models.ResNet;
import dev.lanes.nn.models.ResNets;
import dev.lanes.nn.models.Shortcut;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Captured residual networks run the eager channel-blocked forward's kernels on the plan's arena:
 * the eager F32 eval logits bit for bit (batches of five or more, where the head's packed GEMM is
 * the eager one), and the F64 module's within float rounding; every block and shortcut kind, the
 * ImageNet stem with max pooling, no allocation.
 */
class ResNetCaptureTest {

    private static void assertCaptureMatches(String what, Supplier<ResNet> build, int n, int c, int h, int w) {
        ResNet net = build.get();
        ResNetPlanTest.randomiseBatchNorms(net, new SplittableRandom(11));
        float[] x = ResNetPlanTest.images(5, n, c * h * w);
        Plan plan = Plan.capture(net, Tensor.of(x, n, c, h, w));
        float[] got = plan.session().run(x).clone();
        net.eval();
        float[] eager;
        try (NoGrad ng = NoGrad.enter()) {
            eager = net.forward(Tensor.of(x, n, c, h, w)).toFloatArray();
        }
        assertArrayEquals(eager, got, what + ": the eager F32 logits");
        double[] expected = ResNetPlanTest.evalLogits(build, net, x, n, c, h, w);
        PlanCaptureTest.assertClose(expected, got, what);
        assertTrue(plan.arenaSize() < 4 * plan.inputShape(0).numel() * 16, what + ": arena " + plan.arenaSize());
    }

    @Test
    void capturedResNetsGiveTheEagerLogits() {
        assertCaptureMatches("ResNet-8 option A", () -> ResNets.cifar(8, 3, 10, Shortcut.ZERO_PAD, true, DType.F32,
                new Generator(1)), 5, 3, 17, 15);
        assertCaptureMatches("ResNet-8 option B", () -> ResNets.cifar(8, 1, 7, Shortcut.PROJECTION, true, DType.F32,
                new Generator(2)), 6, 1, 12, 12);
        assertCaptureMatches("Plain-8", () -> ResNets.cifar(8, 2, 5, Shortcut.ZERO_PAD, false, DType.F32,
                new Generator(3)), 5, 2, 9, 11);
        assertCaptureMatches("ImageNet-style, basic blocks", () -> ResNets.imagenet(new int[] {1, 1, 1, 1}, false, 3,
                6, DType.F32, new Generator(4)), 5, 3, 32, 29);
        assertCaptureMatches("ImageNet-style, bottlenecks", () -> ResNets.imagenet(new int[] {1, 1, 1, 1}, true, 2,
                4, DType.F32, new Generator(5)), 5, 2, 33, 32);
    }

    @Test
    void aCapturedResNetCallAllocatesNothing() {
        ResNet net = ResNets.cifar(8, 1, 10, Shortcut.ZERO_PAD, true, DType.F32, new Generator(6));
        float[] x = ResNetPlanTest.images(2, 1, 28 * 28);
        PlanSession s = Plan.capture(net, Tensor.of(x, 1, 1, 28, 28)).session();
        assertEquals(0, Allocations.settledBytes(() -> s.run(x), 5000, 100, 30), "bytes allocated by 100 images");
    }
}
