package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lanes.kernel.internal.FloatMath;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The fused LSTM step: the vector provider equals the scalar one bit for bit, the forward is the
 * cell's formula element by element, and the backward is the derivative of the forward (checked
 * against central differences in double precision).
 */
class RecurrentProperties {

    static float[] gaussian(Random r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * scale);
        }
        return a;
    }

    record Step(float[] gates, float[] c, float[] tanhC, float[] h, float[] dGates, float[] dcPrev) {
    }

    static Step run(KernelProvider p, int batch, int hidden, long seed, boolean withDc) {
        Random r = new Random(seed);
        float[] gates = gaussian(r, batch * 4 * hidden, 3);
        float[] bias = gaussian(r, 4 * hidden, 1);
        float[] cPrev = gaussian(r, batch * hidden, 2);
        float[] dh = gaussian(r, batch * hidden, 1);
        float[] dc = withDc ? gaussian(r, batch * hidden, 1) : null;
        float[] c = new float[batch * hidden];
        float[] tanhC = new float[batch * hidden];
        float[] h = new float[batch * hidden];
        float[] dGates = new float[batch * 4 * hidden];
        float[] dcPrev = new float[batch * hidden];
        try (Kernels.Scope s = Kernels.use(p)) {
            Recurrent.lstmForward(batch, hidden, gates, bias, cPrev, c, tanhC, h);
            Recurrent.lstmBackward(batch, hidden, gates, cPrev, tanhC, dh, dc, dGates, dcPrev);
        }
        return new Step(gates, c, tanhC, h, dGates, dcPrev);
    }

    @Property(tries = 150)
    void providersAgreeBitForBit(@ForAll @IntRange(min = 0, max = 5) int batch,
                                 @ForAll @IntRange(min = 0, max = 70) int hidden, @ForAll boolean withDc,
                                 @ForAll long seed) {
        Step s = run(Kernels.scalar(), batch, hidden, seed, withDc);
        Step v = run(Kernels.vector().orElseThrow(), batch, hidden, seed, withDc);
        assertArrayEquals(s.gates(), v.gates(), "activated gates");
        assertArrayEquals(s.c(), v.c(), "c");
        assertArrayEquals(s.tanhC(), v.tanhC(), "tanh(c)");
        assertArrayEquals(s.h(), v.h(), "h");
        assertArrayEquals(s.dGates(), v.dGates(), "dGates");
        assertArrayEquals(s.dcPrev(), v.dcPrev(), "dcPrev");
    }

    @Property(tries = 100)
    void forwardIsTheCellFormula(@ForAll @IntRange(min = 1, max = 4) int batch,
                                 @ForAll @IntRange(min = 1, max = 40) int hidden, @ForAll long seed) {
        Random r = new Random(seed);
        float[] pre = gaussian(r, batch * 4 * hidden, 3);
        float[] bias = gaussian(r, 4 * hidden, 1);
        float[] cPrev = gaussian(r, batch * hidden, 2);
        float[] gates = pre.clone();
        float[] c = new float[batch * hidden];
        float[] tanhC = new float[batch * hidden];
        float[] h = new float[batch * hidden];
        Recurrent.lstmForward(batch, hidden, gates, bias, cPrev, c, tanhC, h);
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < hidden; j++) {
                int g = b * 4 * hidden;
                float i = FloatMath.sigmoid(pre[g + j] + bias[j]);
                float f = FloatMath.sigmoid(pre[g + hidden + j] + bias[hidden + j]);
                float gg = FloatMath.tanh(pre[g + 2 * hidden + j] + bias[2 * hidden + j]);
                float o = FloatMath.sigmoid(pre[g + 3 * hidden + j] + bias[3 * hidden + j]);
                float cj = f * cPrev[b * hidden + j] + i * gg;
                assertEquals(cj, c[b * hidden + j], 0f);
                assertEquals(o * FloatMath.tanh(cj), h[b * hidden + j], 0f);
                assertEquals(i, gates[g + j], 0f);
                assertEquals(o, gates[g + 3 * hidden + j], 0f);
            }
        }
    }

    /** The loss sum(h * wh) + sum(c * wc) as a function of the pre-activations and cPrev, in double. */
    static double loss(int batch, int hidden, double[] pre, double[] bias, double[] cPrev, double[] wh, double[] wc) {
        double[] gates = pre.clone();
        double[] c = new double[batch * hidden];
        double[] t = new double[batch * hidden];
        double[] h = new double[batch * hidden];
        Recurrent.lstmForward(batch, hidden, gates, bias, cPrev, c, t, h);
        double s = 0;
        for (int k = 0; k < h.length; k++) {
            s += h[k] * wh[k] + c[k] * wc[k];
        }
        return s;
    }

    @Property(tries = 60)
    void backwardIsTheDerivativeOfForward(@ForAll @IntRange(min = 1, max = 3) int batch,
                                          @ForAll @IntRange(min = 1, max = 7) int hidden, @ForAll long seed) {
        Random r = new Random(seed);
        int gn = batch * 4 * hidden;
        int sn = batch * hidden;
        double[] pre = new double[gn];
        double[] bias = new double[4 * hidden];
        double[] cPrev = new double[sn];
        double[] wh = new double[sn];
        double[] wc = new double[sn];
        for (int k = 0; k < gn; k++) {
            pre[k] = r.nextGaussian() * 2;
        }
        for (int k = 0; k < 4 * hidden; k++) {
            bias[k] = r.nextGaussian();
        }
        for (int k = 0; k < sn; k++) {
            cPrev[k] = r.nextGaussian();
            wh[k] = r.nextGaussian();
            wc[k] = r.nextGaussian();
        }
        double[] gates = pre.clone();
        double[] c = new double[sn];
        double[] t = new double[sn];
        double[] h = new double[sn];
        Recurrent.lstmForward(batch, hidden, gates, bias, cPrev, c, t, h);
        double[] dGates = new double[gn];
        double[] dcPrev = new double[sn];
        // dL/dh = wh, and wc reaches c directly (as the gradient from the next step would).
        Recurrent.lstmBackward(batch, hidden, gates, cPrev, t, wh, wc, dGates, dcPrev);
        double eps = 1e-6;
        for (int k = 0; k < gn; k++) {
            double[] up = pre.clone();
            double[] down = pre.clone();
            up[k] += eps;
            down[k] -= eps;
            double numeric = (loss(batch, hidden, up, bias, cPrev, wh, wc)
                    - loss(batch, hidden, down, bias, cPrev, wh, wc)) / (2 * eps);
            assertEquals(numeric, dGates[k], 1e-5 + 1e-3 * Math.abs(numeric), "dGates[" + k + "]");
        }
        for (int k = 0; k < sn; k++) {
            double[] up = cPrev.clone();
            double[] down = cPrev.clone();
            up[k] += eps;
            down[k] -= eps;
            double numeric = (loss(batch, hidden, pre, bias, up, wh, wc) - loss(batch, hidden, pre, bias, down, wh, wc))
                    / (2 * eps);
            assertEquals(numeric, dcPrev[k], 1e-5 + 1e-3 * Math.abs(numeric), "dcPrev[" + k + "]");
        }
    }

    record GruStep(float[] gx, float[] h, float[] dGx, float[] dGh, float[] dhPrev) {
    }

    static GruStep runGru(KernelProvider p, int batch, int hidden, long seed) {
        Random r = new Random(seed);
        float[] gx = gaussian(r, batch * 3 * hidden, 3);
        float[] gh = gaussian(r, batch * 3 * hidden, 3);
        float[] hPrev = gaussian(r, batch * hidden, 1);
        float[] dh = gaussian(r, batch * hidden, 1);
        float[] h = new float[batch * hidden];
        float[] dGx = new float[batch * 3 * hidden];
        float[] dGh = new float[batch * 3 * hidden];
        float[] dhPrev = new float[batch * hidden];
        try (Kernels.Scope s = Kernels.use(p)) {
            Recurrent.gruForward(batch, hidden, gx, gh, hPrev, h);
            Recurrent.gruBackward(batch, hidden, gx, gh, hPrev, dh, dGx, dGh, dhPrev);
        }
        return new GruStep(gx, h, dGx, dGh, dhPrev);
    }

    @Property(tries = 150)
    void gruProvidersAgreeBitForBit(@ForAll @IntRange(min = 0, max = 5) int batch,
                                    @ForAll @IntRange(min = 0, max = 70) int hidden, @ForAll long seed) {
        GruStep s = runGru(Kernels.scalar(), batch, hidden, seed);
        GruStep v = runGru(Kernels.vector().orElseThrow(), batch, hidden, seed);
        assertArrayEquals(s.gx(), v.gx(), "activated gates");
        assertArrayEquals(s.h(), v.h(), "h");
        assertArrayEquals(s.dGx(), v.dGx(), "dGx");
        assertArrayEquals(s.dGh(), v.dGh(), "dGh");
        assertArrayEquals(s.dhPrev(), v.dhPrev(), "dhPrev");
    }

    @Property(tries = 100)
    void gruForwardIsPyTorchsFormula(@ForAll @IntRange(min = 1, max = 4) int batch,
                                     @ForAll @IntRange(min = 1, max = 40) int hidden, @ForAll long seed) {
        Random r = new Random(seed);
        float[] gx0 = gaussian(r, batch * 3 * hidden, 3);
        float[] gh = gaussian(r, batch * 3 * hidden, 3);
        float[] hPrev = gaussian(r, batch * hidden, 1);
        float[] gx = gx0.clone();
        float[] h = new float[batch * hidden];
        Recurrent.gruForward(batch, hidden, gx, gh, hPrev, h);
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < hidden; j++) {
                int g = b * 3 * hidden;
                float rr = FloatMath.sigmoid(gx0[g + j] + gh[g + j]);
                float z = FloatMath.sigmoid(gx0[g + hidden + j] + gh[g + hidden + j]);
                float n = FloatMath.tanh(gx0[g + 2 * hidden + j] + rr * gh[g + 2 * hidden + j]);
                assertEquals((1 - z) * n + z * hPrev[b * hidden + j], h[b * hidden + j], 0f);
            }
        }
    }

    /** sum(h * w) as a function of gx, gh and hPrev, in double. */
    static double gruLoss(int batch, int hidden, double[] gx, double[] gh, double[] hPrev, double[] w) {
        double[] h = new double[batch * hidden];
        Recurrent.gruForward(batch, hidden, gx.clone(), gh, hPrev, h);
        double s = 0;
        for (int k = 0; k < h.length; k++) {
            s += h[k] * w[k];
        }
        return s;
    }

    @Property(tries = 60)
    void gruBackwardIsTheDerivativeOfForward(@ForAll @IntRange(min = 1, max = 3) int batch,
                                             @ForAll @IntRange(min = 1, max = 7) int hidden, @ForAll long seed) {
        Random r = new Random(seed);
        int gn = batch * 3 * hidden;
        int sn = batch * hidden;
        double[][] in = {new double[gn], new double[gn], new double[sn]};
        double[] w = new double[sn];
        for (double[] a : in) {
            for (int k = 0; k < a.length; k++) {
                a[k] = r.nextGaussian() * 1.5;
            }
        }
        for (int k = 0; k < sn; k++) {
            w[k] = r.nextGaussian();
        }
        double[] gx = in[0].clone();
        double[] h = new double[sn];
        Recurrent.gruForward(batch, hidden, gx, in[1], in[2], h);
        double[] dGx = new double[gn];
        double[] dGh = new double[gn];
        double[] dhPrev = new double[sn];
        Recurrent.gruBackward(batch, hidden, gx, in[1], in[2], w, dGx, dGh, dhPrev);
        double[][] analytic = {dGx, dGh, dhPrev};
        String[] names = {"dGx", "dGh", "dhPrev"};
        double eps = 1e-6;
        for (int which = 0; which < 3; which++) {
            for (int k = 0; k < in[which].length; k++) {
                double[][] up = {in[0].clone(), in[1].clone(), in[2].clone()};
                double[][] down = {in[0].clone(), in[1].clone(), in[2].clone()};
                up[which][k] += eps;
                down[which][k] -= eps;
                double numeric = (gruLoss(batch, hidden, up[0], up[1], up[2], w)
                        - gruLoss(batch, hidden, down[0], down[1], down[2], w)) / (2 * eps);
                assertEquals(numeric, analytic[which][k], 1e-5 + 1e-3 * Math.abs(numeric), names[which] + "[" + k + "]");
            }
        }
    }

    @Example
    void argumentsAreChecked() {
        float[] s = new float[2];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Recurrent.lstmForward(1, 2, new float[7], new float[8], new float[2], new float[2], new float[2],
                        new float[2]));
        assertEquals("lstmForward: gates needs 8 elements, has 7", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Recurrent.lstmForward(1, 2, new float[8], new float[8], new float[2], new float[2], s, s));
        assertEquals("lstmForward: the same array is passed twice (arguments 4 and 5)", e.getMessage());
        // The cell state may be updated in place (inference), and its gradient too.
        float[] state = {0.5f, -0.5f};
        Recurrent.lstmForward(1, 2, new float[8], new float[8], state, state, new float[2], new float[2]);
        assertEquals(0.25f, state[0], 0f); // f = i = 0.5, g = 0: c = 0.5 * 0.5
        float[] d = {1f, 1f};
        Recurrent.lstmBackward(1, 2, new float[8], new float[2], new float[2], new float[2], d, new float[8], d);
    }
}
