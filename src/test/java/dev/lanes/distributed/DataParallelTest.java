package dev.lanes.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.autograd.Losses;
import dev.lanes.autograd.Ops;
import dev.lanes.nn.BatchNorm2d;
import dev.lanes.nn.Layer;
import dev.lanes.nn.Linear;
import dev.lanes.optim.Optimizer;
import dev.lanes.optim.SGD;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
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

    /** Step t's shard k: three examples. */
    private static Tensor inputs(int step, int shard) {
        return Tensor.randn(new Generator(1000L * step + shard), DType.F32, 3, 5);
    }

    private static int[] labels(int step, int shard) {
        return new int[] {(step + shard) % 4, (step + 2 * shard) % 4, shard % 4};
    }

    /** The oracle: one process, backward() shard after shard into the gradients, scaled by 1 / shards. */
    private static List<float[]> accumulated() {
        Net net = new Net();
        Optimizer opt = new SGD(net.parameters(), 0.1, 0.9);
        float[] losses = new float[STEPS];
        for (int t = 0; t < STEPS; t++) {
            opt.zeroGrad();
            float loss = 0;
            for (int k = 0; k < SHARDS; k++) {
                Tensor l = Losses.crossEntropy(net.forward(inputs(t, k)), labels(t, k));
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
            opt.step();
        }
        return state(net, losses);
    }

    private static List<float[]> state(Net net, float[] losses) {
        List<float[]> out = new ArrayList<>();
        out.add(losses);
        for (Tensor p : net.parameters()) {
            out.add(p.toFloatArray());
            out.add(p.grad() == null ? null : p.grad().toFloatArray());
        }
        return out;
    }

    private static List<float[]> parallel(Collective c) {
        Net net = new Net();
        Optimizer opt = new SGD(net.parameters(), 0.1, 0.9);
        DataParallel dp = new DataParallel(c, net, SHARDS);
        float[] losses = new float[STEPS];
        for (int t = 0; t < STEPS; t++) {
            int step = t;
            losses[t] = (float) dp.step(k -> Losses.crossEntropy(net.forward(inputs(step, k)), labels(step, k)));
            opt.step();
        }
        return state(net, losses);
    }

    @Test
    void anyNumberOfRanksGivesTheBitsOfOneProcessAccumulatingTheShards() throws Exception {
        List<float[]> expected = accumulated();
        assertNull(expected.get(expected.size() - 1), "the unused layer keeps no gradient");
        assertEquals(expected.size(), parallel(new LocalCollective()).size());
        assertSame(expected, parallel(new LocalCollective()), "local");
        for (int ranks = 1; ranks <= 3; ranks++) {
            List<List<float[]>> all = TcpCollectiveTest.onRing(ranks, CollectiveOptions.of("dp-test"),
                    DataParallelTest::parallel);
            for (int r = 0; r < ranks; r++) {
                assertSame(expected, all.get(r), "rank " + r + " of " + ranks);
            }
        }
    }

    private static void assertSame(List<float[]> expected, List<float[]> got, String what) {
        assertEquals(expected.size(), got.size(), what);
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), got.get(i), what + ": value " + i);
        }
    }

    @Test
    void modelsWithBuffersAndTooFewShardsAreRefused() {
        Layer withBuffers = new Layer() {
            {
                registerModule("bn", new BatchNorm2d(4));
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DataParallel(new LocalCollective(), withBuffers, 2));
        assertTrue(e.getMessage().contains("running_mean"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DataParallel(new LocalCollective(), new Net(), 0));
    }
}
