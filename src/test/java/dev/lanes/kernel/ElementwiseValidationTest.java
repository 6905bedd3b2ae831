package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.internal.Binary;
import dev.lanes.kernel.internal.Elementwise;
import dev.lanes.kernel.internal.Reductions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The public pointwise and reduction entry points reject bad arguments with named messages. */
class ElementwiseValidationTest {

    private static void rejects(String fragment, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), () -> "message '" + e.getMessage() + "' lacks '" + fragment + "'");
    }

    @Test
    void rangesMustFit() {
        float[] x = new float[10];
        float[] y = new float[10];
        rejects("tanh: x[8, 11) is outside x.length = 10", () -> Elementwise.activate(Activation.TANH, x, 8, y, 0, 3));
        rejects("sigmoid: y[-1, 2)", () -> Elementwise.activate(Activation.SIGMOID, x, 0, y, -1, 3));
        rejects("log: n must be >= 0, got -1", () -> Elementwise.log(x, 0, y, 0, -1));
        rejects("mul: b[5, 15)", () -> Elementwise.binary(Binary.MUL, x, 0, y, 5, new float[10], 0, 10));
        rejects("axpy: y[0, 11)", () -> Elementwise.axpy(2f, new float[11], 0, y, 0, 11));
        rejects("sum: x[0, 2147483647)", () -> Reductions.sum(x, 0, Integer.MAX_VALUE));
        rejects("dot: y[5, 10)", () -> Reductions.dot(x, 0, new float[9], 5, 5));
    }

    @Test
    void outputsMayBeAnInputExactlyButNotPartly() {
        float[] x = {0f, 1f, 2f, 3f, 4f, 5f};
        Elementwise.activate(Activation.EXP, x, 1, x, 1, 3); // in place is fine
        rejects("tanh: y[2, 6) overlaps x[0, 4) in the same array",
                () -> Elementwise.activate(Activation.TANH, x, 0, x, 2, 4));
        rejects("add: y[1, 4) overlaps b[0, 3)", () -> Elementwise.binary(Binary.ADD, new float[3], 0, x, 0, x, 1, 3));
        rejects("softmax: y[1, 5) overlaps x[0, 4)", () -> Reductions.softmax(2, 2, x, 0, x, 1));
        rejects("addColumnSums: y and x overlap", () -> Reductions.addColumnSums(2, 2, x, 0, 2, x, 3));
        rejects("biasActivate: bias and x overlap",
                () -> Elementwise.biasActivate(Activation.RELU, 2, 2, x, 1, x, 0, 2));
        // Ranges that only touch are disjoint.
        Elementwise.activate(Activation.TANH, x, 0, x, 3, 3);
    }

    @Test
    void matricesMustFit() {
        rejects("biasActivate: ldx=2 is smaller than max(1, cols=3)",
                () -> Elementwise.biasActivate(Activation.TANH, 2, 3, new float[3], 0, new float[6], 0, 2));
        rejects("x (2x3, offset 1, leading dimension 4) needs x.length >= 8, but it is 7",
                () -> Elementwise.biasActivate(Activation.TANH, 2, 3, new float[3], 0, new float[7], 1, 4));
        rejects("biasActivate: bias[0, 3) is outside bias.length = 2",
                () -> Elementwise.biasActivate(Activation.TANH, 2, 3, new float[2], 0, new float[6], 0, 3));
        rejects("logSoftmax: rows and cols must be >= 0, got -1x3",
                () -> Reductions.logSoftmax(-1, 3, new float[3], 0, new float[3], 0));
        rejects("softmaxBackward: dy[0, 6) is outside dy.length = 5",
                () -> Reductions.softmaxBackward(2, 3, new double[6], 0, new double[5], 0, new double[6], 0));
        rejects("softmax: 65536x65536 elements do not fit",
                () -> Reductions.softmax(65536, 65536, new float[1], 0, new float[1], 0));
    }

    @Test
    void nullsAndEmptyMax() {
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> Elementwise.activate(Activation.TANH, (float[]) null, 0, new float[1], 0, 1));
        assertEquals("tanh: x is null", e.getMessage());
        e = assertThrows(NullPointerException.class,
                () -> Elementwise.activate(null, new float[1], 0, new float[1], 0, 1));
        assertEquals("activate: the activation is null", e.getMessage());
        rejects("max: the input is empty", () -> Reductions.max(new float[3], 1, 0));
    }

    @Test
    void emptyInputsAreNoOps() {
        float[] y = {7f};
        Elementwise.activate(Activation.TANH, new float[0], 0, y, 1, 0);
        Reductions.softmax(0, 5, new float[0], 0, y, 0);
        Reductions.softmax(3, 0, new float[0], 0, y, 0);
        Elementwise.biasActivate(Activation.TANH, 0, 4, new float[4], 0, y, 0, 4);
        assertArrayEquals(new float[] {7f}, y);
        assertEquals(0f, Reductions.sum(new float[0], 0, 0));
        assertEquals(0d, Reductions.sumOfSquares(new double[2], 2, 0));
    }

    @Test
    void doubleEntryPointsComputeToo() {
        double[] x = {-1, 0, 2};
        double[] y = new double[3];
        Elementwise.activate(Activation.SIGMOID, x, 0, y, 0, 3);
        assertEquals(1 / (1 + Math.exp(1)), y[0], 1e-16);
        Elementwise.biasActivate(Activation.RELU, 1, 3, new double[] {1, -1, 0}, 0, x, 0, 3);
        assertArrayEquals(new double[] {0, 0, 2}, x);
        assertEquals(2d, Reductions.max(x, 0, 3));
        assertEquals(4d, Reductions.sumOfSquares(x, 0, 3));
    }
}
