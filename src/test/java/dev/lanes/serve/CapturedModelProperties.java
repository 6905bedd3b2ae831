package dev.lanes.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.lanes.autograd.NoGrad;
import dev.lanes.autograd.SequenceOutput;
import dev.lanes.kernel.Activation;
import dev.lanes.nn.AdaptiveAvgPool2d;
import dev.lanes.nn.AvgPool2d;
import dev.lanes.nn.BatchNorm2d;
import dev.lanes.nn.Conv2d;
import dev.lanes.nn.Flatten;
import dev.lanes.nn.GRU;
import dev.lanes.nn.Identity;
import dev.lanes.nn.LSTM;
import dev.lanes.nn.Layer;
import dev.lanes.nn.Linear;
import dev.lanes.nn.MaxPool2d;
import dev.lanes.nn.RNN;
import dev.lanes.nn.RecurrentOptions;
import dev.lanes.nn.ReLU;
import dev.lanes.nn.Sequential;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.kernel.internal.Parallel;
import dev.lanes.tensor.Tensor;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Plans of random convolutional and recurrent models over random shapes give the eager F32
 * outputs bit for bit (they run the same kernels; matrix products of at most four rows, which
 * plans fold by columns, to float rounding), the F64 module's within float rounding, and a
 * parallel session on three threads gives the bits of a serial one:
 * convolutions of any kernel, stride, padding, dilation, groups and bias with batch norm and a
 * pooling; RNN, LSTM and GRU layers of one or two layers, either direction, batch first or not,
 * with or without initial states.
 */
class CapturedModelProperties {

    /** The forward's outputs on the inputs in the module's dtype, in eval mode. */
    private static double[][] eager(Layer model, Plan.Forward forward, float[][] inputs, int[][] shapes, DType dtype) {
        model.to(dtype);
        model.eval();
        Tensor[] in = new Tensor[inputs.length];
        for (int i = 0; i < in.length; i++) {
            in[i] = Tensor.of(inputs[i], shapes[i]).to(dtype);
        }
        Tensor[] out;
        try (NoGrad ng = NoGrad.enter()) {
            out = forward.apply(in);
        }
        double[][] r = new double[out.length][];
        for (int i = 0; i < out.length; i++) {
            r[i] = out[i].toDoubleArray();
        }
        return r;
    }

    /**
     * @param eagerBits whether every matrix product has more than four rows, so that the plan runs
     *                  the eager GEMM's arithmetic (with fewer, it folds columns in vector lanes
     *                  where the eager GEMM takes dot products, and agrees to float rounding)
     */
    private static void assertPlanGivesTheModulesOutputs(String what, Layer model, Plan.Forward forward,
                                                         boolean eagerBits, int[]... shapes) {
        model.to(DType.F32);
        float[][] inputs = new float[shapes.length][];
        Tensor[] examples = new Tensor[shapes.length];
        for (int i = 0; i < shapes.length; i++) {
            int n = 1;
            for (int d : shapes[i]) {
                n *= d;
            }
            inputs[i] = PlanCaptureTest.values(what.hashCode() + i, n);
            examples[i] = Tensor.of(inputs[i], shapes[i]);
        }
        Plan plan = Plan.capture(model, forward, examples);
        PlanSession s = plan.session();
        s.run(inputs);
        double[][] f32 = eager(model, forward, inputs, shapes, DType.F32);
        for (int i = 0; i < f32.length; i++) {
            float[] bits = new float[f32[i].length];
            for (int j = 0; j < bits.length; j++) {
                bits[j] = (float) f32[i][j];
            }
            if (eagerBits) {
                assertArrayEquals(bits, s.output(i), what + ": the eager F32 output " + i);
            } else {
                PlanCaptureTest.assertClose(bits, s.output(i), what + ": the eager F32 output " + i);
            }
        }
        int threads = Parallel.threads();
        Parallel.setThreads(3);
        try {
            PlanSession p = plan.parallelSession();
            p.run(inputs);
            for (int i = 0; i < f32.length; i++) {
                assertArrayEquals(s.output(i), p.output(i), what + ": the parallel session's output " + i);
            }
        } finally {
            Parallel.setThreads(threads);
        }
        double[][] f64 = eager(model, forward, inputs, shapes, DType.F64);
        for (int i = 0; i < f64.length; i++) {
            PlanCaptureTest.assertClose(f64[i], s.output(i), what + ": output " + i);
        }
    }

    @Property(tries = 60)
    void plansOfRandomConvolutionalNetsGiveTheModulesOutputs(@ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Generator gen = new Generator(seed);
        int n = 1 + r.nextInt(6);
        int groups = 1 + r.nextInt(3);
        int cIn = groups * (1 + r.nextInt(2));
        int cOut = groups * (1 + r.nextInt(3));
        // At least 5: a 3-tap kernel dilated by 2 spans 5 positions.
        int h = 5 + r.nextInt(8);
        int w = 5 + r.nextInt(8);
        int[] k = {1 + r.nextInt(3), 1 + r.nextInt(3)};
        int[] stride = {1 + r.nextInt(2), 1 + r.nextInt(2)};
        int[] pad = {r.nextInt(2), r.nextInt(2)};
        int[] dil = {1 + r.nextInt(2), 1 + r.nextInt(2)};
        Conv2d conv = new Conv2d(cIn, cOut, k, stride, pad, dil, groups, r.nextBoolean(), DType.F32, gen);
        BatchNorm2d bn = new BatchNorm2d(cOut);
        int hOut = (h + 2 * pad[0] - dil[0] * (k[0] - 1) - 1) / stride[0] + 1;
        int wOut = (w + 2 * pad[1] - dil[1] * (k[1] - 1) - 1) / stride[1] + 1;
        Layer pool = switch (r.nextInt(4)) {
            case 0 -> hOut >= 2 && wOut >= 2 ? new MaxPool2d(2) : new Identity();
            case 1 -> hOut >= 2 && wOut >= 2 ? new AvgPool2d(new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 0},
                    r.nextBoolean(), r.nextBoolean()) : new Identity();
            case 2 -> new AdaptiveAvgPool2d(1 + r.nextInt(3), 1 + r.nextInt(3));
            default -> new Identity();
        };
        Sequential features = new Sequential(conv, bn, new ReLU(), pool, new Flatten(1, -1));
        ResNetPlanTest.randomiseBatchNorms(features, r);
        int f;
        try (NoGrad ng = NoGrad.enter()) {
            f = features.forward(Tensor.zeros(DType.F32, 1, cIn, h, w)).size(1);
        }
        Layer model = new Sequential(features, new Linear(f, 3, gen));
        assertPlanGivesTheModulesOutputs("seed " + seed + ", features", features,
                in -> new Tensor[] {features.forward(in[0])}, true, new int[] {n, cIn, h, w});
        assertPlanGivesTheModulesOutputs("seed " + seed, model, in -> new Tensor[] {model.forward(in[0])}, n > 4,
                new int[] {n, cIn, h, w});
    }

    @Property(tries = 60)
    void plansOfRandomRecurrentLayersGiveTheModulesOutputs(@ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Generator gen = new Generator(seed);
        int kind = r.nextInt(3);
        int steps = 1 + r.nextInt(5);
        int batch = 1 + r.nextInt(8);
        int in = 1 + r.nextInt(6);
        // Now and then more than one block of 16 units (plans regroup LSTM gates by such blocks).
        int hidden = r.nextInt(4) == 0 ? 17 + r.nextInt(24) : 1 + r.nextInt(9);
        RecurrentOptions o = RecurrentOptions.of(in, hidden).withNumLayers(1 + r.nextInt(2))
                .withBidirectional(r.nextBoolean()).withBatchFirst(r.nextBoolean()).withBias(r.nextBoolean());
        boolean given = r.nextBoolean();
        int[] x = o.batchFirst() ? new int[] {batch, steps, in} : new int[] {steps, batch, in};
        int[] state = {o.numLayers() * o.directions(), batch, hidden};
        String what = "seed " + seed;
        boolean bits = batch > 4;
        int[][] shapes = given ? (kind == 0 ? new int[][] {x, state, state} : new int[][] {x, state})
                : new int[][] {x};
        switch (kind) {
            case 0 -> {
                LSTM lstm = new LSTM(o, gen);
                assertPlanGivesTheModulesOutputs(what, lstm, t -> {
                    SequenceOutput out = lstm.forward(t[0], given ? t[1] : null, given ? t[2] : null);
                    return new Tensor[] {out.output(), out.hN(), out.cN()};
                }, bits, shapes);
            }
            case 1 -> {
                GRU gru = new GRU(o, gen);
                assertPlanGivesTheModulesOutputs(what, gru, t -> {
                    SequenceOutput out = gru.forward(t[0], given ? t[1] : null);
                    return new Tensor[] {out.output(), out.hN()};
                }, bits, shapes);
            }
            default -> {
                RNN rnn = new RNN(o, r.nextBoolean() ? Activation.TANH : Activation.RELU, gen);
                assertPlanGivesTheModulesOutputs(what, rnn, t -> {
                    SequenceOutput out = rnn.forward(t[0], given ? t[1] : null);
                    return new Tensor[] {out.output(), out.hN()};
                }, bits, shapes);
            }
        }
    }
}
