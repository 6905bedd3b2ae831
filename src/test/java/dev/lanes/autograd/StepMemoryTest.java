package dev.lanes.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.Kernels;
import dev.lanes.nn.LSTM;
import dev.lanes.nn.Layer;
import dev.lanes.nn.Linear;
import dev.lanes.nn.RecurrentOptions;
import dev.lanes.nn.models.ResNets;
import dev.lanes.nn.models.Shortcut;
import dev.lanes.optim.Adam;
import dev.lanes.optim.Optimizer;
import dev.lanes.optim.SGD;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Training steps on reused storage: the same bits as steps on fresh storage, tensors that end
 * with their step, the storage of one step serving the next, and a warm step that allocates a
 * small fraction of a step without the memory.
 */
class StepMemoryTest {

    private static final int[] LABELS = {3, 1, 4, 1, 5, 9};

    /**
     * A ResNet-8 (option A and B shortcuts), an ImageNet-style ResNet (stem, max pool) and an LSTM
     * with a linear head, each on one thread and on three.
     */
    @Test
    void stepsGiveTheBitsOfStepsOnFreshStorage() {
        int threads = Kernels.threads();
        try {
            for (int t : new int[] {1, 3}) {
                Kernels.setThreads(t);
                for (Shortcut shortcut : Shortcut.values()) {
                    assertSameTraining("ResNet-8 " + shortcut + " threads " + t,
                            () -> ResNets.cifar(8, 3, 10, shortcut, true, DType.F32, new Generator(5)),
                            Tensor.randn(new Generator(6), DType.F32, 6, 3, 10, 10), (m, x) -> m.forward(x));
                }
                // Max pooling saves its positions in the step's storage.
                assertSameTraining("ImageNet-style ResNet threads " + t,
                        () -> ResNets.imagenet(new int[] {1, 1, 1, 1}, false, 3, 10, DType.F32, new Generator(9)),
                        Tensor.randn(new Generator(10), DType.F32, 6, 3, 32, 32), (m, x) -> m.forward(x));
                assertSameTraining("LSTM threads " + t, () -> new LstmClassifier(new Generator(7)),
                        Tensor.randn(new Generator(8), DType.F32, 5, 6, 4), (m, x) -> m.forward(x));
            }
        } finally {
            Kernels.setThreads(threads);
        }
    }

    private interface Forward {
        Tensor apply(Layer model, Tensor x);
    }

    private static void assertSameTraining(String what, java.util.function.Supplier<Layer> make, Tensor x,
                                           Forward forward) {
        List<double[]> fresh = train(make.get(), x, forward, null);
        List<double[]> reused = train(make.get(), x, forward, new StepMemory());
        assertEquals(fresh.size(), reused.size());
        for (int i = 0; i < fresh.size(); i++) {
            assertArrayEquals(fresh.get(i), reused.get(i), what + ": value " + i);
        }
    }

    /** Four Adam steps; returns the losses, then every parameter and buffer. */
    private static List<double[]> train(Layer model, Tensor x, Forward forward, StepMemory memory) {
        Optimizer opt = new Adam(model.parameters(), 1e-2);
        double[] losses = new double[4];
        for (int i = 0; i < losses.length; i++) {
            StepMemory.Step step = memory == null ? null : memory.step();
            try {
                opt.zeroGrad();
                Tensor loss = Losses.crossEntropy(forward.apply(model, x), LABELS);
                loss.backward();
                opt.step();
                losses[i] = loss.item();
            } finally {
                if (step != null) {
                    step.close();
                }
            }
        }
        List<double[]> out = new ArrayList<>();
        out.add(losses);
        model.stateDict().values().forEach(t -> out.add(t.toDoubleArray()));
        return out;
    }

    /** An LSTM over [T, B, 4] and a linear layer on its last hidden state. */
    private static final class LstmClassifier extends Layer {
        private final LSTM lstm;
        private final Linear head;

        LstmClassifier(Generator gen) {
            lstm = registerModule("lstm", new LSTM(RecurrentOptions.of(4, 8), gen));
            head = registerModule("head", new Linear(8, 10, true, DType.F32, gen));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor hN = lstm.forward(x, null, null).hN();
            return head.forward(Ops.reshape(hN, hN.size(1), hN.size(2)));
        }
    }

    @Test
    void tensorsEndWithTheirStep() {
        StepMemory memory = new StepMemory();
        Tensor w = Tensor.randn(new Generator(1), DType.F32, 3, 4).requiresGrad(true);
        Tensor x = Tensor.randn(new Generator(2), DType.F32, 2, 3);
        Tensor y;
        Tensor view;
        Tensor detached;
        Tensor kept;
        Tensor made;
        try (StepMemory.Step step = memory.step()) {
            y = Ops.tanh(Ops.matmul(x, w));
            view = y.view(8);
            detached = y.detach();
            kept = y.copy();
            made = Tensor.zeros(DType.F32, 2);
            Ops.sum(y).backward();
            assertTrue(w.grad().allFinite());
        }
        for (Tensor ended : List.of(y, view, detached, w.grad())) {
            IllegalStateException e = assertThrows(IllegalStateException.class, ended::f32);
            assertTrue(e.getMessage().contains("StepMemory"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> ended.getFlat(0));
            assertThrows(IllegalStateException.class, () -> ended.setFlat(0, 1));
            assertThrows(IllegalStateException.class, ended::copy);
            assertThrows(IllegalStateException.class, ended::toDoubleArray);
            assertThrows(IllegalStateException.class, () -> ended.view(-1));
        }
        assertEquals(8, kept.toFloatArray().length);
        assertEquals(0.0, made.getFlat(1));
        assertEquals(12, w.toFloatArray().length);
        // A gradient left in an ended step cannot be accumulated into: the step's storage is gone.
        w.requiresGrad(true);
        assertThrows(IllegalStateException.class, () -> Ops.sum(Ops.matmul(x, w)).backward());
        w.zeroGrad();
        Ops.sum(Ops.matmul(x, w)).backward();
        assertEquals(12, w.grad().toFloatArray().length);
    }

    @Test
    void aStepReusesTheStorageOfTheLastAndNeverSharesItWithinAStep() {
        StepMemory memory = new StepMemory();
        Tensor x = Tensor.randn(new Generator(3), DType.F32, 4, 5);
        float[][] first = new float[2][];
        try (StepMemory.Step step = memory.step()) {
            Tensor a = Ops.relu(x);
            Tensor b = Ops.relu(x);
            first[0] = a.f32();
            first[1] = b.f32();
            assertNotSame(first[0], first[1]);
            assertEquals(a.getFlat(3), b.getFlat(3));
        }
        assertEquals(2L * 20 * Float.BYTES, memory.bytes());
        try (StepMemory.Step step = memory.step()) {
            Tensor a = Ops.relu(x);
            Tensor b = Ops.relu(x);
            Tensor c = Ops.relu(x);
            assertTrue(a.f32() == first[0] || a.f32() == first[1]);
            assertTrue(b.f32() == first[0] || b.f32() == first[1]);
            assertNotSame(a.f32(), b.f32());
            assertTrue(c.f32() != first[0] && c.f32() != first[1]);
            float[] expected = x.toFloatArray();
            for (int i = 0; i < expected.length; i++) {
                expected[i] = Math.max(expected[i], 0f);
            }
            assertArrayEquals(expected, c.f32());
            assertArrayEquals(expected, a.f32());
        }
        assertEquals(3L * 20 * Float.BYTES, memory.bytes());
        // A step that asks for less drops what it did not take.
        try (StepMemory.Step step = memory.step()) {
            Ops.relu(x);
        }
        assertEquals(20L * Float.BYTES, memory.bytes());
        memory.clear();
        assertEquals(0, memory.bytes());
    }

    @Test
    void stepsDoNotNestOrCrossThreads() throws InterruptedException, ExecutionException {
        StepMemory memory = new StepMemory();
        StepMemory other = new StepMemory();
        StepMemory.Step step = memory.step();
        IllegalStateException nested = assertThrows(IllegalStateException.class, memory::step);
        assertTrue(nested.getMessage().contains("already open"), nested.getMessage());
        IllegalStateException second = assertThrows(IllegalStateException.class, other::step);
        assertTrue(second.getMessage().contains("another step memory"), second.getMessage());
        step.close();
        step.close();
        Throwable elsewhere = CompletableFuture.supplyAsync(() -> {
            try {
                memory.step();
                return null;
            } catch (IllegalStateException e) {
                return e;
            }
        }).get();
        assertTrue(elsewhere instanceof IllegalStateException && elsewhere.getMessage().contains("belongs to thread"),
                String.valueOf(elsewhere));
        // Outside a step, and on other threads, operations allocate on the heap as before.
        Tensor y = Ops.relu(Tensor.ones(DType.F32, 3));
        try (StepMemory.Step again = memory.step()) {
            assertEquals(1.0, y.getFlat(0));
        }
        assertEquals(1.0, y.getFlat(2));
    }

    /**
     * The budget for a steady-state ResNet-20 training step: at most 64 KB on the heap
     * (graph nodes, tensor headers, the backward pass's bookkeeping), on the scalar provider for
     * the reason below, one thread; the least of three steps, so that a one-off growth of a
     * cache does not count.
     */
    @Test
    void aWarmResNet20StepAllocatesAtMost64Kilobytes() {
        int threads = Kernels.threads();
        try (var scope = Kernels.use(Kernels.Provider.SCALAR)) {
            Kernels.setThreads(1);
            Layer model = ResNets.resnet20(1, 10, new Generator(5));
            Tensor x = Tensor.randn(new Generator(6), DType.F32, 2, 1, 28, 28);
            int[] labels = {3, 7};
            Optimizer opt = new SGD(model.parameters(), 0.01, 0.9);
            StepMemory memory = new StepMemory();
            var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long id = Thread.currentThread().threadId();
            long least = Long.MAX_VALUE;
            for (int i = 0; i < 6; i++) {
                long start = bean.getThreadAllocatedBytes(id);
                try (StepMemory.Step step = memory.step()) {
                    opt.zeroGrad();
                    Losses.crossEntropy(model.forward(x), labels).backward();
                    opt.step();
                }
                long bytes = bean.getThreadAllocatedBytes(id) - start;
                if (i >= 3) {
                    least = Math.min(least, bytes);
                }
            }
            assertTrue(least <= 64 * 1024, "a warm ResNet-20 step allocated " + least + " bytes");
        } finally {
            Kernels.setThreads(threads);
        }
    }

    /**
     * On the scalar provider, whose kernels allocate nothing per call even before the JIT has
     * compiled them, so that the bytes counted are the step's own: a warm step in a memory
     * allocates under a tenth of the same step without one.
     */
    @Test
    void aWarmStepAllocatesAFractionOfAStepWithoutMemory() {
        int threads = Kernels.threads();
        try (var scope = Kernels.use(Kernels.Provider.SCALAR)) {
            Kernels.setThreads(1);
            Layer model = ResNets.cifar(8, 3, 10, Shortcut.ZERO_PAD, true, DType.F32, new Generator(5));
            Tensor x = Tensor.randn(new Generator(6), DType.F32, 6, 3, 16, 16);
            Optimizer opt = new SGD(model.parameters(), 0.01, 0.9);
            StepMemory memory = new StepMemory();
            Function<StepMemory, Long> step = m -> {
                var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
                long id = Thread.currentThread().threadId();
                long start = bean.getThreadAllocatedBytes(id);
                StepMemory.Step s = m == null ? null : m.step();
                opt.zeroGrad();
                Losses.crossEntropy(model.forward(x), LABELS).backward();
                opt.step();
                if (s != null) {
                    s.close();
                }
                return bean.getThreadAllocatedBytes(id) - start;
            };
            for (int i = 0; i < 3; i++) {
                step.apply(null);
                step.apply(memory);
            }
            long without = step.apply(null);
            long with = step.apply(memory);
            assertTrue(with * 10 < without, "with memory " + with + " bytes, without " + without);
            assertTrue(memory.bytes() > without / 2, "held " + memory.bytes() + " bytes, a step without memory "
                    + without);
        } finally {
            Kernels.setThreads(threads);
        }
    }
}
