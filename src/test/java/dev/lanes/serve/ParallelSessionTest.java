package dev.lanes.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.Allocations;
import dev.lanes.kernel.Bf16Reference;
import dev.lanes.kernel.internal.Parallel;
import dev.lanes.kernel.Activation;
import dev.lanes.nn.GRU;
import dev.lanes.nn.LSTM;
import dev.lanes.nn.LSTMCell;
import dev.lanes.nn.Layer;
import dev.lanes.nn.Linear;
import dev.lanes.nn.LstmState;
import dev.lanes.nn.ReLU;
import dev.lanes.nn.RNN;
import dev.lanes.nn.RecurrentOptions;
import dev.lanes.nn.Sequential;
import dev.lanes.nn.models.ResNet;
import dev.lanes.nn.models.ResNets;
import dev.lanes.nn.models.Shortcut;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Sessions that split each call across the threads (products, LSTM steps, convolutions) give a
 * serial session's bits on any number of threads, also when eight of them run at once, and
 * allocate nothing on the caller or the workers; plans with BF16 weights compute the model with
 * its weights rounded to BF16, and split the same way.
 */
class ParallelSessionTest {

    private int threads;

    @BeforeEach
    void saveThreads() {
        threads = Parallel.threads();
    }

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(threads);
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

    /** An LSTM layer over 3 steps of 2 rows: 40 units, in blocks of 16, 16 and 8. */
    private static Plan lstmLayerPlan() {
        LSTM lstm = new LSTM(RecurrentOptions.of(12, 40), new Generator(13));
        return Plan.capture(lstm, in -> new Tensor[] {lstm.forward(in[0], null, null).output()},
                Tensor.zeros(DType.F32, 3, 2, 12));
    }

    /** GRU (45 units: blocks of 21, 21 and 3) and tanh RNN (70 units: two tiles) layers over 3 steps of one row. */
    private static List<Plan> gruAndRnnPlans() {
        GRU gru = new GRU(RecurrentOptions.of(10, 45), new Generator(15));
        RNN rnn = new RNN(RecurrentOptions.of(10, 70), Activation.TANH, new Generator(16));
        return List.of(Plan.capture(gru, in -> new Tensor[] {gru.forward(in[0], null).output()},
                Tensor.zeros(DType.F32, 3, 1, 10)), Plan.capture(rnn, in -> new Tensor[] {rnn.forward(in[0], null)
                .output()}, Tensor.zeros(DType.F32, 3, 1, 10)));
    }

    /** A ResNet-8 on one 1x16x16 image: channel-blocked convolutions, split by output rows. */
    private static Plan resNetPlan() {
        ResNet net = ResNets.cifar(8, 1, 10, Shortcut.ZERO_PAD, true, DType.F32, new Generator(14));
        return Plan.capture(net, Tensor.zeros(DType.F32, 1, 1, 16, 16));
    }

    @Test
    void convolutionsAndRecurrentLayersGiveTheSerialBitsInParallel() {
        List<Plan> plans = new ArrayList<>(gruAndRnnPlans());
        plans.add(lstmLayerPlan());
        plans.add(resNetPlan());
        for (Plan plan : plans) {
            float[][] in = inputs(plan, 21);
            float[][] serial = outputs(plan.session(), in);
            for (int t = 1; t <= 3; t++) {
                Parallel.setThreads(t);
                float[][] got = outputs(plan.parallelSession(), in);
                for (int i = 0; i < got.length; i++) {
                    assertArrayEquals(serial[i], got[i], plan + " threads=" + t + " output " + i);
                }
            }
        }
    }

    @Test
    @Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aParallelCallAllocatesNothingOnAnyThread() {
        Parallel.setThreads(3);
        List<Plan> plans = new ArrayList<>(gruAndRnnPlans());
        plans.addAll(List.of(mlpPlan(CaptureOptions.defaults()), cellPlan(CaptureOptions.defaults()
                .withBf16Weights(true)), lstmLayerPlan(), resNetPlan()));
        for (Plan plan : plans) {
            PlanSession s = plan.parallelSession();
            float[][] in = inputs(plan, 9);
            assertEquals(0, Allocations.settledBytesWithWorkers(() -> s.run(in), 10_000, 500, 40),
                    plan + ": bytes allocated by 500 calls on the caller and the workers");
        }
    }

    @Test
    void bf16PlansComputeTheModelWithItsWeightsRoundedToBf16() {
        Plan f32 = mlpPlan(CaptureOptions.defaults());
        Plan bf16 = mlpPlan(CaptureOptions.defaults().withBf16Weights(true));
        assertFalse(f32.options().bf16Weights());
        assertTrue(bf16.options().bf16Weights());
        float[][] in = inputs(f32, 3);
        float[] got = outputs(bf16.session(), in)[0];
        // The same model in F64 with every weight (not bias) rounded to BF16, independently of the plan.
        Layer rounded = mlp().to(DType.F64);
        rounded.namedParameters().forEach((name, p) -> {
            if (name.endsWith("weight")) {
                double[] w = p.f64();
                for (int i = 0; i < w.length; i++) {
                    w[i] = Bf16Reference.round((float) w[i]);
                }
            }
        });
        rounded.eval();
        double[] expected;
        try (dev.lanes.autograd.NoGrad ng = dev.lanes.autograd.NoGrad.enter()) {
            expected = rounded.forward(Tensor.of(in[0], 1, 200).to(DType.F64)).toDoubleArray();
        }
        PlanCaptureTest.assertClose(expected, got, "BF16 plan against the F64 model on BF16 weights");
        float[] plain = outputs(f32.session(), in)[0];
        boolean differs = false;
        for (int i = 0; i < plain.length; i++) {
            differs |= plain[i] != got[i];
        }
        assertTrue(differs, "BF16 weights must change the outputs");
    }

    @Test
    void zeroSizeLinearLayersAreCapturedInEitherPrecision() {
        for (boolean bf16 : new boolean[] {false, true}) {
            Linear empty = new Linear(0, 3, new Generator(2));
            Plan plan = Plan.capture(empty, CaptureOptions.defaults().withBf16Weights(bf16), Tensor.zeros(DType.F32, 1, 0));
            float[] bias = empty.namedParameters().get("bias").f32();
            assertArrayEquals(bias, plan.parallelSession().run(new float[0]), "bf16=" + bf16);
            Plan none = Plan.capture(new Linear(4, 0, new Generator(3)), CaptureOptions.defaults().withBf16Weights(bf16),
                    Tensor.zeros(DType.F32, 2, 4));
            assertEquals(0, none.session().run(new float[8]).length);
        }
        // The eager layer too, with its gradients.
        Linear empty = new Linear(0, 3, new Generator(4));
        Tensor x = Tensor.zeros(DType.F32, 2, 0).requiresGrad(true);
        dev.lanes.autograd.Ops.sum(empty.forward(x)).backward();
        assertArrayEquals(new float[] {2, 2, 2}, empty.namedParameters().get("bias").grad().toFloatArray());
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
