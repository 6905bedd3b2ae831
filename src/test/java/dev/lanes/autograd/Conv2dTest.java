package dev.lanes.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.internal.ConvGeometry;
import dev.lanes.kernel.internal.Parallel;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@code conv2d}: thread-count independence, the blocked weight gradient and the validation messages. */
class Conv2dTest {

    private static final int[] ONE = {1, 1};
    private static final int[] ZERO = {0, 0};

    /** Output and gradients of a layer big enough for the GEMM to split across threads. */
    static double[][] run(int threads, int stride) {
        int before = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            Generator gen = new Generator(7);
            Tensor x = Tensor.uniform(gen, DType.F32, -1, 1, 4, 16, 28, 28).requiresGrad(true);
            Tensor w = Tensor.uniform(gen, DType.F32, -0.1, 0.1, 32, 16, 3, 3).requiresGrad(true);
            Tensor b = Tensor.uniform(gen, DType.F32, -0.1, 0.1, 32).requiresGrad(true);
            Tensor y = Ops.conv2d(x, w, b, new int[] {stride, stride}, ONE, ONE, 1);
            y.backward(Tensor.uniform(gen, DType.F32, -1, 1, y.dims()));
            return new double[][] {y.toDoubleArray(), x.grad().toDoubleArray(), w.grad().toDoubleArray(),
                    b.grad().toDoubleArray()};
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void oneAndTwoThreadsAreBitIdentical() {
        for (int stride = 1; stride <= 2; stride++) {
            double[][] one = run(1, stride);
            double[][] two = run(2, stride);
            for (int k = 0; k < one.length; k++) {
                assertArrayEquals(one[k], two[k], "stride " + stride + " result " + k);
            }
        }
    }

    @Test
    void weightGradientRangesFollowTheShapes() {
        // n, C_in, H, W, C_out, groups, kH, kW, sH, sW, pH, pW, dH, dW
        assertEquals(2, Conv2dNode.weightGradRanges(ConvGeometry.of(8, 512, 7, 7, 512, 1, 3, 3, 1, 1, 1, 1, 1, 1)));
        assertEquals(2, Conv2dNode.weightGradRanges(ConvGeometry.of(8, 256, 14, 14, 256, 1, 3, 3, 1, 1, 1, 1, 1, 1)));
        assertEquals(4, Conv2dNode.weightGradRanges(ConvGeometry.of(16, 8, 14, 14, 8, 1, 3, 3, 1, 1, 1, 1, 1, 1)));
        assertEquals(8, Conv2dNode.weightGradRanges(ConvGeometry.of(8, 128, 28, 28, 128, 1, 3, 3, 1, 1, 1, 1, 1, 1)));
        assertEquals(8, Conv2dNode.weightGradRanges(ConvGeometry.of(64, 64, 8, 8, 64, 1, 3, 3, 1, 1, 1, 1, 1, 1)));
        assertEquals(4, Conv2dNode.weightGradRanges(ConvGeometry.of(64, 64, 7, 7, 64, 1, 3, 3, 1, 1, 1, 1, 1, 1)));
        assertEquals(8, Conv2dNode.weightGradRanges(ConvGeometry.of(500, 1, 100, 100, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1)));
        assertEquals(2, Conv2dNode.weightGradRanges(ConvGeometry.of(3, 4, 2, 2, 4, 1, 1, 1, 1, 1, 0, 0, 1, 1)));
        assertEquals(1, Conv2dNode.weightGradRanges(ConvGeometry.of(1, 4, 64, 64, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1)));
    }

    /**
     * Weight gradients summed from two and four image ranges, over weights of many summation
     * chunks: the same bits on 1, 2 and 3 threads, and the F64 gradient within float rounding.
     */
    @Test
    void weightGradientOfFewRangesIsThreadIndependentAndExact() {
        int[][] shapes = {{8, 64, 7, 64}, {16, 32, 14, 48}}; // n, C_in, H = W, C_out
        for (int[] s : shapes) {
            double[] one = weightGradient(s, DType.F32, 1);
            assertArrayEquals(one, weightGradient(s, DType.F32, 2), "2 threads " + Arrays.toString(s));
            assertArrayEquals(one, weightGradient(s, DType.F32, 3), "3 threads " + Arrays.toString(s));
            double[] exact = weightGradient(s, DType.F64, 1);
            for (int i = 0; i < exact.length; i++) {
                // Each weight's gradient sums n H W products of values in [-1, 1]: float rounding only.
                assertEquals(exact[i], one[i], 1e-4 * (1 + Math.abs(exact[i])),
                        "weight " + i + " " + Arrays.toString(s));
            }
        }
    }

    private static double[] weightGradient(int[] s, DType dtype, int threads) {
        int before = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            Generator gen = new Generator(31);
            Tensor x = Tensor.uniform(gen, DType.F32, -1, 1, s[0], s[1], s[2], s[2]).to(dtype);
            Tensor w = Tensor.uniform(gen, DType.F32, -0.1, 0.1, s[3], s[1], 3, 3).to(dtype).requiresGrad(true);
            Tensor dy = Tensor.uniform(gen, DType.F32, -1, 1, s[0], s[3], s[2], s[2]).to(dtype);
            Ops.conv2d(x, w, null, ONE, ONE, ONE, 1).backward(dy);
            return w.grad().toDoubleArray();
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void weightGradientSplitIntoRowBlocksMatchesFiniteDifferences() {
        // 8 input channels per group, 3x3: 72 columns-matrix rows, split into two blocks per group.
        Generator gen = new Generator(11);
        Tensor x = Tensor.uniform(gen, DType.F64, -1, 1, 2, 16, 5, 4).requiresGrad(true);
        Tensor w = Tensor.uniform(gen, DType.F64, -1, 1, 4, 8, 3, 3).requiresGrad(true);
        Tensor b = Tensor.uniform(gen, DType.F64, -1, 1, 4).requiresGrad(true);
        assertNull(GradCheck.check(t -> Ops.conv2d(t[0], t[1], t[2], new int[] {2, 1}, ONE, ONE, 2), x, w, b));
    }

    private static String message(Tensor x, Tensor w, Tensor b, int[] s, int[] p, int[] d, int groups) {
        return assertThrows(IllegalArgumentException.class, () -> Ops.conv2d(x, w, b, s, p, d, groups)).getMessage();
    }

    private static void assertContains(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), () -> "'" + message + "' lacks '" + part + "'");
        }
    }

    @Test
    void rejectsBadArgumentsNamingTheShapes() {
        Tensor x = Tensor.zeros(DType.F64, 2, 4, 5, 5);
        Tensor w = Tensor.zeros(DType.F64, 6, 2, 3, 3);
        assertContains(message(Tensor.zeros(DType.F64, 4, 5, 5), w, null, ONE, ZERO, ONE, 2), "conv2d", "4-D input",
                "[4, 5, 5]");
        assertContains(message(x, Tensor.zeros(DType.F64, 6, 2, 3), null, ONE, ZERO, ONE, 2), "4-D weight",
                "[6, 2, 3]");
        assertContains(message(x, w, null, ONE, ZERO, ONE, 1), "groups=1", "[6, 2, 3, 3]", "[2, 4, 5, 5]",
                "to have 2 channels, but got 4 channels");
        assertContains(message(x, Tensor.zeros(DType.F64, 6, 1, 3, 3), null, ONE, ZERO, ONE, 3),
                "not divisible by groups=3", "[2, 4, 5, 5]");
        assertContains(message(x, Tensor.zeros(DType.F64, 5, 2, 3, 3), null, ONE, ZERO, ONE, 2),
                "not divisible by groups=2", "[5, 2, 3, 3]");
        assertContains(message(x, Tensor.zeros(DType.F64, 6, 2, 7, 3), null, ONE, ZERO, ONE, 2),
                "Kernel size can't be greater than actual input size", "(5 x 5)", "(7 x 3)");
        assertContains(message(x, w, null, ONE, ZERO, new int[] {3, 1}, 2), "(7 x 3)");
        assertContains(message(x, w, null, new int[] {0, 1}, ZERO, ONE, 2), "non-positive stride", "[0, 1]");
        assertContains(message(x, w, null, ONE, new int[] {-1, 0}, ONE, 2), "negative padding", "[-1, 0]");
        assertContains(message(x, w, null, ONE, ZERO, new int[] {1, 0}, 2), "dilation should be greater than zero");
        assertContains(message(x, w, null, ONE, ZERO, ONE, 0), "non-positive groups");
        assertContains(message(x, w, null, new int[] {1}, ZERO, ONE, 2), "stride", "2 values");
        assertContains(message(x, w, Tensor.zeros(DType.F64, 5), ONE, ZERO, ONE, 2), "bias", "[5]", "[6]");
        assertContains(message(x, Tensor.zeros(DType.F32, 6, 2, 3, 3), null, ONE, ZERO, ONE, 2), "conv2d", "F32",
                "F64");
    }
}
