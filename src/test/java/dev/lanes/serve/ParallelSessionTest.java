package dev.lanes.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.Allocations;
import dev.lanes.kernel.internal.Parallel;
import dev.lanes.nn.LSTMCell;
import dev.lanes.nn.Layer;
import dev.lanes.nn.Linear;
import dev.lanes.nn.LstmState;
import dev.lanes.nn.ReLU;
import dev.lanes.nn.Sequential;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Sessions that split each call across the threads give a serial session's bits on any number of
 * threads, also when eight of them run at once, and allocate nothing; plans with BF16 weights
 * stay within BF16's rounding of the F32 plan and split the same way.
 */
class ParallelSessionTest {

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    private static Layer mlp() {
        Generator gen = new Generator(11);
        return new Sequential(new Linear(200, 300, gen), new ReLU(), new Linear(300, 130, gen), new ReLU(),
                new Linear(130, 10, gen));
    }

    private static Plan mlpPlan(CaptureOptions options) {
        return Plan.capture(mlp(), options, Tensor.zeros(DType.F32, 1, 200));
    }

    /** An LSTM cell's step on one row: 4 x 70 gate columns, five tiles. */
    private static Plan cellPlan(CaptureOptions options) {
        LSTMCell cell = new LSTMCell(50, 70, new Generator(12));
        return Plan.capture(cell, options, in -> {
            LstmState s = cell.forward(in[0], new LstmState(in[1], in[2]));
            return new Tensor[] {s.h(), s.c()};
        }, Tensor.zeros(DType.F32, 1, 50), Tensor.zeros(DType.F32, 1, 70), Tensor.zeros(DType.F32, 1, 70));
    }

    private static float[][] inputs(Plan plan, int seed) {
        float[][] in = new float[plan.inputCount()][];
        for (int i = 0; i < in.length; i++) {
            in[i] = PlanCaptureTest.values(seed + i, plan.inputShape(i).numel());
        }
        return in;
    }

    private static float[][] outputs(PlanSession s, float[][] in) {
        s.run(in);
        float[][] out = new float[s.plan().outputCount()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = s.output(i).clone();
        }
        return out;
    }

    @Test
    void everyThreadCountGivesTheSerialBits() {
        for (boolean bf16 : new boolean[] {false, true}) {
            CaptureOptions options = CaptureOptions.defaults().withBf16Weights(bf16);
            for (Plan plan : List.of(mlpPlan(options), cellPlan(options))) {
                float[][] in = inputs(plan, 5);
                float[][] serial = outputs(plan.session(), in);
                for (int threads = 1; threads <= 3; threads++) {
                    Parallel.setThreads(threads);
                    PlanSession p = plan.parallelSession();
                    for (int call = 0; call < 3; call++) {
                        float[][] got = outputs(p, in);
                        for (int i = 0; i < got.length; i++) {
                            assertArrayEquals(serial[i], got[i], plan + " bf16=" + bf16 + " threads=" + threads
                                    + " call " + call + " output " + i);
                        }
                    }
                }
            }
        }
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void eightParallelSessionsAtOnceGiveTheSerialBits() throws Exception {
        Parallel.setThreads(3);
        Plan plan = cellPlan(CaptureOptions.defaults());
        List<float[][]> ins = new ArrayList<>();
        List<float[][]> expected = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            ins.add(inputs(plan, 100 * t));
            expected.add(outputs(plan.session(), ins.get(t)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<float[][]>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                float[][] in = ins.get(t);
                results.add(pool.submit(() -> {
                    PlanSession s = plan.parallelSession();
                    float[][] last = null;
                    for (int call = 0; call < 300; call++) {
                        last = outputs(s, in);
                    }
                    return last;
                }));
            }
            for (int t = 0; t < 8; t++) {
                float[][] got = results.get(t).get();
                for (int i = 0; i < got.length; i++) {
                    assertArrayEquals(expected.get(t)[i], got[i], "thread " + t + " output " + i);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aParallelCallAllocatesNothing() {
        Parallel.setThreads(3);
        for (Plan plan : List.of(mlpPlan(CaptureOptions.defaults()), cellPlan(CaptureOptions.defaults()
                .withBf16Weights(true)))) {
            PlanSession s = plan.parallelSession();
            float[][] in = inputs(plan, 9);
            assertEquals(0, Allocations.settledBytes(() -> s.run(in), 20_000, 1000, 50),
                    plan + ": bytes allocated by 1000 calls");
        }
    }

    @Test
    void bf16WeightsStayWithinTheirRoundingOfF32() {
        Plan f32 = mlpPlan(CaptureOptions.defaults());
        Plan bf16 = mlpPlan(CaptureOptions.defaults().withBf16Weights(true));
        assertFalse(f32.options().bf16Weights());
        assertTrue(bf16.options().bf16Weights());
        float[][] in = inputs(f32, 3);
        float[] a = outputs(f32.session(), in)[0];
        float[] b = outputs(bf16.session(), in)[0];
        double scale = 0;
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            scale = Math.max(scale, Math.abs(a[i]));
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        // Three layers, each weight within 2^-8 of itself: a few times 2^-8 of the outputs' scale at most.
        assertTrue(worst <= 4 * 0x1p-8 * scale, "BF16 moved the outputs by " + worst + " at scale " + scale);
        assertTrue(worst > 0, "BF16 weights must change the outputs");
    }

    @Test
    void optionsAreChecked() {
        Layer m = mlp();
        assertThrows(NullPointerException.class, () -> Plan.capture(m, null, Tensor.zeros(DType.F32, 1, 200)));
        assertThrows(NullPointerException.class, () -> mlpPlan(CaptureOptions.defaults()).parallelSession(null));
        Linear huge = new Linear(2, 2, new Generator(1));
        huge.namedParameters().get("weight").f32()[0] = Float.MAX_VALUE;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Plan.capture(huge,
                CaptureOptions.defaults().withBf16Weights(true), Tensor.zeros(DType.F32, 1, 2)));
        assertTrue(e.getMessage().contains("BF16") && e.getMessage().contains("'linear'"), e.getMessage());
        Plan.capture(huge, Tensor.zeros(DType.F32, 1, 2));
    }
}
