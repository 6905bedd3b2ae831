package dev.lanes.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.autograd.Losses;
import dev.lanes.autograd.Ops;
import dev.lanes.nn.BatchNorm2d;
import dev.lanes.nn.Dropout;
import dev.lanes.nn.Layer;
import dev.lanes.nn.Linear;
import dev.lanes.nn.models.ResNets;
import dev.lanes.nn.models.Shortcut;
import dev.lanes.optim.Optimizer;
import dev.lanes.optim.SGD;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Data-parallel training gives the bits of one process accumulating the shards' gradients in
 * order, on one, two or three ranks (TCP on loopback, one thread per rank).
 */
class DataParallelTest {

    private static final int SHARDS = 6;
    private static final int STEPS = 3;

    /** An MLP with a layer the forward pass never uses (it must keep no gradient). */
    private static final class Net extends Layer {
        private final Linear fc1;
        private final Linear fc2;

        Net() {
            Generator gen = new Generator(21);
            fc1 = registerModule("fc1", new Linear(5, 16, true, DType.F32, gen));
            fc2 = registerModule("fc2", new Linear(16, 4, true, DType.F32, gen));
            registerModule("unused", new Linear(3, 3, true, DType.F32, gen));
        }

        @Override
        public Tensor forward(Tensor x) {
            return fc2.forward(Ops.tanh(fc1.forward(x)));
        }
    }

    /** An MLP with dropout (its generator separate from the weights'). */
    private static final class DropNet extends Layer {
        private final Linear fc1;
        private final Dropout drop;
        private final Linear fc2;

        DropNet() {
            Generator gen = new Generator(22);
            fc1 = registerModule("fc1", new Linear(5, 16, true, DType.F32, gen));
            drop = registerModule("drop", new Dropout(0.3, new Generator(23)));
            fc2 = registerModule("fc2", new Linear(16, 4, true, DType.F32, gen));
        }

        @Override
        public Tensor forward(Tensor x) {
            return fc2.forward(drop.forward(Ops.tanh(fc1.forward(x))));
        }
    }

    /** The documented stream of shard k of a generator that was at {@code start} when the step began. */
    private static long stream(long start, int k) {
        long z = start + (k + 1L) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A model, and step t's shard k's examples for it. */
    private record Case(String name, Supplier<Layer> model, int[] example) {
        Tensor inputs(int step, int shard) {
            int[] dims = new int[example.length + 1];
            dims[0] = 3;
            System.arraycopy(example, 0, dims, 1, example.length);
            return Tensor.randn(new Generator(1000L * step + shard), DType.F32, dims);
        }
    }

    private static final List<Case> CASES = List.of(
            new Case("MLP", Net::new, new int[] {5}),
            new Case("MLP with dropout", DropNet::new, new int[] {5}),
            new Case("ResNet-8 A", () -> ResNets.cifar(8, 3, 4, Shortcut.ZERO_PAD, true, DType.F32, new Generator(3)),
                    new int[] {3, 8, 8}),
            new Case("ResNet-8 B", () -> ResNets.cifar(8, 3, 4, Shortcut.PROJECTION, true, DType.F32,
                    new Generator(4)), new int[] {3, 8, 8}));

    private static int[] labels(int step, int shard) {
        return new int[] {(step + shard) % 4, (step + 2 * shard) % 4, shard % 4};
    }

    /** The oracle: one process, backward() shard after shard into the gradients, scaled by 1 / shards. */
    private static List<float[]> accumulated(Case c) {
        Layer net = c.model().get();
        Optimizer opt = new SGD(net.parameters(), 0.1, 0.9);
        float[] losses = new float[STEPS];
        Generator dropout = net instanceof DropNet d ? d.drop.generator() : null;
        for (int t = 0; t < STEPS; t++) {
            opt.zeroGrad();
            float loss = 0;
            long start = dropout == null ? 0 : dropout.state();
            for (int k = 0; k < SHARDS; k++) {
                if (dropout != null) {
                    dropout.restore(stream(start, k));
                }
                Tensor l = Losses.crossEntropy(net.forward(c.inputs(t, k)), labels(t, k));
                l.backward();
                loss = k == 0 ? (float) l.item() : loss + (float) l.item();
            }
            float scale = (float) (1.0 / SHARDS);
            for (Tensor p : net.parameters()) {
                if (p.grad() != null) {
                    float[] g = p.grad().f32();
                    for (int i = 0; i < g.length; i++) {
                        g[i] *= scale;
                    }
                }
            }
            losses[t] = loss * scale;
            if (dropout != null) {
                dropout.restore(stream(start, SHARDS));
            }
            opt.step();
        }
        return state(net, losses);
    }

    /** The losses, every parameter and its gradient, every buffer. */
    private static List<float[]> state(Layer net, float[] losses) {
        List<float[]> out = new ArrayList<>();
        out.add(losses);
        for (Tensor p : net.parameters()) {
            out.add(p.toFloatArray());
            out.add(p.grad() == null ? null : p.grad().toFloatArray());
        }
        net.stateDict().values().forEach(t -> out.add(t.toFloatArray()));
        return out;
    }

    private static List<float[]> parallel(Case k, Collective c) {
        Layer net = k.model().get();
        Optimizer opt = new SGD(net.parameters(), 0.1, 0.9);
        DataParallel dp = new DataParallel(c, net, SHARDS);
        float[] losses = new float[STEPS];
        for (int t = 0; t < STEPS; t++) {
            int step = t;
            losses[t] = (float) dp.step(s -> Losses.crossEntropy(net.forward(k.inputs(step, s)), labels(step, s)));
            opt.step();
        }
        return state(net, losses);
    }

    /**
     * Batch norm included (ResNet-8 with either shortcut): running statistics and
     * {@code num_batches_tracked} end each step as the single process leaves them.
     */
    @Test
    void anyNumberOfRanksGivesTheBitsOfOneProcessAccumulatingTheShards() throws Exception {
        for (Case c : CASES) {
            List<float[]> expected = accumulated(c);
            assertSame(expected, parallel(c, new LocalCollective()), c.name() + " local");
            for (int ranks = 1; ranks <= 3; ranks++) {
                List<List<float[]>> all = TcpCollectiveTest.onRing(ranks, CollectiveOptions.of("dp-test"),
                        col -> parallel(c, col));
                for (int r = 0; r < ranks; r++) {
                    assertSame(expected, all.get(r), c.name() + " rank " + r + " of " + ranks);
                }
            }
        }
        Layer mlp = new Net();
        List<float[]> mlpState = accumulated(CASES.get(0));
        int unusedGrad = 1 + 2 * (mlp.parameters().size() - 1) + 1;
        assertNull(mlpState.get(unusedGrad), "the unused layer keeps no gradient");
        Layer resnet = CASES.get(2).model().get();
        List<float[]> resnetState = accumulated(CASES.get(2));
        int tracked = 1 + 2 * resnet.parameters().size() + List.copyOf(resnet.stateDict().keySet())
                .indexOf("bn1.num_batches_tracked");
        assertTrue(tracked > 0, resnet.stateDict().keySet().toString());
        assertEquals(STEPS * SHARDS, resnetState.get(tracked)[0], "every shard counts as a batch");
    }

    private static void assertSame(List<float[]> expected, List<float[]> got, String what) {
        assertEquals(expected.size(), got.size(), what);
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), got.get(i), what + ": value " + i);
        }
    }

    @Test
    void otherBuffersAndTooFewShardsAreRefused() {
        Layer withBuffers = new Layer() {
            {
                registerModule("bn", new BatchNorm2d(4));
                registerBuffer("steps", Tensor.zeros(DType.F32, 1));
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DataParallel(new LocalCollective(), withBuffers, 2));
        assertTrue(e.getMessage().contains("[steps]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DataParallel(new LocalCollective(), new Net(), 0));
    }
}
