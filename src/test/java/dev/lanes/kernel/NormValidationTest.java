package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.internal.Norms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The layer and batch normalisation entry points reject bad arguments with named messages. */
class NormValidationTest {

    private static void rejects(String fragment, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), () -> "message '" + e.getMessage() + "' lacks '" + fragment + "'");
    }

    private static void forward(float[] x, int xOff, float[] w, float[] y, int yOff, float[] mean, float[] rstd,
                                double eps) {
        Norms.layerNorm(2, 3, x, xOff, w, 0, null, 0, eps, y, yOff, mean, 0, rstd, 0);
    }

    @Test
    void forwardArgumentsAreChecked() {
        float[] x = new float[6];
        float[] y = new float[6];
        float[] s = new float[2];
        float[] t = new float[2];
        rejects("layerNorm: rows and cols must be >= 0, got -1x3",
                () -> Norms.layerNorm(-1, 3, x, 0, null, 0, null, 0, 1e-5, y, 0, s, 0, t, 0));
        rejects("layerNorm: x[1, 7) is outside x.length = 6", () -> forward(x, 1, null, y, 0, s, t, 1e-5));
        rejects("layerNorm: weight[0, 3) is outside weight.length = 2", () -> forward(x, 0, new float[2], y, 0, s, t, 1e-5));
        rejects("layerNorm: mean[0, 2) is outside mean.length = 1", () -> forward(x, 0, null, y, 0, new float[1], t, 1e-5));
        for (double eps : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            rejects("layerNorm: eps must be finite and > 0, got " + eps, () -> forward(x, 0, null, y, 0, s, t, eps));
        }
        assertThrows(NullPointerException.class, () -> forward(x, 0, null, y, 0, null, t, 1e-5));
    }

    @Test
    void forwardOutputsMayBeTheInputExactlyButOverlapNothingElse() {
        float[] x = {1, 2, 3, 6, 5, 4, 0, 0};
        float[] s = new float[2];
        float[] t = new float[2];
        rejects("layerNorm: y[1, 7) overlaps x[0, 6)", () -> forward(x, 0, null, x, 1, s, t, 1e-5));
        rejects("layerNorm: rstd[0, 2) overlaps mean[0, 2)",
                () -> Norms.layerNorm(2, 3, x, 0, null, 0, null, 0, 1e-5, new float[6], 0, s, 0, s, 0));
        rejects("layerNorm: mean[4, 6) overlaps x[0, 6)",
                () -> Norms.layerNorm(2, 3, x, 0, null, 0, null, 0, 1e-5, new float[6], 0, x, 4, t, 0));
        rejects("layerNorm: y[0, 6) overlaps weight[5, 8)",
                () -> Norms.layerNorm(2, 3, new float[6], 0, x, 5, null, 0, 1e-5, x, 0, s, 0, t, 0));
        float[] copy = x.clone();
        float[] y = new float[6];
        forward(copy, 0, null, y, 0, s, t, 1e-5);
        forward(x, 0, null, x, 0, s, t, 1e-5);
        assertArrayEquals(y, java.util.Arrays.copyOf(x, 6));
    }

    @Test
    void backwardArgumentsAreChecked() {
        float[] x = new float[6];
        float[] s = new float[2];
        float[] t = new float[2];
        float[] dy = new float[6];
        rejects("layerNormBackward: dy[0, 6) is outside dy.length = 5", () -> Norms.layerNormBackward(2, 3, x, 0, s, 0,
                t, 0, null, 0, new float[5], 0, null, 0, null, 0, null, 0));
        rejects("layerNormBackward: db[0, 3) is outside db.length = 2", () -> Norms.layerNormBackward(2, 3, x, 0, s, 0,
                t, 0, null, 0, dy, 0, null, 0, null, 0, new float[2], 0));
        rejects("layerNormBackward: dx[0, 6) overlaps x[0, 6)", () -> Norms.layerNormBackward(2, 3, x, 0, s, 0, t, 0,
                null, 0, dy, 0, x, 0, null, 0, null, 0));
        float[] dy8 = new float[8];
        rejects("layerNormBackward: dx[1, 7) overlaps dy[0, 6)", () -> Norms.layerNormBackward(2, 3, x, 0, s, 0, t, 0,
                null, 0, dy8, 0, dy8, 1, null, 0, null, 0));
        float[] p = new float[6];
        rejects("layerNormBackward: db[2, 5) overlaps dw[0, 3)", () -> Norms.layerNormBackward(2, 3, x, 0, s, 0, t, 0,
                null, 0, dy, 0, null, 0, p, 0, p, 2));
        rejects("layerNormBackward: dw[0, 3) overlaps dy[0, 6)", () -> Norms.layerNormBackward(2, 3, x, 0, s, 0, t, 0,
                null, 0, dy, 0, null, 0, dy, 0, null, 0));
        // dx in place of dy, and a weight and bias gradient side by side in one array, are fine.
        Norms.layerNormBackward(2, 3, x, 0, s, 0, t, 0, null, 0, dy, 0, dy, 0, p, 0, p, 3);
    }

    @Test
    void batchNormArgumentsAreChecked() {
        float[] x = new float[10];
        float[] y = new float[10];
        rejects("batchNorm: x, r and y must all be float[] or all double[]",
                () -> Norms.batchNorm(2, 3, x, null, 0, 5, 0, 1, 1, 0, false, new double[10], 0, 5));
        rejects("batchNorm: x, r and y must all be float[] or all double[]",
                () -> Norms.batchNorm(2, 3, new int[10], null, 0, 5, 0, 1, 1, 0, false, new int[10], 0, 5));
        rejects("batchNorm: x (2x3, offset 5, leading dimension 5) needs x.length >= 13, but it is 10",
                () -> Norms.batchNorm(2, 3, x, null, 5, 5, 0, 1, 1, 0, false, y, 0, 5));
        rejects("batchNorm: ldx=2 is smaller than max(1, cols=3)",
                () -> Norms.batchNorm(2, 3, x, new float[10], 0, 2, 0, 1, 1, 0, true, y, 0, 5));
        rejects("batchNorm: r (2x3, offset 0, leading dimension 5) needs r.length >= 8, but it is 7",
                () -> Norms.batchNorm(2, 3, x, new float[7], 0, 5, 0, 1, 1, 0, true, y, 0, 5));
        rejects("batchNorm: rows and cols must be >= 0, got 2x-1",
                () -> Norms.batchNorm(2, -1, x, null, 0, 5, 0, 1, 1, 0, false, y, 0, 5));
        rejects("batchNormBackward: dy and dx overlap in the same array",
                () -> Norms.batchNormBackward(2, 3, x, y, 0, 5, 0, 1, 1, 0, 0, true, x, 1, 5));
        rejects("batchNormBackward: x and dx overlap in the same array",
                () -> Norms.batchNormBackward(2, 3, x, y, 0, 5, 0, 1, 1, 0, 0, true, y, 0, 5));
        assertThrows(NullPointerException.class,
                () -> Norms.batchNormBackward(2, 3, x, null, 0, 5, 0, 1, 1, 0, 0, true, y, 0, 5));
        // In place, and nothing to do, are fine.
        Norms.batchNorm(2, 3, x, null, 0, 5, 0, 1, 1, 0, false, x, 0, 5);
        Norms.batchNormBackward(2, 3, x, y, 0, 5, 0, 1, 1, 0, 0, true, x, 0, 5);
        Norms.batchNorm(0, 3, x, null, 0, 0, 0, 1, 1, 0, false, y, 0, 0);
    }
}
