package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.autograd.Ops;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Shape;
import dev.lanes.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The pooling modules, Flatten, Dropout and Identity, and the poolings' validation messages. */
class NchwLayersTest {

    private static Tensor input(long seed, int... dims) {
        return Tensor.randn(new Generator(seed), DType.F64, dims);
    }

    @Test
    void poolingModulesCallTheirFunctionsWithStrideDefaultingToTheKernel() {
        Tensor x = input(1, 2, 3, 6, 7);
        assertArrayEquals(Ops.maxPool2d(x, new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 1},
                false).toDoubleArray(), new MaxPool2d(2).forward(x).toDoubleArray());
        assertEquals(Shape.of(2, 3, 3, 3), new MaxPool2d(2).forward(x).shape());
        assertEquals(Shape.of(2, 3, 3, 4), new MaxPool2d(3, 2, 1).forward(x).shape());
        assertArrayEquals(Ops.avgPool2d(x, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, false, true)
                .toDoubleArray(), new AvgPool2d(3, 2, 1).forward(x).toDoubleArray());
        assertEquals(Shape.of(2, 3, 2, 2), new AvgPool2d(3).forward(x).shape());
        Tensor global = new AdaptiveAvgPool2d(1).forward(x);
        assertEquals(Shape.of(2, 3, 1, 1), global.shape());
        assertEquals(Ops.mean(x, true, 2, 3).getFlat(4), global.getFlat(4), 1e-12);
        assertEquals(0, new MaxPool2d(2).parameterCount());
        assertTrue(new MaxPool2d(2).stateDict().isEmpty());
    }

    @Test
    void poolingValidationNamesTheShapes() {
        Tensor x3 = input(1, 3, 4, 4);
        String rank = assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(2).forward(x3)).getMessage();
        assertTrue(rank.contains("maxPool2d") && rank.contains("[3, 4, 4]"), rank);
        Tensor x = input(1, 1, 1, 3, 3);
        String small = assertThrows(IllegalArgumentException.class, () -> new AvgPool2d(4).forward(x)).getMessage();
        assertTrue(small.contains("avgPool2d") && small.contains("[1, 1, 3, 3]") && small.contains("(4, 4)"), small);
        String pad = assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(2, 1, 2).forward(x))
                .getMessage();
        assertTrue(pad.contains("padding (2, 2)") && pad.contains("half of kernel_size (2, 2)"), pad);
        String out = assertThrows(IllegalArgumentException.class, () -> new AdaptiveAvgPool2d(0, 2).forward(x))
                .getMessage();
        assertTrue(out.contains("output_size") && out.contains("(0, 2)"), out);
        String stride = assertThrows(IllegalArgumentException.class, () -> Ops.maxPool2d(x, new int[] {2, 2},
                new int[] {0, 1}, new int[] {0, 0}, new int[] {1, 1}, false)).getMessage();
        assertTrue(stride.contains("stride"), stride);
    }

    @Test
    void maxPoolPropagatesNaNAndSendsTheGradientToTheLastNaNAsPyTorchDoes() {
        Tensor x = Tensor.of(new double[] {1, Double.NaN, 3, Double.NaN}, 1, 1, 1, 4).requiresGrad(true);
        Tensor y = Ops.maxPool2d(x, new int[] {1, 4}, null, new int[] {0, 0}, new int[] {1, 1}, false);
        assertTrue(Double.isNaN(y.item()));
        y.backward(Tensor.ones(DType.F64, 1, 1, 1, 1));
        assertArrayEquals(new double[] {0, 0, 0, 1}, x.grad().toDoubleArray());
    }

    @Test
    void flattenMergesTheGivenDimensions() {
        Tensor x = input(2, 2, 3, 4, 5).requiresGrad(true);
        assertEquals(Shape.of(2, 60), new Flatten().forward(x).shape());
        assertEquals(Shape.of(120), new Flatten(0, -1).forward(x).shape());
        assertEquals(Shape.of(2, 12, 5), new Flatten(1, 2).forward(x).shape());
        assertEquals(Shape.of(2, 3, 4, 5), new Flatten(2, 2).forward(x).shape());
        Ops.sum(new Flatten().forward(x)).backward();
        assertEquals(Shape.of(2, 3, 4, 5), x.grad().shape());
        String bad = assertThrows(IllegalArgumentException.class, () -> new Flatten(1, 4).forward(x)).getMessage();
        assertTrue(bad.contains("[2, 3, 4, 5]"), bad);
        assertThrows(IllegalArgumentException.class, () -> new Flatten(2, 1).forward(x));
    }

    @Test
    void dropoutIsSeededAndOnlyActiveInTraining() {
        Tensor x = Tensor.ones(DType.F64, 4, 50);
        Tensor y = new Dropout(0.3, new Generator(9)).forward(x);
        assertArrayEquals(Ops.dropout(x, 0.3, new Generator(9)).toDoubleArray(), y.toDoubleArray());
        for (double v : y.toDoubleArray()) {
            assertTrue(v == 0 || Math.abs(v - 1 / 0.7) < 1e-12, "value " + v);
        }
        Dropout d = new Dropout(0.3, new Generator(9));
        assertNotEquals(0, java.util.Arrays.stream(d.forward(x).toDoubleArray()).filter(v -> v == 0).count());
        d.eval();
        assertSame(x, d.forward(x));
        String bad = assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5, new Generator(1)))
                .getMessage();
        assertTrue(bad.contains("1.5"), bad);
        assertEquals("Dropout(p=0.3)", d.toString());
    }

    @Test
    void identityReturnsItsInput() {
        Tensor x = input(3, 2, 2);
        assertSame(x, new Identity().forward(x));
        assertEquals(0, new Identity().parameterCount());
    }
}
