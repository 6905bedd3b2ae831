package dev.lanes.autograd;

import static dev.lanes.autograd.Ops.add;
import static dev.lanes.autograd.Ops.log;
import static dev.lanes.autograd.Ops.mul;
import static dev.lanes.autograd.Ops.pow;
import static dev.lanes.autograd.Ops.sum;
import static dev.lanes.autograd.Ops.tanh;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.internal.Parallel;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.Graph;
import org.junit.jupiter.api.Test;

/** The tape: accumulation, deep graphs, freed graphs, no-grad scopes, detach, anomaly mode. */
class AutogradTest {

    static Tensor vec(double... v) {
        return Tensor.of(v, v.length);
    }

    @Test
    void gradientsAccumulateAcrossBackwardCallsUntilZeroed() {
        Tensor x = vec(1, 2, 3).requiresGrad(true);
        sum(mul(x, x)).backward();
        sum(mul(x, x)).backward();
        assertArrayEquals(new double[] {4, 8, 12}, x.grad().toDoubleArray());
        x.zeroGrad();
        assertNull(x.grad());
    }

    @Test
    void aTensorUsedTwiceGetsBothContributions() {
        Tensor x = vec(0.5, -1).requiresGrad(true);
        Tensor y = tanh(x);
        sum(add(mul(y, y), y)).backward(); // d/dx (t^2 + t) = (2t + 1)(1 - t^2)
        for (int i = 0; i < 2; i++) {
            double t = Math.tanh(x.getFlat(i));
            assertEquals((2 * t + 1) * (1 - t * t), x.grad().getFlat(i), 1e-15);
        }
    }

    @Test
    void gradientsFromNodesThatReturnFreshOnesAreSummedWithoutTouchingSharedOnes() {
        // h gets gradients from two convolutions (fresh tensors, summed in place) and from
        // y = h + k, whose backward passes one tensor through to both h and k, so that one must
        // not be added into. The total must be the sum of the parts whatever order the loss's
        // terms send them in.
        Generator gen = new Generator(5);
        Tensor x = Tensor.randn(gen, DType.F64, 1, 2, 4, 4).requiresGrad(true);
        Tensor w1 = Tensor.randn(gen, DType.F64, 3, 2, 3, 3);
        Tensor w2 = Tensor.randn(gen, DType.F64, 3, 2, 3, 3);
        int[] one = {1, 1};
        for (int order = 0; order < 3; order++) {
            double[][] parts = new double[4][];
            for (int part = 0; part < 4; part++) {
                x.zeroGrad();
                Tensor h = tanh(x);
                Tensor k = tanh(mul(x, 2.0));
                Tensor y = add(h, k);
                Tensor[] terms = {sum(Ops.conv2d(h, w1, null, one, one, one, 1)),
                    sum(Ops.conv2d(h, w2, null, one, one, one, 1)), sum(mul(y, y))};
                Tensor loss = part < 3 ? terms[part]
                        : add(add(terms[order], terms[(order + 1) % 3]), terms[(order + 2) % 3]);
                loss.backward();
                parts[part] = x.grad().toDoubleArray();
            }
            for (int i = 0; i < parts[3].length; i++) {
                assertEquals(parts[0][i] + parts[1][i] + parts[2][i], parts[3][i], 1e-12,
                        "order " + order + ", element " + i);
            }
        }
    }

    @Test
    void aFreshGradientPassedThroughToTwoInputsIsNotAddedInto() {
        // y = h + k gets its gradient from a convolution (a fresh tensor); the sum's backward
        // passes that one tensor on to both h and k. Both then get a second gradient, from h * k:
        // adding either in place into the passed-on tensor would add it to the other's too.
        Generator gen = new Generator(7);
        Tensor x = Tensor.randn(gen, DType.F64, 1, 2, 4, 4).requiresGrad(true);
        Tensor w = Tensor.randn(gen, DType.F64, 3, 2, 3, 3);
        int[] one = {1, 1};
        for (int order = 0; order < 2; order++) {
            double[][] parts = new double[3][];
            for (int part = 0; part < 3; part++) {
                x.zeroGrad();
                Tensor h = tanh(x);
                Tensor k = tanh(mul(x, 2.0));
                Tensor[] terms = {sum(Ops.conv2d(add(h, k), w, null, one, one, one, 1)), sum(mul(h, k))};
                Tensor loss = part < 2 ? terms[part] : add(terms[order], terms[1 - order]);
                loss.backward();
                parts[part] = x.grad().toDoubleArray();
            }
            for (int i = 0; i < parts[2].length; i++) {
                assertEquals(parts[0][i] + parts[1][i], parts[2][i], 1e-12, "order " + order + ", element " + i);
            }
        }
    }

    @Test
    void aConvolutionAddsItsInputGradientIntoAnOwnedPartialSumWithTheBitsOfASeparateSum() {
        // h = x * 1 feeds two F32 3x3 convolutions: the input gradient of the one that runs second
        // is added in place into the first one's (BackwardContext.partialSum), in both orders; the
        // result must be the float sum of the two gradients computed alone.
        Generator gen = new Generator(9);
        Tensor x = Tensor.randn(gen, DType.F32, 2, 3, 9, 9).requiresGrad(true);
        Tensor w1 = Tensor.randn(gen, DType.F32, 4, 3, 3, 3);
        Tensor w2 = Tensor.randn(gen, DType.F32, 4, 3, 3, 3);
        int[] one = {1, 1};
        for (int order = 0; order < 2; order++) {
            float[][] parts = new float[3][];
            for (int part = 0; part < 3; part++) {
                x.zeroGrad();
                Tensor h = mul(x, 1.0);
                Tensor[] terms = {sum(Ops.conv2d(h, w1, null, one, one, one, 1)),
                    sum(Ops.conv2d(h, w2, null, one, one, one, 1))};
                Tensor loss = part < 2 ? terms[part] : add(terms[order], terms[1 - order]);
                loss.backward();
                parts[part] = x.grad().toFloatArray();
            }
            for (int i = 0; i < parts[2].length; i++) {
                assertEquals(parts[0][i] + parts[1][i], parts[2][i], 0f, "order " + order + ", element " + i);
            }
        }
    }

    /**
     * {@code conv(tanh(conv(x * w', w)), w)} with {@code w'} the weight's values as a broadcast
     * factor: the weight gets its gradient from the top convolution, the middle one (both run in
     * the background, BackwardContext.later) and the product at the bottom, in that order.
     * With {@code shared} one leaf is used three times, else three leaves with the same values.
     */
    private static Tensor[] threeUses(boolean shared) {
        Generator gen = new Generator(13);
        Tensor x = Tensor.randn(gen, DType.F32, 4, 3, 9, 9).requiresGrad(true);
        Tensor w = Tensor.randn(gen, DType.F32, 3, 3, 3, 3).requiresGrad(true);
        Tensor[] ws = shared ? new Tensor[] {w, w, w}
                : new Tensor[] {w, w.detach().copy().requiresGrad(true), w.detach().copy().requiresGrad(true)};
        int[] one = {1, 1};
        Tensor bottom = mul(x, Ops.reshape(ws[2], 1, 1, 9, 9));
        Tensor y = Ops.conv2d(tanh(Ops.conv2d(bottom, ws[1], null, one, one, one, 1)), ws[0], null, one, one, one, 1);
        sum(mul(y, y)).backward();
        return new Tensor[] {x.grad(), ws[0].grad(), ws[1].grad(), ws[2].grad()};
    }

    @Test
    void backgroundWeightGradientsAddUpInTheOrderOfThePass() {
        int before = Parallel.threads();
        try {
            for (int threads = 1; threads <= 3; threads++) {
                Parallel.setThreads(threads);
                Tensor[] parts = threeUses(false);
                Tensor[] summed = threeUses(true);
                float[] top = parts[1].toFloatArray();
                float[] middle = parts[2].toFloatArray();
                float[] bottom = parts[3].toFloatArray();
                float[] got = summed[1].toFloatArray();
                for (int i = 0; i < got.length; i++) {
                    assertEquals((top[i] + middle[i]) + bottom[i], got[i], 0f, threads + " threads, element " + i);
                }
                assertArrayEquals(parts[0].toFloatArray(), summed[0].toFloatArray(), 0f, "x, " + threads + " threads");
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void backgroundWorkOfANodeThatFailsIsFinishedBeforeTheFailureSurfaces() {
        int before = Parallel.threads();
        Parallel.setThreads(2);
        try {
            java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
            Tensor x = vec(1, 2).requiresGrad(true);
            Tensor y = Graph.record(vec(1, 2), new dev.lanes.tensor.internal.GradFn("failing", "FailingBackward0", x) {
                @Override
                protected Tensor[] backward(Tensor g) {
                    throw new AssertionError("not called");
                }

                @Override
                protected Tensor[] backward(Tensor[] g, dev.lanes.tensor.internal.BackwardContext context) {
                    context.later(0, Parallel.later(4, t -> {
                        long until = System.nanoTime() + 2_000_000;
                        while (System.nanoTime() < until) {
                            Thread.onSpinWait();
                        }
                        done.incrementAndGet();
                    }, null));
                    throw new IllegalStateException("backward failed");
                }
            });
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> sum(y).backward());
            assertEquals("backward failed", e.getMessage());
            assertEquals(4, done.get(), "every background tile finished");
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void aGraphTwentyThousandStepsDeepNeedsNoRecursion() {
        Tensor x = vec(0.3).requiresGrad(true);
        Tensor y = x;
        for (int i = 0; i < 20_000; i++) {
            y = add(mul(y, 0.999), 0.0);
        }
        sum(y).backward();
        assertEquals(Math.pow(0.999, 20_000), x.grad().item(), 1e-15);
    }

    @Test
    void backwardTwiceThroughAFreedGraphIsAClearError() {
        Tensor x = vec(1, 2).requiresGrad(true);
        Tensor loss = sum(tanh(x));
        loss.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("already been freed"), e.getMessage());
        assertTrue(e.getMessage().contains("retainGraph"), e.getMessage());
        Tensor kept = sum(tanh(x));
        kept.backward(Tensor.scalar(DType.F64, 1), true);
        kept.backward(Tensor.scalar(DType.F64, 1), true);
    }

    @Test
    void noGradRecordsNothingAndDetachCutsTheGraph() {
        Tensor x = vec(1, 2).requiresGrad(true);
        try (NoGrad g = NoGrad.enter()) {
            Tensor y = mul(x, x);
            assertFalse(y.requiresGrad());
            assertNull(Graph.producer(y));
        }
        assertTrue(mul(x, x).requiresGrad());
        Tensor d = tanh(x).detach();
        assertFalse(d.requiresGrad());
        Tensor z = sum(mul(d, x));
        z.backward();
        assertArrayEquals(new double[] {Math.tanh(1), Math.tanh(2)}, x.grad().toDoubleArray(), 0);
    }

    @Test
    void misuseIsReported() {
        Tensor x = vec(1, 2).requiresGrad(true);
        Tensor y = tanh(x);
        assertThrows(IllegalStateException.class, () -> y.requiresGrad(false));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, y::backward);
        assertTrue(e.getMessage().contains("one-element"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> vec(1).backward());
        e = assertThrows(IllegalArgumentException.class, () -> add(x, Tensor.of(new float[] {1, 2}, 2)));
        assertEquals("add: dtypes differ (F64 [2], F32 [2]); convert with to(DType) first", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Ops.matmul(Tensor.zeros(DType.F32, 3, 4), Tensor.zeros(DType.F32, 5, 2)));
        assertEquals("matmul: shapes [3, 4] and [5, 2] do not align", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> add(Tensor.zeros(DType.F32, 3, 4), Tensor.zeros(DType.F32, 2, 4)));
        assertTrue(e.getMessage().startsWith("add: shapes [3, 4] and [2, 4] do not broadcast"), e.getMessage());
    }

    @Test
    void anomalyModeNamesTheOperation() {
        Tensor x = vec(-1, 2).requiresGrad(true);
        try (AnomalyMode a = AnomalyMode.enable()) {
            ArithmeticException e = assertThrows(ArithmeticException.class, () -> log(x));
            assertTrue(e.getMessage().contains("log"), e.getMessage());
            Tensor z = vec(0, 1).requiresGrad(true);
            Tensor s = sum(pow(z, 0.5)); // finite forward, infinite gradient at 0
            e = assertThrows(ArithmeticException.class, s::backward);
            assertTrue(e.getMessage().contains("pow"), e.getMessage());
        }
        assertFalse(AnomalyMode.enabled());
        assertTrue(Double.isNaN(log(x).getFlat(0)), "without anomaly mode NaN passes through");
    }
}
