package dev.lanes.nn.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.autograd.Losses;
import dev.lanes.kernel.Kernels;
import dev.lanes.kernel.internal.Parallel;
import dev.lanes.optim.SGD;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A residual network trained on channel-blocked activations ({@link ResNet#forward}) ends with
 * the bits of the same network trained layer by layer on planes ({@link ResNet#forwardOnPlanes}):
 * losses, parameters, running statistics and {@code num_batches_tracked} after three SGD steps,
 * then the evaluation-mode logits; for option A and B shortcuts, a plain net and an
 * ImageNet-style bottleneck net, on both providers and on 1 and 3 threads.
 */
class ChannelBlockedForwardTest {

    private static List<float[]> train(Function<Generator, ResNet> maker, int channels, int size, boolean blocked) {
        ResNet net = maker.apply(new Generator(31));
        SGD opt = new SGD(net.parameters(), 0.05, 0.9);
        Tensor images = Tensor.randn(new Generator(32), DType.F32, 10, channels, size, size);
        int[] labels = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        List<float[]> out = new ArrayList<>();
        for (int step = 0; step < 3; step++) {
            opt.zeroGrad();
            Tensor logits = blocked ? net.forward(images) : net.forwardOnPlanes(images);
            Tensor loss = Losses.crossEntropy(logits, labels);
            loss.backward();
            opt.step();
            out.add(loss.toFloatArray());
        }
        for (Map.Entry<String, Tensor> e : net.stateDict().entrySet()) {
            out.add(e.getValue().toFloatArray());
        }
        net.eval();
        out.add((blocked ? net.forward(images) : net.forwardOnPlanes(images)).toFloatArray());
        return out;
    }

    private static void assertSameBits(Function<Generator, ResNet> maker, int channels, int size, String what) {
        for (Kernels.Provider provider : new Kernels.Provider[] {Kernels.Provider.VECTOR, Kernels.Provider.SCALAR}) {
            for (int threads : new int[] {1, 3}) {
                int before = Parallel.threads();
                try (Kernels.Scope s = Kernels.use(provider)) {
                    Parallel.setThreads(threads);
                    List<float[]> planes = train(maker, channels, size, false);
                    List<float[]> blocked = train(maker, channels, size, true);
                    assertEquals(planes.size(), blocked.size());
                    for (int i = 0; i < planes.size(); i++) {
                        assertArrayEquals(planes.get(i), blocked.get(i), 0f,
                                what + ", " + provider + ", " + threads + " threads, result " + i);
                    }
                } finally {
                    Parallel.setThreads(before);
                }
            }
        }
    }

    @Test
    void blockedTrainingGivesTheBitsOfTrainingOnPlanes() {
        assertSameBits(gen -> ResNets.cifar(8, 1, 10, Shortcut.ZERO_PAD, true, DType.F32, gen), 1, 24,
                "ResNet-8, option A");
        assertSameBits(gen -> ResNets.cifar(8, 3, 10, Shortcut.PROJECTION, true, DType.F32, gen), 3, 9,
                "ResNet-8, option B");
        assertSameBits(gen -> ResNets.cifar(8, 3, 10, Shortcut.ZERO_PAD, false, DType.F32, gen), 3, 8, "Plain-8");
        // ImageNet-style: a strided 7x7 stem, max pooling, bottlenecks with strided projections.
        assertSameBits(gen -> ResNets.imagenet(new int[] {1, 1, 1, 1}, true, 3, 10, DType.F32, gen), 3, 20,
                "bottleneck [1, 1, 1, 1]");
    }

    @Test
    void networksOutsideTheBlockedOperationsRunOnPlanes() {
        Generator gen = new Generator(1);
        ResNet cifar = ResNets.cifar(8, 3, 10, Shortcut.ZERO_PAD, true, DType.F32, gen);
        assertTrue(ChannelBlockedForward.supports(cifar, Tensor.zeros(DType.F32, 2, 3, 8, 8)));
        assertFalse(ChannelBlockedForward.supports(cifar, Tensor.zeros(DType.F64, 2, 3, 8, 8)));
        ResNet withPooling = ResNets.imagenet(new int[] {1, 1, 1, 1}, false, 3, 10, DType.F32, gen);
        assertTrue(ChannelBlockedForward.supports(withPooling, Tensor.zeros(DType.F32, 2, 3, 32, 32)));
        assertFalse(ChannelBlockedForward.supports(withPooling, Tensor.zeros(DType.F32, 2, 3, 32)));
    }
}
