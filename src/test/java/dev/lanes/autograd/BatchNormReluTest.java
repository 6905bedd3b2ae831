package dev.lanes.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.internal.Parallel;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Ops#batchNormRelu} in F32 gives the bits of the three separate ops,
 * {@code relu(batchNorm(x) + residual)}: output, every gradient and the running statistics, in
 * training and evaluation mode, with and without a residual, with planes from 7x7 (one
 * reduction per channel dominated by overheads before) to 28x28, and on one and two threads.
 */
class BatchNormReluTest {

    private static List<float[]> run(boolean fused, boolean withResidual, boolean training, int n, int c, int h,
                                     int w) {
        Generator gen = new Generator(11);
        Tensor x = Tensor.randn(gen, DType.F32, n, c, h, w).requiresGrad(true);
        Tensor skip = Tensor.randn(gen, DType.F32, n, c, h, w).requiresGrad(true);
        Tensor weight = Tensor.uniform(gen, DType.F32, 0.5, 1.5, c).requiresGrad(true);
        Tensor bias = Tensor.uniform(gen, DType.F32, -0.5, 0.5, c).requiresGrad(true);
        Tensor rm = Tensor.uniform(gen, DType.F32, -0.2, 0.2, c);
        Tensor rv = Tensor.uniform(gen, DType.F32, 0.8, 1.2, c);
        Tensor residual = withResidual ? skip : null;
        Tensor y;
        if (fused) {
            y = Ops.batchNormRelu(x, residual, rm, rv, weight, bias, training, 0.1, 1e-5);
        } else {
            Tensor bn = Ops.batchNorm(x, rm, rv, weight, bias, training, 0.1, 1e-5);
            y = Ops.relu(withResidual ? Ops.add(bn, skip) : bn);
        }
        y.backward(Tensor.randn(new Generator(12), DType.F32, y.dims()));
        List<float[]> out = new ArrayList<>();
        for (Tensor t : new Tensor[] {y, x.grad(), weight.grad(), bias.grad(), rm, rv}) {
            out.add(t.toFloatArray());
        }
        if (withResidual) {
            out.add(skip.grad().toFloatArray());
        }
        return out;
    }

    private static void assertSameBits(List<float[]> a, List<float[]> b, String what) {
        assertEquals(a.size(), b.size(), what);
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i), b.get(i), 0f, what + " result " + i);
        }
    }

    @ParameterizedTest
    // 74x74 planes make a channel run longer than the backward rereads from scratch (4 x 74 x 74
    // floats > 16384), so its second pass reads the arrays in place.
    @CsvSource({"true, true, 7", "true, false, 7", "false, true, 7", "false, false, 5", "true, true, 28",
            "true, false, 14", "true, true, 74", "false, true, 74"})
    void fusedGivesTheBitsOfTheSeparateOps(boolean residual, boolean training, int size) {
        int before = Parallel.threads();
        try {
            for (int threads = 1; threads <= 2; threads++) {
                Parallel.setThreads(threads);
                List<float[]> separate = run(false, residual, training, 4, 6, size, size);
                List<float[]> fused = run(true, residual, training, 4, 6, size, size);
                assertSameBits(separate, fused, threads + " thread(s), residual " + residual + ", training "
                        + training + ", " + size + "x" + size);
            }
            Parallel.setThreads(1);
            List<float[]> one = run(true, residual, training, 4, 6, size, size);
            Parallel.setThreads(2);
            assertSameBits(one, run(true, residual, training, 4, 6, size, size), "1 vs 2 threads");
        } finally {
            Parallel.setThreads(before);
        }
    }

    /**
     * Batch norm (plain, with the ReLU, with ReLU and residual) followed by a 1x1 convolution,
     * whose input gradient is a fresh tensor the engine hands over to the batch norm's backward
     * (BackwardContext), which then computes in it; with {@code passThrough} a multiplication by one
     * in between hands it a gradient it must not overwrite.
     */
    private static List<float[]> runUnderConvolution(int kind, boolean passThrough, boolean training, int size) {
        Generator gen = new Generator(21);
        int c = 5;
        Tensor x = Tensor.randn(gen, DType.F32, 3, c, size, size).requiresGrad(true);
        Tensor skip = Tensor.randn(gen, DType.F32, 3, c, size, size).requiresGrad(true);
        Tensor weight = Tensor.uniform(gen, DType.F32, 0.5, 1.5, c).requiresGrad(true);
        Tensor bias = Tensor.uniform(gen, DType.F32, -0.5, 0.5, c).requiresGrad(true);
        Tensor head = Tensor.randn(gen, DType.F32, 4, c, 1, 1).requiresGrad(true);
        Tensor rm = Tensor.uniform(gen, DType.F32, -0.2, 0.2, c);
        Tensor rv = Tensor.uniform(gen, DType.F32, 0.8, 1.2, c);
        Tensor y = kind == 0 ? Ops.batchNorm(x, rm, rv, weight, bias, training, 0.1, 1e-5)
                : Ops.batchNormRelu(x, kind == 2 ? skip : null, rm, rv, weight, bias, training, 0.1, 1e-5);
        if (passThrough) {
            y = Ops.mul(y, 1.0);
        }
        int[] one = {1, 1};
        Tensor z = Ops.conv2d(y, head, null, one, new int[] {0, 0}, one, 1);
        z.backward(Tensor.randn(new Generator(22), DType.F32, z.dims()));
        List<float[]> out = new ArrayList<>();
        for (Tensor t : new Tensor[] {x.grad(), weight.grad(), bias.grad(), head.grad()}) {
            out.add(t.toFloatArray());
        }
        if (kind == 2) {
            out.add(skip.grad().toFloatArray());
        }
        return out;
    }

    @ParameterizedTest
    @CsvSource({"0, true, 7", "1, true, 7", "2, true, 7", "2, false, 7", "0, true, 28", "1, true, 28",
            "2, true, 28", "1, true, 74", "2, true, 74"})
    void anOwnedGradientComputedInPlaceGivesTheSameBits(int kind, boolean training, int size) {
        int before = Parallel.threads();
        try {
            for (int threads = 1; threads <= 2; threads++) {
                Parallel.setThreads(threads);
                assertSameBits(runUnderConvolution(kind, true, training, size),
                        runUnderConvolution(kind, false, training, size), threads + " thread(s)");
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void aResidualOfAnotherShapeOrDtypeIsRejected() {
        Tensor x = Tensor.zeros(DType.F32, 2, 3, 4, 4);
        Tensor w = Tensor.ones(DType.F32, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Ops.batchNormRelu(x, Tensor.zeros(DType.F32, 2, 3, 4, 5), null, null, w, null, true, 0.1, 1e-5));
        assertTrue(e.getMessage().contains("[2, 3, 4, 4]") && e.getMessage().contains("[2, 3, 4, 5]"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Ops.batchNormRelu(x, Tensor.zeros(DType.F64, 2, 3, 4, 4), null, null, w, null, true, 0.1, 1e-5));
    }

    @Test
    void theOutputNodeIsNamedAsPyTorchNamesTheLastOp() {
        Tensor x = Tensor.randn(new Generator(3), DType.F32, 2, 3, 4, 4).requiresGrad(true);
        Tensor y = Ops.batchNormRelu(x, null, null, null, null, null, true, 0.1, 1e-5);
        assertTrue(y.toString().contains("ReluBackward0"), y.toString());
    }
}
