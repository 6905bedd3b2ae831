package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.Allocations;
import dev.lanes.Contention;
import dev.lanes.autograd.NoGrad;
import dev.lanes.kernel.Activation;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.Dispatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Streaming sessions: the same bits as the cells' forward, step after step, no allocation per
 * step, one thread at a time, and sizes checked.
 */
class CellSessionTest {

    /** Cells of {@code d} inputs and {@code n} state features, the LSTM and RNN also with separate biases. */
    static List<RecurrentCell> cells(int d, int n, DType dtype, boolean bias) {
        Generator gen = new Generator(21);
        return List.of(new LSTMCell(d, n, bias, dtype, gen), new GRUCell(d, n, bias, dtype, gen),
                new RNNCell(d, n, bias, Activation.TANH, dtype, gen), new RNNCell(d, n, bias, Activation.RELU, dtype, gen),
                new LSTMCell(d, n, bias, true, dtype, gen), new RNNCell(d, n, bias, true, Activation.TANH, dtype, gen));
    }

    @Test
    void stepsGiveTheBitsOfForward() {
        for (DType dtype : DType.values()) {
            for (boolean bias : new boolean[] {true, false}) {
                for (RecurrentCell cell : cells(7, 9, dtype, bias)) {
                    CellSession s = cell.session(3);
                    Generator gen = new Generator(5);
                    Tensor h = null;
                    Tensor c = null;
                    for (int t = 0; t < 6; t++) {
                        Tensor x = Tensor.uniform(gen, dtype, -2, 2, 3, 7);
                        Dispatch.copy(x, 0, s.input(), 0, x.numel());
                        s.step();
                        try (NoGrad ng = NoGrad.enter()) {
                            switch (cell) {
                                case LSTMCell l -> {
                                    LstmState st = l.forward(x, h == null ? null : new LstmState(h, c));
                                    h = st.h();
                                    c = st.c();
                                }
                                case GRUCell g -> h = g.forward(x, h);
                                case RNNCell r -> h = r.forward(x, h);
                                default -> throw new IllegalStateException();
                            }
                        }
                        assertArrayEquals(h.toDoubleArray(), s.hidden().toDoubleArray(), 0.0, cell + " step " + t);
                        if (c != null) {
                            assertArrayEquals(c.toDoubleArray(), s.cellState().toDoubleArray(), 0.0);
                        }
                    }
                    s.reset();
                    assertArrayEquals(new double[27], s.hidden().toDoubleArray(), 0.0);
                }
            }
        }
        assertNull(new GRUCell(2, 3, new Generator(1)).session(1).cellState());
    }

    /**
     * Steady state: once the JIT has compiled the step (the interpreter boxes vectors), 1000
     * steps allocate 0 bytes. Compilation runs in the background, so a loaded machine may need a
     * few more rounds before the first clean one; persistent allocation fails every round.
     */
    @Test
    void aStepAllocatesNothing() {
        // The benchmark's size: long rows make the JIT compile the loops on their back edges (OSR),
        // where an oversized LSTM loop once failed and stayed in C1, boxing every vector.
        for (RecurrentCell cell : cells(128, 256, DType.F32, true)) {
            CellSession s = cell.session(1);
            assertEquals(0, Allocations.settledBytes(s::step, 20_000, 1000, 50), cell + ": bytes allocated by 1000 steps");
        }
    }

    @Test
    void aSessionFollowsEachOfASeparatePairOfBiases() {
        for (RecurrentCell cell : List.of(new LSTMCell(3, 4, true, true, DType.F32, new Generator(2)),
                new RNNCell(3, 4, true, true, Activation.TANH, DType.F32, new Generator(2)))) {
            CellSession s = cell.session(1);
            for (String name : List.of("bias_ih", "bias_hh")) {
                s.reset();
                float[] before = s.step().toFloatArray();
                cell.namedParameters().get(name).f32()[0] += 0.5f;
                s.reset();
                float[] after = s.step().toFloatArray();
                assertNotEquals(Arrays.toString(before), Arrays.toString(after), cell + ": " + name + " changed");
                Tensor h;
                try (NoGrad ng = NoGrad.enter()) {
                    h = cell instanceof LSTMCell l ? l.forward(s.input(), null).h()
                            : ((RNNCell) cell).forward(s.input());
                }
                assertArrayEquals(h.toFloatArray(), after, 0f, cell + ": " + name);
            }
        }
    }

    @Test
    void sessionsCheckTheirArguments() {
        LSTMCell cell = new LSTMCell(2, 3, new Generator(1));
        assertThrows(IllegalArgumentException.class, () -> cell.session(0));
        CellSession s = cell.session(1);
        cell.to(DType.F64);
        IllegalStateException e = assertThrows(IllegalStateException.class, s::step);
        assertTrue(e.getMessage().contains("make a new session"), e.getMessage());
        // The failed step released the session: the next caller gets the same answer, not "in use".
        e = assertThrows(IllegalStateException.class, s::step);
        assertTrue(e.getMessage().contains("make a new session"), e.getMessage());
    }

    @Test
    void sessionsWhoseBuffersDoNotFitInArraysAreRefused() {
        GRUCell gru = new GRUCell(2, 5, new Generator(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> gru.session(200_000_000));
        assertTrue(e.getMessage().contains("GRUCell.session: 3000000000 elements of gate scratch (200000000 x 3 x 5)"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> gru.session(Integer.MAX_VALUE));
        assertTrue(e.getMessage().contains("GRUCell.session: 4294967294 elements of input (2147483647 x 2)"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> gru.session(-3));
        assertTrue(e.getMessage().contains("GRUCell.session: batch must be >= 1, got -3"), e.getMessage());
    }

    /**
     * An RNN whose state counts its steps (ReLU, identity recurrent weights, positive input
     * weights and input): a lost, repeated or mixed step leaves a state no count of steps gives.
     */
    private static RNNCell countingRnn() {
        int n = 128;
        RNNCell cell = new RNNCell(3, n, false, Activation.RELU, DType.F32, new Generator(9));
        float[] wih = cell.namedParameters().get("weight_ih").f32();
        float[] whh = cell.namedParameters().get("weight_hh").f32();
        for (int i = 0; i < wih.length; i++) {
            wih[i] = 0.2f + 0.0007f * i;
        }
        Arrays.fill(whh, 0f);
        for (int i = 0; i < n; i++) {
            whh[i * n + i] = 1f;
        }
        return cell;
    }

    @Test
    void aSessionSharedByThreadsRefusesTheLaterStepAndAppliesEachAcceptedStepOnce() throws Exception {
        RNNCell cell = countingRnn();
        double[] x = {0.5, 0.25, 0.75};
        CellSession shared = cell.session(1);
        for (int j = 0; j < 3; j++) {
            shared.input().setFlat(j, x[j]);
        }
        Contention.Outcome o = Contention.hammer(4, 50, 2000, 5000, (t, i) -> shared.step());
        o.assertNoFailures();
        CellSession reference = cell.session(1);
        for (int j = 0; j < 3; j++) {
            reference.input().setFlat(j, x[j]);
        }
        List<float[]> states = new ArrayList<>();
        states.add(reference.hidden().toFloatArray());
        for (int k = 0; k <= o.succeeded(); k++) {
            states.add(reference.step().toFloatArray());
        }
        int k = o.succeeded();
        assertNotEquals(Arrays.toString(states.get(k - 1)), Arrays.toString(states.get(k)));
        assertNotEquals(Arrays.toString(states.get(k + 1)), Arrays.toString(states.get(k)));
        assertArrayEquals(states.get(k), shared.hidden().toFloatArray(), 0f, "the state after " + k + " accepted steps");
        assertTrue(o.refused() > 0, "no step was refused in " + o.succeeded() + " steps");
        assertTrue(o.refusal().startsWith("CellSession.step: this session is in use by another thread"), o.refusal());
        assertTrue(o.refusal().endsWith("give each thread its own session (cell.session(...))"), o.refusal());
    }

    @Test
    void aSessionHandedFromThreadToThreadContinuesItsSequence() throws Exception {
        LSTMCell cell = new LSTMCell(4, 6, new Generator(5));
        CellSession alone = cell.session(2);
        CellSession handed = cell.session(2);
        Generator gen = new Generator(8);
        for (int t = 0; t < 6; t++) {
            Tensor x = Tensor.uniform(gen, DType.F32, -2, 2, 2, 4);
            Dispatch.copy(x, 0, alone.input(), 0, x.numel());
            float[] expected = alone.step().toFloatArray();
            float[] got = Contention.onNewThread(() -> {
                Dispatch.copy(x, 0, handed.input(), 0, x.numel());
                return handed.step().toFloatArray();
            });
            assertArrayEquals(expected, got, 0f, "step " + t);
        }
        assertArrayEquals(alone.cellState().toFloatArray(), handed.cellState().toFloatArray(), 0f);
        Contention.onNewThread(() -> {
            handed.reset();
            return null;
        });
        assertArrayEquals(new float[12], handed.hidden().toFloatArray(), 0f);
        assertArrayEquals(new float[12], handed.cellState().toFloatArray(), 0f);
    }
}
