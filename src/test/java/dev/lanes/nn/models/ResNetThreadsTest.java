package dev.lanes.nn.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.lanes.autograd.Losses;
import dev.lanes.kernel.internal.Parallel;
import dev.lanes.nn.Parameter;
import dev.lanes.optim.SGD;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Whole F32 training steps of residual networks give the same bits on 1, 2 and 3 threads:
 * parameters, batch-norm running statistics and the loss after three SGD steps, for a CIFAR
 * ResNet-8 with each shortcut option and an ImageNet-style bottleneck net (max pooling, strided
 * projections). The batch of 10 does not divide evenly into the image ranges.
 */
class ResNetThreadsTest {

    private static List<float[]> train(int threads, ResNetMaker maker, int channels, int size) {
        int before = Parallel.threads();
        try {
            Parallel.setThreads(threads);
            Generator gen = new Generator(21);
            ResNet net = maker.make(gen);
            SGD opt = new SGD(net.parameters(), 0.05, 0.9);
            Tensor images = Tensor.randn(new Generator(22), DType.F32, 10, channels, size, size);
            int[] labels = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
            List<float[]> out = new ArrayList<>();
            for (int step = 0; step < 3; step++) {
                opt.zeroGrad();
                Tensor loss = Losses.crossEntropy(net.forward(images), labels);
                loss.backward();
                opt.step();
                out.add(loss.toFloatArray());
            }
            for (Map.Entry<String, Tensor> e : net.stateDict().entrySet()) {
                out.add(e.getValue().toFloatArray());
            }
            return out;
        } finally {
            Parallel.setThreads(before);
        }
    }

    private interface ResNetMaker {
        ResNet make(Generator gen);
    }

    private static void assertSameForThreads(ResNetMaker maker, int channels, int size, String what) {
        List<float[]> one = train(1, maker, channels, size);
        for (int threads = 2; threads <= 3; threads++) {
            List<float[]> many = train(threads, maker, channels, size);
            for (int i = 0; i < one.size(); i++) {
                assertArrayEquals(one.get(i), many.get(i), 0f, what + ", " + threads + " threads, result " + i);
            }
        }
    }

    @Test
    void cifarResNetsTrainToTheSameBitsOnAnyThreadCount() {
        assertSameForThreads(gen -> ResNets.cifar(8, 1, 10, Shortcut.ZERO_PAD, true, DType.F32, gen), 1, 12,
                "ResNet-8, option A");
        assertSameForThreads(gen -> ResNets.cifar(8, 3, 10, Shortcut.PROJECTION, true, DType.F32, gen), 3, 9,
                "ResNet-8, option B");
    }

    @Test
    void aBottleneckNetTrainsToTheSameBitsOnAnyThreadCount() {
        assertSameForThreads(gen -> ResNets.imagenet(new int[] {1, 1, 1, 1}, true, 3, 10, DType.F32, gen), 3, 20,
                "bottleneck [1, 1, 1, 1]");
    }
}
