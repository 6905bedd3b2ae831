package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.Allocations;
import dev.lanes.autograd.NoGrad;
import dev.lanes.kernel.Activation;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.internal.Dispatch;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Streaming sessions: the same bits as the cells' forward, step after step, no allocation per
 * step, and sizes checked.
 */
class CellSessionTest {

    /** Cells of {@code d} inputs and {@code n} state features. */
    static List<RecurrentCell> cells(int d, int n, DType dtype, boolean bias) {
        Generator gen = new Generator(21);
        return List.of(new LSTMCell(d, n, bias, dtype, gen), new GRUCell(d, n, bias, dtype, gen),
                new RNNCell(d, n, bias, Activation.TANH, dtype, gen), new RNNCell(d, n, bias, Activation.RELU, dtype, gen));
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
    void sessionsCheckTheirArguments() {
        LSTMCell cell = new LSTMCell(2, 3, new Generator(1));
        assertThrows(IllegalArgumentException.class, () -> cell.session(0));
        CellSession s = cell.session(1);
        cell.to(DType.F64);
        IllegalStateException e = assertThrows(IllegalStateException.class, s::step);
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
}
