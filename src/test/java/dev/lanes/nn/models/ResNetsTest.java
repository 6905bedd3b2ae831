package dev.lanes.nn.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.autograd.GradCheck;
import dev.lanes.autograd.Ops;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ResNet builders: published parameter counts, torchvision's state-dict names, shapes, shortcuts, gradients. */
class ResNetsTest {

    @Test
    void parameterCountsMatchThePublishedOnes() {
        Generator gen = new Generator(1);
        // torchvision (1000 classes): resnet18 11,689,512; resnet34 21,797,672; resnet50 25,557,032.
        assertEquals(11_689_512L, ResNets.resnet18(1000, gen).parameterCount());
        assertEquals(21_797_672L, ResNets.resnet34(1000, gen).parameterCount());
        assertEquals(25_557_032L, ResNets.resnet50(1000, gen).parameterCount());
        // He et al.'s CIFAR ResNet-20 with option A: 0.27M (269,722 with 10 classes).
        assertEquals(269_722L, ResNets.resnet20(3, 10, gen).parameterCount());
        assertEquals(ResNets.resnet20(3, 10, gen).parameterCount(),
                ResNets.cifar(20, 3, 10, Shortcut.ZERO_PAD, false, DType.F32, gen).parameterCount());
    }

    @Test
    void stateDictNamesAreTorchvisions() {
        Map<String, Tensor> sd = ResNets.resnet18(10, new Generator(2)).stateDict();
        for (String k : new String[] {"conv1.weight", "bn1.running_mean", "layer1.0.conv1.weight",
                "layer2.0.downsample.0.weight", "layer2.0.downsample.1.running_var", "layer4.1.bn2.bias",
                "fc.weight", "fc.bias"}) {
            assertTrue(sd.containsKey(k), k + " in " + sd.keySet());
        }
        Map<String, Tensor> cifarB = ResNets.cifar(20, 1, 10, Shortcut.PROJECTION, true, DType.F32, new Generator(3))
                .stateDict();
        assertTrue(cifarB.containsKey("layer2.0.downsample.0.weight"));
        Map<String, Tensor> cifarA = ResNets.resnet20(1, 10, new Generator(3)).stateDict();
        assertFalse(cifarA.keySet().stream().anyMatch(k -> k.contains("downsample")), cifarA.keySet().toString());
    }

    @Test
    void cifarNetsTakeAnyImageSize() {
        for (int[] shape : new int[][] {{2, 3, 32, 32}, {2, 1, 28, 28}}) {
            ResNet net = ResNets.cifar(20, shape[1], 10, Shortcut.ZERO_PAD, true, DType.F32, new Generator(4));
            Tensor y = net.forward(Tensor.randn(new Generator(5), DType.F32, shape));
            assertArrayEquals(new int[] {2, 10}, y.dims());
        }
        assertThrows(IllegalArgumentException.class,
                () -> ResNets.cifar(21, 3, 10, Shortcut.ZERO_PAD, true, DType.F32, new Generator(1)));
    }

    @Test
    void zeroPadShortcutSubsamplesAndPadsChannels() {
        Tensor x = Tensor.arange(DType.F64, 2 * 4 * 4).view(1, 2, 4, 4);
        Tensor y = new ZeroPadShortcut(2, 6, 2).forward(x);
        assertArrayEquals(new int[] {1, 6, 2, 2}, y.dims());
        // Channels 0-1 and 4-5 are zeros; channel 2 is x[0, 0, ::2, ::2].
        assertArrayEquals(new double[] {0, 2, 8, 10}, Ops.reshape(Ops.narrow(y, 1, 2, 1), 4).toDoubleArray(), 0);
        assertEquals(0, Ops.sum(Ops.narrow(y, 1, 0, 2)).item(), 0);
        assertEquals(0, Ops.sum(Ops.narrow(y, 1, 4, 2)).item(), 0);
    }

    @Test
    void blocksPassGradCheck() {
        for (Shortcut s : Shortcut.values()) {
            for (boolean bottleneck : new boolean[] {false, true}) {
                Generator gen = new Generator(6);
                dev.lanes.nn.Layer block = bottleneck ? new Bottleneck(4, 2, 2, s, true, DType.F64, gen)
                        : new BasicBlock(2, 4, 2, s, true, DType.F64, gen);
                Tensor x = Tensor.randn(gen, DType.F64, 2, bottleneck ? 4 : 2, 5, 5).requiresGrad(true);
                java.util.List<Tensor> params = block.parameters();
                Tensor[] inputs = new Tensor[params.size() + 1];
                inputs[0] = x;
                for (int i = 0; i < params.size(); i++) {
                    inputs[i + 1] = params.get(i);
                }
                assertEquals(null, GradCheck.check(t -> block.forward(t[0]), inputs), s + " bottleneck=" + bottleneck);
            }
        }
    }
}
