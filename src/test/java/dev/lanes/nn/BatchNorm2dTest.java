package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.autograd.Ops;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * BatchNorm2d: PyTorch's state-dict names, running statistics over several steps, evaluation
 * against training mode, the options, loading without {@code num_batches_tracked}, and the
 * validation messages.
 */
class BatchNorm2dTest {

    private static Tensor input(long seed, int... dims) {
        return Tensor.randn(new Generator(seed), DType.F64, dims);
    }

    @Test
    void stateDictHasTorchsNamesAndOrder() {
        BatchNorm2d bn = new BatchNorm2d(3, DType.F64);
        assertEquals(List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"),
                List.copyOf(bn.stateDict().keySet()));
        assertEquals(List.of("weight", "bias"), List.copyOf(bn.namedParameters().keySet()));
        assertEquals(0, bn.stateDict().get("num_batches_tracked").rank());
        Sequential s = new Sequential(new Identity(), new BatchNorm2d(2));
        assertEquals(List.of("1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked"),
                List.copyOf(s.stateDict().keySet()));
        assertEquals("BatchNorm2d(3, eps=1.0E-5, momentum=0.1, affine=True, track_running_stats=True)", bn.toString());
    }

    @Test
    void runningStatisticsFollowTheMomentumRuleWithTheUnbiasedVariance() {
        int c = 2;
        double momentum = 0.25;
        BatchNorm2d bn = new BatchNorm2d(c, 1e-5, momentum, true, true, DType.F64);
        double[] mean = {0, 0};
        double[] var = {1, 1};
        for (int step = 0; step < 4; step++) {
            Tensor x = input(step, 3, c, 2, 3);
            bn.forward(x);
            int m = 3 * 2 * 3;
            for (int ch = 0; ch < c; ch++) {
                double s = 0;
                for (int b = 0; b < 3; b++) {
                    for (int i = 0; i < 6; i++) {
                        s += x.getFlat((b * c + ch) * 6 + i);
                    }
                }
                double mu = s / m;
                double q = 0;
                for (int b = 0; b < 3; b++) {
                    for (int i = 0; i < 6; i++) {
                        double d = x.getFlat((b * c + ch) * 6 + i) - mu;
                        q += d * d;
                    }
                }
                mean[ch] = (1 - momentum) * mean[ch] + momentum * mu;
                var[ch] = (1 - momentum) * var[ch] + momentum * q / (m - 1);
            }
            assertArrayEquals(mean, bn.runningMean().tensor().toDoubleArray(), 1e-12, "running_mean after " + step);
            assertArrayEquals(var, bn.runningVar().tensor().toDoubleArray(), 1e-12, "running_var after " + step);
            assertEquals(step + 1, bn.numBatchesTracked());
        }
    }

    @Test
    void evaluationUsesRunningStatisticsAndChangesNothing() {
        BatchNorm2d bn = new BatchNorm2d(2, DType.F64);
        bn.forward(input(1, 4, 2, 3, 3));
        bn.forward(input(2, 4, 2, 3, 3));
        double[] rm = bn.runningMean().tensor().toDoubleArray();
        double[] rv = bn.runningVar().tensor().toDoubleArray();
        bn.weight().tensor().setFlat(1, 2.5);
        bn.eval();
        Tensor x = input(3, 2, 2, 3, 3).requiresGrad(true);
        Tensor y = bn.forward(x);
        for (int i = 0; i < x.numel(); i++) {
            int ch = (i / 9) % 2;
            double w = ch == 1 ? 2.5 : 1;
            assertEquals((x.getFlat(i) - rm[ch]) / Math.sqrt(rv[ch] + 1e-5) * w, y.getFlat(i), 1e-12);
        }
        assertArrayEquals(rm, bn.runningMean().tensor().toDoubleArray());
        assertArrayEquals(rv, bn.runningVar().tensor().toDoubleArray());
        assertEquals(2, bn.numBatchesTracked());
        // The gradient in evaluation mode is the affine map w / sqrt(running_var + eps).
        Ops.sum(y).backward();
        for (int i = 0; i < x.numel(); i++) {
            int ch = (i / 9) % 2;
            double w = ch == 1 ? 2.5 : 1;
            assertEquals(w / Math.sqrt(rv[ch] + 1e-5), x.grad().getFlat(i), 1e-12);
        }
        bn.train();
        Tensor yTrain = bn.forward(x.detach());
        assertNotEquals(y.getFlat(0), yTrain.getFlat(0));
    }

    @Test
    void trainingOutputHasZeroMeanAndUnitBiasedVariancePerChannel() {
        BatchNorm2d bn = new BatchNorm2d(3, DType.F64);
        Tensor y = bn.forward(Ops.mul(input(5, 2, 3, 2, 2), 3.0));
        for (int ch = 0; ch < 3; ch++) {
            double s = 0;
            double q = 0;
            for (int b = 0; b < 2; b++) {
                for (int i = 0; i < 4; i++) {
                    double v = y.getFlat((b * 3 + ch) * 4 + i);
                    s += v;
                    q += v * v;
                }
            }
            assertEquals(0, s / 8, 1e-12);
            assertEquals(1, q / 8, 1e-4);
        }
    }

    @Test
    void withoutAffineOrRunningStatistics() {
        BatchNorm2d plain = new BatchNorm2d(2, 1e-5, 0.1, false, true, DType.F64);
        assertEquals(List.of("running_mean", "running_var", "num_batches_tracked"),
                List.copyOf(plain.stateDict().keySet()));
        assertEquals(0, plain.parameterCount());
        BatchNorm2d noStats = new BatchNorm2d(2, 1e-5, 0.1, true, false, DType.F64);
        assertEquals(List.of("weight", "bias"), List.copyOf(noStats.stateDict().keySet()));
        Tensor x = input(4, 3, 2, 2, 2);
        Tensor train = noStats.forward(x);
        noStats.eval();
        assertArrayEquals(train.toDoubleArray(), noStats.forward(x).toDoubleArray(),
                "without running statistics, evaluation uses the batch statistics");
    }

    @Test
    void loadsStateWithoutNumBatchesTrackedAsZero() {
        BatchNorm2d source = new BatchNorm2d(2, DType.F64);
        source.forward(input(6, 3, 2, 2, 2));
        Map<String, Tensor> state = new LinkedHashMap<>(source.stateDict());
        state.remove("num_batches_tracked");
        BatchNorm2d target = new BatchNorm2d(2, DType.F64);
        target.forward(input(7, 3, 2, 2, 2));
        assertEquals(1, target.numBatchesTracked());
        target.loadStateDict(state);
        assertEquals(0, target.numBatchesTracked());
        assertArrayEquals(source.runningVar().tensor().toDoubleArray(), target.runningVar().tensor().toDoubleArray());
        state.remove("running_mean");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> target.loadStateDict(state));
        assertTrue(e.getMessage().contains("missing key 'running_mean'"), e.getMessage());
    }

    @Test
    void worksInF32() {
        BatchNorm2d bn = new BatchNorm2d(2);
        Tensor x = input(8, 2, 2, 3, 3).to(DType.F32).requiresGrad(true);
        Tensor y = bn.forward(x);
        assertEquals(DType.F32, y.dtype());
        Ops.sum(Ops.mul(y, y)).backward();
        assertEquals(DType.F32, x.grad().dtype());
        assertEquals(DType.F32, bn.weight().grad().dtype());
        assertEquals(DType.F32, bn.runningVar().tensor().dtype());
    }

    @Test
    void validationNamesTheShapes() {
        BatchNorm2d bn = new BatchNorm2d(3, DType.F64);
        String channels = assertThrows(IllegalArgumentException.class, () -> bn.forward(input(1, 2, 4, 2, 2)))
                .getMessage();
        assertTrue(channels.contains("3 channels") && channels.contains("[2, 4, 2, 2]"), channels);
        String rank = assertThrows(IllegalArgumentException.class, () -> bn.forward(input(1, 2, 3, 4))).getMessage();
        assertTrue(rank.contains("4-d") && rank.contains("[2, 3, 4]"), rank);
        String single = assertThrows(IllegalArgumentException.class, () -> bn.forward(input(1, 1, 3, 1, 1)))
                .getMessage();
        assertTrue(single.contains("more than 1 value per channel") && single.contains("[1, 3, 1, 1]"), single);
        Tensor x = input(1, 2, 3, 2, 2);
        String weight = assertThrows(IllegalArgumentException.class, () -> Ops.batchNorm(x, null, null,
                Tensor.ones(DType.F64, 4), null, true, 0.1, 1e-5)).getMessage();
        assertTrue(weight.contains("weight should have shape [3]") && weight.contains("[4]")
                && weight.contains("[2, 3, 2, 2]"), weight);
        String eval = assertThrows(IllegalArgumentException.class, () -> Ops.batchNorm(x, null, null, null, null,
                false, 0.1, 1e-5)).getMessage();
        assertTrue(eval.contains("running_mean"), eval);
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm2d(0));
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm2d(2, 1e-5, 1.5, true, true, DType.F64));
    }

    @Test
    void forwardReluEqualsTheSeparateModulesAndCountsOneBatch() {
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            Generator gen = new Generator(5);
            Tensor x = Tensor.randn(gen, dtype, 3, 4, 5, 5);
            Tensor r = Tensor.randn(gen, dtype, 3, 4, 5, 5);
            BatchNorm2d fused = new BatchNorm2d(4, dtype);
            BatchNorm2d separate = new BatchNorm2d(4, dtype);
            Tensor a = fused.forwardRelu(x, r);
            Tensor b = Ops.relu(Ops.add(separate.forward(x), r));
            assertArrayEquals(b.toDoubleArray(), a.toDoubleArray(), 0, dtype + " output");
            assertArrayEquals(separate.runningVar().tensor().toDoubleArray(),
                    fused.runningVar().tensor().toDoubleArray(), 0, dtype + " running_var");
            assertEquals(1, fused.numBatchesTracked(), dtype + " num_batches_tracked");
            fused.eval();
            separate.eval();
            assertArrayEquals(Ops.relu(separate.forward(x)).toDoubleArray(),
                    fused.forwardRelu(x, null).toDoubleArray(), 0, dtype + " eval, no residual");
        }
        BatchNorm2d bn = new BatchNorm2d(4);
        assertThrows(IllegalArgumentException.class,
                () -> bn.forwardRelu(Tensor.zeros(DType.F32, 2, 4, 3, 3), Tensor.zeros(DType.F32, 2, 4, 3, 4)));
    }
}
