package dev.lanes.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.Allocations;
import dev.lanes.Contention;
import dev.lanes.kernel.Activation;
import dev.lanes.nn.LSTMCell;
import dev.lanes.nn.RNNCell;
import dev.lanes.nn.models.ResNet;
import dev.lanes.nn.models.ResNets;
import dev.lanes.nn.models.Shortcut;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * One session used by several threads: at once it refuses the later caller and never returns a
 * mixed-up result; one thread after another (a pool handing it on) it keeps working.
 */
class SharedSessionTest {

    private static final int THREADS = 4;

    private static ResNetPlan resnet() {
        ResNet net = ResNets.cifar(8, 3, 10, Shortcut.ZERO_PAD, true, DType.F32, new Generator(31));
        ResNetPlanTest.randomiseBatchNorms(net, new SplittableRandom(4));
        return ResNetPlan.freeze(net, 3, 12, 12);
    }

    @Test
    void aResNetSessionSharedByThreadsRefusesTheLaterCallerAndNeverMixesRequests() throws Exception {
        ResNetPlan plan = resnet();
        int inputs = 8;
        float[][] images = new float[inputs][];
        float[][] expected = new float[inputs][];
        ResNetSession reference = plan.session(2);
        for (int k = 0; k < inputs; k++) {
            images[k] = ResNetPlanTest.images(50 + k, 2, plan.imageSize());
            expected[k] = reference.run(images[k]).clone();
        }
        ResNetSession shared = plan.session(2);
        float[][] outs = new float[THREADS][2 * plan.classes()];
        Contention.Outcome o = Contention.hammer(THREADS, 20, 400, 5000, (t, i) -> {
            int k = (t * 3 + i) % inputs;
            // The logits are copied out while the call still holds the session, so a later
            // call by another thread cannot overwrite them before they are compared.
            float[] got = shared.run(images[k], outs[t]);
            assertArrayEquals(expected[k], got, 0f, "thread " + t + ", call " + i + ", input " + k);
        });
        o.assertNoFailures();
        assertTrue(o.refused() > 0, "no call was refused in " + o.succeeded() + " calls");
        assertTrue(o.succeeded() > 0, "every call was refused");
        assertTrue(o.refusal().startsWith("ResNetSession.run: this session is in use by another thread"),
                o.refusal());
        assertTrue(o.refusal().endsWith("give each thread its own session (plan.session(...))"), o.refusal());
        assertArrayEquals(expected[3], shared.run(images[3]), 0f, "the session after the contention");
    }

    @Test
    void aResNetSessionHandedFromThreadToThreadKeepsWorking() throws Exception {
        ResNetPlan plan = resnet();
        ResNetSession reference = plan.session(1);
        ResNetSession handed = plan.session(1);
        Set<String> threads = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            float[] x = ResNetPlanTest.images(70 + i, 1, plan.imageSize());
            float[] expected = reference.run(x).clone();
            float[] got = Contention.onNewThread(() -> {
                synchronized (threads) {
                    threads.add(Thread.currentThread().getName());
                }
                return handed.run(x).clone();
            });
            assertArrayEquals(expected, got, 0f, "call " + i);
        }
        assertEquals(6, threads.size(), "each call ran on its own thread");
    }

    /**
     * An RNN whose state counts its steps: ReLU, identity recurrent weights, positive input
     * weights and input, so that step k adds the same positive vector to the state (rounded).
     * A step lost or applied twice, or two steps mixed, leaves a state that no count of steps
     * gives.
     */
    private static RecurrentPlan countingRnn() {
        // Large enough that a step takes a while, so that the threads' steps overlap.
        int n = 128;
        RNNCell cell = new RNNCell(3, n, false, Activation.RELU, DType.F32, new Generator(7));
        float[] wih = cell.namedParameters().get("weight_ih").f32();
        float[] whh = cell.namedParameters().get("weight_hh").f32();
        for (int i = 0; i < wih.length; i++) {
            wih[i] = 0.1f + 0.0013f * i;
        }
        Arrays.fill(whh, 0f);
        for (int i = 0; i < n; i++) {
            whh[i * n + i] = 1f;
        }
        return RecurrentPlan.freeze(cell);
    }

    @Test
    void aRecurrentSessionSharedByThreadsAppliesEachAcceptedStepOnceAndAlone() throws Exception {
        RecurrentPlan plan = countingRnn();
        float[] x = {0.5f, 0.25f, 0.75f};
        RecurrentSession shared = plan.session(1);
        Contention.Outcome o = Contention.hammer(THREADS, 50, 2000, 5000, (t, i) -> shared.step(x));
        o.assertNoFailures();
        RecurrentSession reference = plan.session(1);
        List<float[]> states = new ArrayList<>();
        states.add(reference.hidden().clone());
        for (int k = 0; k < o.succeeded() + 1; k++) {
            states.add(reference.step(x).clone());
        }
        int k = o.succeeded();
        assertNotEquals(Arrays.toString(states.get(k - 1)), Arrays.toString(states.get(k)));
        assertNotEquals(Arrays.toString(states.get(k + 1)), Arrays.toString(states.get(k)));
        assertArrayEquals(states.get(k), shared.hidden(), 0f, "the state after " + k + " accepted steps");
        assertTrue(o.refused() > 0, "no step was refused in " + o.succeeded() + " steps");
        assertTrue(o.refusal().startsWith("RecurrentSession.step: this session is in use by another thread"),
                o.refusal());
    }

    @Test
    void aRecurrentStreamHandedFromThreadToThreadContinuesItsSequence() throws Exception {
        RecurrentPlan plan = RecurrentPlan.freeze(new LSTMCell(6, 9, new Generator(12)));
        float[] xs = RecurrentPlanTest.sequence(3, 8, 6);
        float[] expected = RecurrentPlanTest.run(plan.session(1), xs, 6);
        RecurrentSession handed = plan.session(1);
        float[] got = new float[expected.length];
        for (int t = 0; t < 8; t++) {
            float[] x = Arrays.copyOfRange(xs, t * 6, t * 6 + 6);
            float[] h = Contention.onNewThread(() -> handed.step(x).clone());
            System.arraycopy(h, 0, got, t * 9, 9);
        }
        assertArrayEquals(expected, got, 0f);
        Contention.onNewThread(() -> {
            handed.reset();
            return null;
        });
        assertArrayEquals(new float[9], handed.hidden(), 0f);
        assertArrayEquals(Arrays.copyOf(expected, 9), handed.step(Arrays.copyOf(xs, 6)), 0f, "after reset");
    }

    @Test
    void refusedCallsLeaveTheSessionUsableAndChecksAllocateNothing() {
        ResNetPlan plan = resnet();
        ResNetSession s = plan.session(1);
        float[] x = ResNetPlanTest.images(1, 1, plan.imageSize());
        float[] out = new float[plan.classes()];
        float[] expected = s.run(x).clone();
        assertArrayEquals(expected, s.run(x, out), 0f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.run(x, new float[3]));
        assertTrue(e.getMessage().contains("out must hold 10 logits [1, 10], got 3"), e.getMessage());
        assertThrows(NullPointerException.class, () -> s.run(x, null));
        assertThrows(NullPointerException.class, () -> s.run(null));
        // A call that failed released the session: the next one runs.
        assertArrayEquals(expected, s.run(x), 0f);
        // As many warm-up calls as ResNetPlanTest gives: the convolution tiles are many generated
        // methods, and behind a whole suite's compile queue C2 takes them later than alone.
        assertEquals(0, Allocations.settledBytes(() -> s.run(x, out), 2000, 100, 30), "bytes allocated by 100 calls");
    }
}
