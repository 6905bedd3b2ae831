package dev.lanes.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.Activation;
import dev.lanes.kernel.Kernels;
import dev.lanes.nn.GRU;
import dev.lanes.nn.LSTM;
import dev.lanes.nn.Layer;
import dev.lanes.nn.RNN;
import dev.lanes.nn.RecurrentOptions;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The sequence layers' reused work buffers: a training step on buffers left by another
 * computation of the same shapes gives the bits of a step on fresh ones (every buffer is written
 * before it is read, or zeroed where it is accumulated into), and a warm step allocates much less.
 */
class WorkspaceTest {

    @Test
    void buffersLeftByAnotherComputationChangeNothing() {
        for (DType dtype : DType.values()) {
            for (String kind : List.of("LSTM", "GRU", "GRU no bias", "RNN")) {
                Layer layer = layer(kind, dtype, 1, 5, 6);
                Tensor x = Tensor.uniform(new Generator(2), dtype, -1, 1, 7, 9, 5);
                List<double[]> cold = step(layer, x);
                // The same shapes with other values (and, for the bias-free GRU, with biases) leave
                // their contents in the pooled buffers.
                step(layer(kind.equals("GRU no bias") ? "GRU" : kind, dtype, 3, 5, 6),
                        Tensor.uniform(new Generator(4), dtype, -2, 2, 7, 9, 5));
                List<double[]> warm = step(layer, x);
                for (int i = 0; i < cold.size(); i++) {
                    assertArrayEquals(cold.get(i), warm.get(i), kind + " " + dtype + " tensor " + i);
                }
            }
        }
    }

    /**
     * On the scalar provider, which allocates nothing per operation even before the JIT has
     * compiled it (vector code boxes its vectors until C2 compiles it), so that the bytes counted
     * are the step's own.
     */
    @Test
    void aWarmLstmStepAllocatesLess() {
        try (var scope = Kernels.use(Kernels.Provider.SCALAR)) {
            int steps = 20;
            int batch = 16;
            int hidden = 64;
            Layer layer = layer("LSTM", DType.F32, 1, 16, hidden);
            Tensor x = Tensor.uniform(new Generator(2), DType.F32, -1, 1, steps, batch, 16);
            step(layer, x); // the kernels' scratch arrays grow to this size once
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long id = Thread.currentThread().threadId();
            Workspace.clear();
            long start = threads.getThreadAllocatedBytes(id);
            step(layer, x);
            long cold = threads.getThreadAllocatedBytes(id) - start;
            start = threads.getThreadAllocatedBytes(id);
            step(layer, x);
            long warm = threads.getThreadAllocatedBytes(id) - start;
            // The gates and their gradients [T, B, 4N], the cell states and their tanh [T, B, N].
            long pooled = (2L * steps * batch * 4 * hidden + 2L * steps * batch * hidden) * Float.BYTES;
            assertTrue(cold - warm >= pooled, "warm " + warm + " vs cold " + cold + " bytes, pooled " + pooled);
        }
    }

    @Test
    void takesBackWhatWasGiven() {
        Workspace.clear();
        Tensor t = Workspace.take(DType.F32, 3, 4);
        t.f32()[5] = 7f;
        Workspace.give(t);
        assertSame(t, Workspace.take(DType.F32, 3, 4));
        Workspace.give(t);
        Tensor z = Workspace.takeZeroed(DType.F32, 3, 4);
        assertSame(t, z);
        assertEquals(0f, z.f32()[5]);
        assertNotSame(t, Workspace.take(DType.F32, 3, 4), "the pool was empty");
        assertNotSame(t, Workspace.take(DType.F64, 3, 4));
    }

    @Test
    void keepsNoTensorOfAGraphAndAFewPerShape() {
        Workspace.clear();
        Tensor param = Tensor.zeros(DType.F32, 2, 2).requiresGrad(true);
        Workspace.give(param);
        assertNotSame(param, Workspace.take(DType.F32, 2, 2));
        List<Tensor> given = new ArrayList<>();
        for (int i = 0; i < Workspace.PER_SHAPE + 2; i++) {
            given.add(Tensor.zeros(DType.F32, 5, 5));
        }
        given.forEach(Workspace::give);
        List<Tensor> back = new ArrayList<>();
        for (int i = 0; i < Workspace.PER_SHAPE + 2; i++) {
            back.add(Workspace.take(DType.F32, 5, 5));
        }
        assertEquals(Workspace.PER_SHAPE, back.stream().filter(t -> given.stream().anyMatch(g -> g == t)).count());
    }

    @Test
    void aBufferGivenTwiceIsTakenOnce() {
        Workspace.clear();
        Tensor t = Tensor.zeros(DType.F64, 4, 3);
        Workspace.give(t);
        Workspace.give(t);
        assertSame(t, Workspace.take(DType.F64, 4, 3));
        assertNotSame(t, Workspace.take(DType.F64, 4, 3));
    }

    private static Layer layer(String kind, DType dtype, long seed, int in, int hidden) {
        RecurrentOptions o = RecurrentOptions.of(in, hidden).withDType(dtype).withBias(!kind.equals("GRU no bias"));
        Generator gen = new Generator(seed);
        return switch (kind) {
            case "LSTM" -> new LSTM(o, gen);
            case "RNN" -> new RNN(o, Activation.TANH, gen);
            default -> new GRU(o, gen);
        };
    }

    /** One forward and backward: the output, then every parameter's gradient, as doubles. */
    private static List<double[]> step(Layer layer, Tensor x) {
        layer.zeroGrad();
        SequenceOutput r = switch (layer) {
            case LSTM l -> l.forward(x, null, null);
            case GRU g -> g.forward(x, null);
            case RNN n -> n.forward(x, null);
            default -> throw new IllegalArgumentException();
        };
        Tensor loss = Ops.add(Ops.sum(Ops.mul(r.output(), r.output())), Ops.sum(r.hN()));
        if (r.cN() != null) {
            loss = Ops.add(loss, Ops.sum(r.cN()));
        }
        loss.backward();
        List<double[]> out = new ArrayList<>();
        out.add(r.output().toDoubleArray());
        for (Tensor p : layer.parameters()) {
            out.add(p.grad().toDoubleArray());
        }
        return out;
    }
}
