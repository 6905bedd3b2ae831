package dev.lanes.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.autograd.NoGrad;
import dev.lanes.nn.AdaptiveAvgPool2d;
import dev.lanes.nn.AvgPool2d;
import dev.lanes.nn.BatchNorm2d;
import dev.lanes.nn.Conv2d;
import dev.lanes.nn.Flatten;
import dev.lanes.nn.Layer;
import dev.lanes.nn.Linear;
import dev.lanes.nn.MaxPool2d;
import dev.lanes.nn.ReLU;
import dev.lanes.nn.Sequential;
import dev.lanes.nn.models.ResNet;
import dev.lanes.nn.models.ResNets;
import dev.lanes.nn.models.Shortcut;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Captured convolutional networks on NCHW tensors (a user's small CNN built from layers):
 * convolutions with padding, stride, groups and bias, batch norm in eval mode, max, average and
 * adaptive pooling; the eager F32 outputs bit for bit and the F64 module's within float rounding;
 * F64 modules; batch norm without running statistics refused.
 */
class CnnCaptureTest {

    static Layer smallCnn(DType dtype, Generator gen) {
        return new Sequential(
                new Conv2d(3, 8, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1, true, dtype,
                        gen),
                new BatchNorm2d(8, dtype), new ReLU(), new MaxPool2d(2),
                new Conv2d(8, 12, new int[] {3, 2}, new int[] {2, 1}, new int[] {0, 1}, new int[] {1, 2}, 4, false, dtype,
                        gen),
                new BatchNorm2d(12, dtype), new ReLU(),
                new AvgPool2d(new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 0}, true, false),
                new AdaptiveAvgPool2d(2, 3), new Flatten(1, -1), new Linear(12 * 6, 5, true, dtype, gen));
    }

    @Test
    void aCapturedCnnGivesTheEagerOutputs() {
        Layer cnn = smallCnn(DType.F32, new Generator(3));
        ResNetPlanTest.randomiseBatchNorms(cnn, new SplittableRandom(4));
        int n = 5;
        float[] x = PlanCaptureTest.values(9, n * 3 * 14 * 13);
        float[] got = Plan.capture(cnn, Tensor.of(x, n, 3, 14, 13)).session().run(x).clone();
        cnn.eval();
        float[] eager;
        try (NoGrad ng = NoGrad.enter()) {
            eager = cnn.forward(Tensor.of(x, n, 3, 14, 13)).toFloatArray();
        }
        assertArrayEquals(eager, got, "the eager F32 outputs");
        PlanCaptureTest.assertClose(PlanCaptureTest.evalF64(cnn, x, n, 3, 14, 13), got, "small CNN");
    }

    @Test
    void anF64CnnIsCapturedInF32() {
        Layer cnn = smallCnn(DType.F64, new Generator(5));
        ResNetPlanTest.randomiseBatchNorms(cnn, new SplittableRandom(6));
        float[] x = PlanCaptureTest.values(2, 2 * 3 * 11 * 12);
        double[] xd = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            xd[i] = x[i];
        }
        float[] got = Plan.capture(cnn, Tensor.of(xd, 2, 3, 11, 12)).session().run(x).clone();
        PlanCaptureTest.assertClose(PlanCaptureTest.evalF64(cnn, x, 2, 3, 11, 12), got, "F64 CNN");
    }

    @Test
    void anF64ResNetIsFrozenInF32() {
        ResNet net = ResNets.cifar(8, 2, 6, Shortcut.ZERO_PAD, true, DType.F64, new Generator(7));
        ResNetPlanTest.randomiseBatchNorms(net, new SplittableRandom(8));
        float[] x = ResNetPlanTest.images(3, 2, 2 * 10 * 9);
        float[] got = ResNetPlan.freeze(net, 2, 10, 9).session(2).run(x).clone();
        PlanCaptureTest.assertClose(PlanCaptureTest.evalF64(net, x, 2, 2, 10, 9), got, "F64 ResNet-8");
    }

    @Test
    void batchNormWithoutRunningStatisticsIsRefused() {
        Layer m = new Sequential(new Conv2d(1, 4, 3, 1, 1, false, new Generator(1)),
                new BatchNorm2d(4, 1e-5, 0.1, true, false, DType.F32));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Plan.capture(m, Tensor.zeros(DType.F32, 2, 1, 5, 5)));
        assertTrue(e.getMessage().contains("in BatchNorm2d at '1'"), e.getMessage());
        assertTrue(e.getMessage().contains("normalises by batch statistics"), e.getMessage());
    }
}
