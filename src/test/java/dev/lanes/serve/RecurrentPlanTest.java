package dev.lanes.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.Allocations;
import dev.lanes.autograd.NoGrad;
import dev.lanes.kernel.Activation;
import dev.lanes.nn.GRUCell;
import dev.lanes.nn.LSTMCell;
import dev.lanes.nn.LstmState;
import dev.lanes.nn.RNNCell;
import dev.lanes.nn.RecurrentCell;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Frozen recurrent plans: the cell's outputs, isolation from later training, many threads, no allocation, bad input. */
class RecurrentPlanTest {

    static float[] sequence(long seed, int steps, int width) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[steps * width];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble() * 4 - 2);
        }
        return x;
    }

    /** The hidden states after every step, concatenated. */
    static float[] run(RecurrentSession s, float[] xs, int width) {
        int steps = xs.length / width;
        List<float[]> hs = new ArrayList<>();
        float[] x = new float[width];
        for (int t = 0; t < steps; t++) {
            System.arraycopy(xs, t * width, x, 0, width);
            hs.add(s.step(x).clone());
        }
        int n = hs.get(0).length;
        float[] out = new float[steps * n];
        for (int t = 0; t < steps; t++) {
            System.arraycopy(hs.get(t), 0, out, t * n, n);
        }
        return out;
    }

    @Test
    void planStepsGiveTheCellsOutputs() {
        Generator gen = new Generator(3);
        List<RecurrentCell> cells = List.of(new LSTMCell(20, 33, gen), new GRUCell(20, 33, gen),
                new RNNCell(20, 33, true, Activation.SIGMOID, DType.F32, gen),
                new LSTMCell(20, 33, true, true, DType.F32, gen),
                new RNNCell(20, 33, true, true, Activation.TANH, DType.F32, gen));
        for (RecurrentCell cell : cells) {
            RecurrentPlan plan = RecurrentPlan.freeze(cell);
            RecurrentSession s = plan.session(1);
            float[] xs = sequence(5, 7, 20);
            Tensor h = null;
            Tensor c = null;
            float[] x = new float[20];
            for (int t = 0; t < 7; t++) {
                System.arraycopy(xs, t * 20, x, 0, 20);
                float[] planH = s.step(x);
                try (NoGrad ng = NoGrad.enter()) {
                    Tensor xt = Tensor.of(x.clone(), 1, 20);
                    switch (cell) {
                        case LSTMCell l -> {
                            LstmState st = l.forward(xt, h == null ? null : new LstmState(h, c));
                            h = st.h();
                            c = st.c();
                        }
                        case GRUCell g -> h = g.forward(xt, h);
                        case RNNCell r -> h = r.forward(xt, h);
                        default -> throw new IllegalStateException();
                    }
                }
                // One row: the plan folds columns in lanes where the eager GEMM takes dot products.
                PlanCaptureTest.assertClose(h.toFloatArray(), planH, cell + " step " + t);
            }
            assertEquals(cell instanceof LSTMCell, plan.hasCellState());
        }
    }

    @Test
    void laterTrainingDoesNotReachThePlan() {
        LSTMCell cell = new LSTMCell(4, 6, new Generator(1));
        RecurrentPlan plan = RecurrentPlan.freeze(cell);
        float[] before = run(plan.session(1), sequence(2, 5, 4), 4);
        cell.namedParameters().get("weight_hh").f32()[0] += 1f;
        float[] after = run(plan.session(1), sequence(2, 5, 4), 4);
        assertArrayEquals(before, after, 0f);
    }

    @Test
    void eightThreadsOnOnePlanGiveTheSingleThreadBits() throws Exception {
        RecurrentPlan plan = RecurrentPlan.freeze(new LSTMCell(32, 48, new Generator(4)));
        int threads = 8;
        int steps = 2000;
        List<float[]> expected = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            expected.add(run(plan.session(2), sequence(100 + t, steps, 64), 64));
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<float[]>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = 100 + t;
                results.add(pool.submit(() -> run(plan.session(2), sequence(seed, steps, 64), 64)));
            }
            for (int t = 0; t < threads; t++) {
                assertArrayEquals(expected.get(t), results.get(t).get(), 0f, "thread " + t);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aStepAllocatesNothing() {
        RecurrentSession s = RecurrentPlan.freeze(new GRUCell(64, 80, new Generator(6)), NonFinitePolicy.REJECT)
                .session(1);
        float[] x = sequence(1, 1, 64);
        assertEquals(0, Allocations.settledBytes(() -> s.step(x), 20_000, 1000, 50), "bytes allocated by 1000 steps");
    }

    @Test
    void aLargeCellStepsOnTheCallingThreadWithoutAllocating() {
        // 2400 x 600 recurrent product: above the size from which kernels would split across the
        // pool (and allocate the split's job), which a serving session must not do (it did:
        // 144 bytes per step before sessions ran their kernels serially).
        RecurrentSession s = RecurrentPlan.freeze(new LSTMCell(64, 600, new Generator(8))).session(1);
        float[] x = sequence(2, 1, 64);
        assertEquals(0, Allocations.settledBytes(() -> s.step(x), 3000, 200, 20), "bytes allocated by 200 steps");
    }

    @Test
    void nonFiniteInputsPropagateOrAreRejected() {
        LSTMCell cell = new LSTMCell(3, 4, new Generator(7));
        float[] bad = {1, Float.NaN, 0};
        RecurrentSession loose = RecurrentPlan.freeze(cell).session(1);
        float[] h = loose.step(bad);
        assertTrue(Float.isNaN(h[0]), java.util.Arrays.toString(h));
        RecurrentSession strict = RecurrentPlan.freeze(cell, NonFinitePolicy.REJECT).session(1);
        strict.step(new float[] {0.5f, 0.5f, 0.5f});
        float[] state = strict.hidden().clone();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> strict.step(bad));
        assertTrue(e.getMessage().contains("element 1 (row 0, feature 1) is NaN"), e.getMessage());
        assertArrayEquals(state, strict.hidden(), 0f);
        e = assertThrows(IllegalArgumentException.class,
                () -> strict.step(new float[] {0, Float.POSITIVE_INFINITY, 0}));
        assertTrue(e.getMessage().contains("Infinity"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> strict.step(new float[2]));
        assertTrue(e.getMessage().contains("expected 3 floats (1 x 3), got 2"), e.getMessage());
    }

    @Test
    void parallelAndBf16SessionsOfTheReadyMadePlan() {
        int threads = dev.lanes.kernel.internal.Parallel.threads();
        try {
            dev.lanes.kernel.internal.Parallel.setThreads(2);
            for (RecurrentCell cell : List.<RecurrentCell>of(new LSTMCell(20, 70, new Generator(21)),
                    new GRUCell(20, 45, new Generator(22)))) {
                float[] xs = sequence(23, 6, 20);
                RecurrentPlan f32 = RecurrentPlan.freeze(cell);
                float[] serial = run(f32.session(1), xs, 20);
                assertArrayEquals(serial, run(f32.parallelSession(1), xs, 20), 0f, cell + ": parallel session");
                RecurrentPlan bf16 = RecurrentPlan.freeze(cell, NonFinitePolicy.PROPAGATE,
                        CaptureOptions.defaults().withBf16Weights(true));
                float[] half = run(bf16.session(1), xs, 20);
                assertArrayEquals(half, run(bf16.parallelSession(1), xs, 20), 0f, cell + ": BF16, parallel session");
                double worst = 0;
                for (int i = 0; i < half.length; i++) {
                    worst = Math.max(worst, Math.abs(half[i] - serial[i]));
                }
                // States are in (-1, 1); six steps of weights within 2^-8 of themselves move them by a few 2^-8.
                assertTrue(worst > 0 && worst < 8 * 0x1p-8, cell + ": BF16 moved the states by " + worst);
            }
            assertThrows(NullPointerException.class, () -> RecurrentPlan.freeze(new GRUCell(2, 3, new Generator(1)),
                    NonFinitePolicy.PROPAGATE, null));
            assertThrows(IllegalArgumentException.class, () -> RecurrentPlan.freeze(new GRUCell(2, 3,
                    new Generator(1))).parallelSession(0));
        } finally {
            dev.lanes.kernel.internal.Parallel.setThreads(threads);
        }
    }
}
