package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lanes.kernel.internal.FloatMath;
import dev.lanes.kernel.internal.KernelProvider;
import dev.lanes.kernel.internal.Providers;
import dev.lanes.kernel.internal.Recurrent;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.function.Executable;

/**
 * The fused LSTM and GRU steps: the vector provider equals the scalar one bit for bit, the
 * forward is the cell's formula element by element, and the backward is the derivative of the
 * forward (checked against central differences in double precision). Every argument sits at its
 * own random non-zero offset inside a larger array framed by sentinels that must stay untouched;
 * states may be updated in place, and a whole sequence may live in one buffer per quantity.
 */
class RecurrentProperties {

    /** What no kernel may write: every argument has some of it before and after its range. */
    static final float SENTINEL = -777.25f;

    static float[] gaussian(Random r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * scale);
        }
        return a;
    }

    /** One argument: {@code n} elements from {@code off} in {@code a}, sentinels elsewhere. */
    record Arg(float[] a, int off, int n) {

        float get(int k) {
            return a[off + k];
        }

        float[] data() {
            return Arrays.copyOfRange(a, off, off + n);
        }

        /** Everything outside [off, off + n) still holds the sentinel. */
        void assertFramed(String name) {
            for (int k = 0; k < a.length; k++) {
                if ((k < off || k >= off + n) && Float.floatToRawIntBits(a[k]) != Float.floatToRawIntBits(SENTINEL)) {
                    fail(name + ": element " + k + " outside [" + off + ", " + (off + n) + ") was written: " + a[k]);
                }
            }
        }
    }

    /** {@code data} at a random offset in 1..9 with 1..9 sentinels after it. */
    static Arg place(Random layout, float[] data) {
        int off = 1 + layout.nextInt(9);
        float[] a = new float[off + data.length + 1 + layout.nextInt(9)];
        Arrays.fill(a, SENTINEL);
        System.arraycopy(data, 0, a, off, data.length);
        return new Arg(a, off, data.length);
    }

    /** The double precision twin of {@link Arg}. */
    record DArg(double[] a, int off, int n) {

        double get(int k) {
            return a[off + k];
        }

        void assertFramed(String name) {
            for (int k = 0; k < a.length; k++) {
                if ((k < off || k >= off + n) && a[k] != SENTINEL) {
                    fail(name + ": element " + k + " outside [" + off + ", " + (off + n) + ") was written: " + a[k]);
                }
            }
        }
    }

    static DArg place(Random layout, double[] data) {
        int off = 1 + layout.nextInt(9);
        double[] a = new double[off + data.length + 1 + layout.nextInt(9)];
        Arrays.fill(a, SENTINEL);
        System.arraycopy(data, 0, a, off, data.length);
        return new DArg(a, off, data.length);
    }

    static void assertFramed(Arg... args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i] != null) {
                args[i].assertFramed("argument " + i);
            }
        }
    }

    // Calls with each argument at its offset (dc may be null: its offset is then a bogus -1).

    static void lstmForward(int batch, int hidden, Arg gates, Arg bias, Arg cPrev, Arg c, Arg tanhC, Arg h) {
        Recurrent.lstmForward(batch, hidden, gates.a(), gates.off(), bias.a(), bias.off(), cPrev.a(), cPrev.off(),
                c.a(), c.off(), tanhC.a(), tanhC.off(), h.a(), h.off());
    }

    static void lstmBackward(int batch, int hidden, Arg gates, Arg cPrev, Arg tanhC, Arg dh, Arg dc, Arg dGates,
                             Arg dcPrev) {
        Recurrent.lstmBackward(batch, hidden, gates.a(), gates.off(), cPrev.a(), cPrev.off(), tanhC.a(), tanhC.off(),
                dh.a(), dh.off(), dc == null ? null : dc.a(), dc == null ? -1 : dc.off(), dGates.a(), dGates.off(),
                dcPrev.a(), dcPrev.off());
    }

    static void gruForward(int batch, int hidden, Arg gx, Arg gh, Arg hPrev, Arg h) {
        Recurrent.gruForward(batch, hidden, gx.a(), gx.off(), gh.a(), gh.off(), hPrev.a(), hPrev.off(), h.a(),
                h.off());
    }

    static void gruBackward(int batch, int hidden, Arg gx, Arg gh, Arg hPrev, Arg dh, Arg dGx, Arg dGh, Arg dhPrev) {
        Recurrent.gruBackward(batch, hidden, gx.a(), gx.off(), gh.a(), gh.off(), hPrev.a(), hPrev.off(), dh.a(),
                dh.off(), dGx.a(), dGx.off(), dGh.a(), dGh.off(), dhPrev.a(), dhPrev.off());
    }

    static List<KernelProvider> providers() {
        return List.of(Providers.scalar(), Providers.vector().orElseThrow());
    }

    record Step(Arg gates, Arg c, Arg tanhC, Arg h, Arg dGates, Arg dcPrev) {
    }

    static Step run(KernelProvider p, int batch, int hidden, long seed, boolean withDc) {
        Random r = new Random(seed);
        Random layout = new Random(~seed);
        int s = batch * hidden;
        Arg gates = place(layout, gaussian(r, 4 * s, 3));
        Arg bias = place(layout, gaussian(r, 4 * hidden, 1));
        Arg cPrev = place(layout, gaussian(r, s, 2));
        Arg dh = place(layout, gaussian(r, s, 1));
        Arg dc = withDc ? place(layout, gaussian(r, s, 1)) : null;
        Arg c = place(layout, new float[s]);
        Arg tanhC = place(layout, new float[s]);
        Arg h = place(layout, new float[s]);
        Arg dGates = place(layout, new float[4 * s]);
        Arg dcPrev = place(layout, new float[s]);
        float[] biasBefore = bias.a().clone();
        float[] cPrevBefore = cPrev.a().clone();
        float[] dhBefore = dh.a().clone();
        float[] dcBefore = dc == null ? null : dc.a().clone();
        try (Providers.Scope scope = Providers.use(p)) {
            lstmForward(batch, hidden, gates, bias, cPrev, c, tanhC, h);
            lstmBackward(batch, hidden, gates, cPrev, tanhC, dh, dc, dGates, dcPrev);
        }
        assertFramed(gates, c, tanhC, h, dGates, dcPrev);
        assertArrayEquals(biasBefore, bias.a(), "bias is read only");
        assertArrayEquals(cPrevBefore, cPrev.a(), "cPrev is read only");
        assertArrayEquals(dhBefore, dh.a(), "dh is read only");
        if (dc != null) {
            assertArrayEquals(dcBefore, dc.a(), "dc is read only");
        }
        return new Step(gates, c, tanhC, h, dGates, dcPrev);
    }

    @Property(tries = 150)
    void providersAgreeBitForBit(@ForAll @IntRange(min = 0, max = 5) int batch,
                                 @ForAll @IntRange(min = 0, max = 70) int hidden, @ForAll boolean withDc,
                                 @ForAll long seed) {
        Step s = run(Providers.scalar(), batch, hidden, seed, withDc);
        Step v = run(Providers.vector().orElseThrow(), batch, hidden, seed, withDc);
        assertArrayEquals(s.gates().a(), v.gates().a(), "activated gates");
        assertArrayEquals(s.c().a(), v.c().a(), "c");
        assertArrayEquals(s.tanhC().a(), v.tanhC().a(), "tanh(c)");
        assertArrayEquals(s.h().a(), v.h().a(), "h");
        assertArrayEquals(s.dGates().a(), v.dGates().a(), "dGates");
        assertArrayEquals(s.dcPrev().a(), v.dcPrev().a(), "dcPrev");
    }

    @Property(tries = 100)
    void forwardIsTheCellFormula(@ForAll @IntRange(min = 1, max = 4) int batch,
                                 @ForAll @IntRange(min = 1, max = 40) int hidden, @ForAll long seed) {
        Random r = new Random(seed);
        Random layout = new Random(~seed);
        float[] pre = gaussian(r, batch * 4 * hidden, 3);
        Arg bias = place(layout, gaussian(r, 4 * hidden, 1));
        Arg cPrev = place(layout, gaussian(r, batch * hidden, 2));
        Arg gates = place(layout, pre);
        Arg c = place(layout, new float[batch * hidden]);
        Arg tanhC = place(layout, new float[batch * hidden]);
        Arg h = place(layout, new float[batch * hidden]);
        lstmForward(batch, hidden, gates, bias, cPrev, c, tanhC, h);
        assertFramed(bias, cPrev, gates, c, tanhC, h);
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < hidden; j++) {
                int g = b * 4 * hidden;
                float i = FloatMath.sigmoid(pre[g + j] + bias.get(j));
                float f = FloatMath.sigmoid(pre[g + hidden + j] + bias.get(hidden + j));
                float gg = FloatMath.tanh(pre[g + 2 * hidden + j] + bias.get(2 * hidden + j));
                float o = FloatMath.sigmoid(pre[g + 3 * hidden + j] + bias.get(3 * hidden + j));
                float cj = f * cPrev.get(b * hidden + j) + i * gg;
                assertEquals(cj, c.get(b * hidden + j), 0f);
                assertEquals(FloatMath.tanh(cj), tanhC.get(b * hidden + j), 0f);
                assertEquals(o * FloatMath.tanh(cj), h.get(b * hidden + j), 0f);
                assertEquals(i, gates.get(g + j), 0f);
                assertEquals(f, gates.get(g + hidden + j), 0f);
                assertEquals(gg, gates.get(g + 2 * hidden + j), 0f);
                assertEquals(o, gates.get(g + 3 * hidden + j), 0f);
            }
        }
    }

    /**
     * The loss sum(h * wh) + sum(c * wc) as a function of the pre-activations and cPrev, in
     * double, with the arguments at fixed non-zero offsets.
     */
    static double loss(int batch, int hidden, double[] pre, double[] bias, double[] cPrev, double[] wh, double[] wc) {
        Random layout = new Random(1);
        int sn = batch * hidden;
        DArg gates = place(layout, pre);
        DArg b = place(layout, bias);
        DArg cp = place(layout, cPrev);
        DArg c = place(layout, new double[sn]);
        DArg t = place(layout, new double[sn]);
        DArg h = place(layout, new double[sn]);
        Recurrent.lstmForward(batch, hidden, gates.a(), gates.off(), b.a(), b.off(), cp.a(), cp.off(), c.a(), c.off(),
                t.a(), t.off(), h.a(), h.off());
        double s = 0;
        for (int k = 0; k < sn; k++) {
            s += h.get(k) * wh[k] + c.get(k) * wc[k];
        }
        return s;
    }

    @Property(tries = 60)
    void backwardIsTheDerivativeOfForward(@ForAll @IntRange(min = 1, max = 3) int batch,
                                          @ForAll @IntRange(min = 1, max = 7) int hidden, @ForAll long seed) {
        Random r = new Random(seed);
        Random layout = new Random(~seed);
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
        DArg gates = place(layout, pre);
        DArg b = place(layout, bias);
        DArg cp = place(layout, cPrev);
        DArg c = place(layout, new double[sn]);
        DArg t = place(layout, new double[sn]);
        DArg h = place(layout, new double[sn]);
        Recurrent.lstmForward(batch, hidden, gates.a(), gates.off(), b.a(), b.off(), cp.a(), cp.off(), c.a(), c.off(),
                t.a(), t.off(), h.a(), h.off());
        DArg dh = place(layout, wh);
        DArg dc = place(layout, wc);
        DArg dGates = place(layout, new double[gn]);
        DArg dcPrev = place(layout, new double[sn]);
        // dL/dh = wh, and wc reaches c directly (as the gradient from the next step would).
        Recurrent.lstmBackward(batch, hidden, gates.a(), gates.off(), cp.a(), cp.off(), t.a(), t.off(), dh.a(),
                dh.off(), dc.a(), dc.off(), dGates.a(), dGates.off(), dcPrev.a(), dcPrev.off());
        for (DArg a : List.of(gates, b, cp, c, t, h, dh, dc, dGates, dcPrev)) {
            a.assertFramed("lstm double argument");
        }
        double eps = 1e-6;
        for (int k = 0; k < gn; k++) {
            double[] up = pre.clone();
            double[] down = pre.clone();
            up[k] += eps;
            down[k] -= eps;
            double numeric = (loss(batch, hidden, up, bias, cPrev, wh, wc)
                    - loss(batch, hidden, down, bias, cPrev, wh, wc)) / (2 * eps);
            assertEquals(numeric, dGates.get(k), 1e-5 + 1e-3 * Math.abs(numeric), "dGates[" + k + "]");
        }
        for (int k = 0; k < sn; k++) {
            double[] up = cPrev.clone();
            double[] down = cPrev.clone();
            up[k] += eps;
            down[k] -= eps;
            double numeric = (loss(batch, hidden, pre, bias, up, wh, wc) - loss(batch, hidden, pre, bias, down, wh, wc))
                    / (2 * eps);
            assertEquals(numeric, dcPrev.get(k), 1e-5 + 1e-3 * Math.abs(numeric), "dcPrev[" + k + "]");
        }
    }

    record GruStep(Arg gx, Arg h, Arg dGx, Arg dGh, Arg dhPrev) {
    }

    static GruStep runGru(KernelProvider p, int batch, int hidden, long seed) {
        Random r = new Random(seed);
        Random layout = new Random(~seed);
        int s = batch * hidden;
        Arg gx = place(layout, gaussian(r, 3 * s, 3));
        Arg gh = place(layout, gaussian(r, 3 * s, 3));
        Arg hPrev = place(layout, gaussian(r, s, 1));
        Arg dh = place(layout, gaussian(r, s, 1));
        Arg h = place(layout, new float[s]);
        Arg dGx = place(layout, new float[3 * s]);
        Arg dGh = place(layout, new float[3 * s]);
        Arg dhPrev = place(layout, new float[s]);
        float[] ghBefore = gh.a().clone();
        float[] hPrevBefore = hPrev.a().clone();
        float[] dhBefore = dh.a().clone();
        try (Providers.Scope scope = Providers.use(p)) {
            gruForward(batch, hidden, gx, gh, hPrev, h);
            gruBackward(batch, hidden, gx, gh, hPrev, dh, dGx, dGh, dhPrev);
        }
        assertFramed(gx, h, dGx, dGh, dhPrev);
        assertArrayEquals(ghBefore, gh.a(), "gh is read only");
        assertArrayEquals(hPrevBefore, hPrev.a(), "hPrev is read only");
        assertArrayEquals(dhBefore, dh.a(), "dh is read only");
        return new GruStep(gx, h, dGx, dGh, dhPrev);
    }

    @Property(tries = 150)
    void gruProvidersAgreeBitForBit(@ForAll @IntRange(min = 0, max = 5) int batch,
                                    @ForAll @IntRange(min = 0, max = 70) int hidden, @ForAll long seed) {
        GruStep s = runGru(Providers.scalar(), batch, hidden, seed);
        GruStep v = runGru(Providers.vector().orElseThrow(), batch, hidden, seed);
        assertArrayEquals(s.gx().a(), v.gx().a(), "activated gates");
        assertArrayEquals(s.h().a(), v.h().a(), "h");
        assertArrayEquals(s.dGx().a(), v.dGx().a(), "dGx");
        assertArrayEquals(s.dGh().a(), v.dGh().a(), "dGh");
        assertArrayEquals(s.dhPrev().a(), v.dhPrev().a(), "dhPrev");
    }

    @Property(tries = 100)
    void gruForwardIsPyTorchsFormula(@ForAll @IntRange(min = 1, max = 4) int batch,
                                     @ForAll @IntRange(min = 1, max = 40) int hidden, @ForAll long seed) {
        Random r = new Random(seed);
        Random layout = new Random(~seed);
        float[] gx0 = gaussian(r, batch * 3 * hidden, 3);
        Arg gh = place(layout, gaussian(r, batch * 3 * hidden, 3));
        Arg hPrev = place(layout, gaussian(r, batch * hidden, 1));
        Arg gx = place(layout, gx0);
        Arg h = place(layout, new float[batch * hidden]);
        gruForward(batch, hidden, gx, gh, hPrev, h);
        assertFramed(gh, hPrev, gx, h);
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < hidden; j++) {
                int g = b * 3 * hidden;
                float rr = FloatMath.sigmoid(gx0[g + j] + gh.get(g + j));
                float z = FloatMath.sigmoid(gx0[g + hidden + j] + gh.get(g + hidden + j));
                float n = FloatMath.tanh(gx0[g + 2 * hidden + j] + rr * gh.get(g + 2 * hidden + j));
                assertEquals((1 - z) * n + z * hPrev.get(b * hidden + j), h.get(b * hidden + j), 0f);
                assertEquals(rr, gx.get(g + j), 0f);
                assertEquals(z, gx.get(g + hidden + j), 0f);
                assertEquals(n, gx.get(g + 2 * hidden + j), 0f);
            }
        }
    }

    /** sum(h * w) as a function of gx, gh and hPrev, in double, at fixed non-zero offsets. */
    static double gruLoss(int batch, int hidden, double[] gx, double[] gh, double[] hPrev, double[] w) {
        Random layout = new Random(2);
        DArg x = place(layout, gx);
        DArg g = place(layout, gh);
        DArg hp = place(layout, hPrev);
        DArg h = place(layout, new double[batch * hidden]);
        Recurrent.gruForward(batch, hidden, x.a(), x.off(), g.a(), g.off(), hp.a(), hp.off(), h.a(), h.off());
        double s = 0;
        for (int k = 0; k < h.n(); k++) {
            s += h.get(k) * w[k];
        }
        return s;
    }

    @Property(tries = 60)
    void gruBackwardIsTheDerivativeOfForward(@ForAll @IntRange(min = 1, max = 3) int batch,
                                             @ForAll @IntRange(min = 1, max = 7) int hidden, @ForAll long seed) {
        Random r = new Random(seed);
        Random layout = new Random(~seed);
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
        DArg gx = place(layout, in[0]);
        DArg gh = place(layout, in[1]);
        DArg hPrev = place(layout, in[2]);
        DArg h = place(layout, new double[sn]);
        Recurrent.gruForward(batch, hidden, gx.a(), gx.off(), gh.a(), gh.off(), hPrev.a(), hPrev.off(), h.a(),
                h.off());
        DArg dh = place(layout, w);
        DArg dGx = place(layout, new double[gn]);
        DArg dGh = place(layout, new double[gn]);
        DArg dhPrev = place(layout, new double[sn]);
        Recurrent.gruBackward(batch, hidden, gx.a(), gx.off(), gh.a(), gh.off(), hPrev.a(), hPrev.off(), dh.a(),
                dh.off(), dGx.a(), dGx.off(), dGh.a(), dGh.off(), dhPrev.a(), dhPrev.off());
        for (DArg a : List.of(gx, gh, hPrev, h, dh, dGx, dGh, dhPrev)) {
            a.assertFramed("gru double argument");
        }
        DArg[] analytic = {dGx, dGh, dhPrev};
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
                assertEquals(numeric, analytic[which].get(k), 1e-5 + 1e-3 * Math.abs(numeric),
                        names[which] + "[" + k + "]");
            }
        }
    }

    /**
     * A state (or its gradient) updated in place, the same range of the same array as input and
     * output, gives the bits of separate arrays, on both providers.
     */
    @Property(tries = 60)
    void statesMayBeUpdatedInPlace(@ForAll @IntRange(min = 0, max = 4) int batch,
                                   @ForAll @IntRange(min = 0, max = 40) int hidden, @ForAll long seed) {
        int s = batch * hidden;
        for (KernelProvider p : providers()) {
            try (Providers.Scope scope = Providers.use(p)) {
                Random r = new Random(seed);
                Random layout = new Random(~seed);
                float[] pre = gaussian(r, 4 * s, 3);
                Arg bias = place(layout, gaussian(r, 4 * hidden, 1));
                float[] c0 = gaussian(r, s, 2);
                float[] dh = gaussian(r, s, 1);
                float[] dc0 = gaussian(r, s, 1);
                // LSTM forward: separate c and cPrev, then c == cPrev.
                Arg gates = place(layout, pre);
                Arg cPrev = place(layout, c0);
                Arg c = place(layout, new float[s]);
                Arg tanhC = place(layout, new float[s]);
                Arg h = place(layout, new float[s]);
                lstmForward(batch, hidden, gates, bias, cPrev, c, tanhC, h);
                Arg gates2 = place(layout, pre);
                Arg state = place(layout, c0);
                Arg tanhC2 = place(layout, new float[s]);
                Arg h2 = place(layout, new float[s]);
                lstmForward(batch, hidden, gates2, bias, state, state, tanhC2, h2);
                assertFramed(state, gates2, tanhC2, h2);
                assertArrayEquals(c.data(), state.data(), "c in place");
                assertArrayEquals(h.data(), h2.data(), "h with c in place");
                assertArrayEquals(gates.data(), gates2.data(), "gates with c in place");
                // LSTM backward: separate dcPrev and dc, then dcPrev == dc.
                Arg dhA = place(layout, dh);
                Arg dc = place(layout, dc0);
                Arg dGates = place(layout, new float[4 * s]);
                Arg dcPrev = place(layout, new float[s]);
                lstmBackward(batch, hidden, gates, cPrev, tanhC, dhA, dc, dGates, dcPrev);
                Arg grad = place(layout, dc0);
                Arg dGates2 = place(layout, new float[4 * s]);
                lstmBackward(batch, hidden, gates, cPrev, tanhC, dhA, grad, dGates2, grad);
                assertFramed(grad, dGates2);
                assertArrayEquals(dcPrev.data(), grad.data(), "dcPrev in place");
                assertArrayEquals(dGates.data(), dGates2.data(), "dGates with dcPrev in place");
                // GRU forward: separate h and hPrev, then h == hPrev.
                float[] gx0 = gaussian(r, 3 * s, 3);
                Arg gh = place(layout, gaussian(r, 3 * s, 3));
                float[] hp0 = gaussian(r, s, 1);
                Arg gx = place(layout, gx0);
                Arg hPrev = place(layout, hp0);
                Arg hOut = place(layout, new float[s]);
                gruForward(batch, hidden, gx, gh, hPrev, hOut);
                Arg gx2 = place(layout, gx0);
                Arg hState = place(layout, hp0);
                gruForward(batch, hidden, gx2, gh, hState, hState);
                assertFramed(gx2, hState);
                assertArrayEquals(hOut.data(), hState.data(), "h in place");
                assertArrayEquals(gx.data(), gx2.data(), "gx with h in place");
                // GRU backward: separate dhPrev and dh, then dhPrev == dh.
                Arg dGx = place(layout, new float[3 * s]);
                Arg dGh = place(layout, new float[3 * s]);
                Arg dhPrev = place(layout, new float[s]);
                gruBackward(batch, hidden, gx, gh, hPrev, dhA, dGx, dGh, dhPrev);
                Arg hGrad = place(layout, dh);
                Arg dGx2 = place(layout, new float[3 * s]);
                Arg dGh2 = place(layout, new float[3 * s]);
                gruBackward(batch, hidden, gx, gh, hPrev, hGrad, dGx2, dGh2, hGrad);
                assertFramed(hGrad, dGx2, dGh2);
                assertArrayEquals(dhPrev.data(), hGrad.data(), "dhPrev in place");
                assertArrayEquals(dGx.data(), dGx2.data(), "dGx with dhPrev in place");
                assertArrayEquals(dGh.data(), dGh2.data(), "dGh with dhPrev in place");
            }
        }
    }

    /** {@code n} elements of {@code a} from {@code off} as an {@link Arg} (no sentinel frame). */
    static Arg at(float[] a, int off, int n) {
        return new Arg(a, off, n);
    }

    /**
     * A sequence layer's layout: all T steps in one buffer per quantity ([T, B, 4N] gates,
     * [T + 1, B, N] states with step t reading slot t and writing slot t + 1, the gradients
     * flowing back the other way), called once per step at offsets, gives the bits of separate
     * arrays per step, on both providers. Neighbouring slots touch without overlapping.
     */
    @Property(tries = 40)
    void aSequenceLivesInOneBufferPerQuantity(@ForAll @IntRange(min = 1, max = 4) int steps,
                                              @ForAll @IntRange(min = 1, max = 3) int batch,
                                              @ForAll @IntRange(min = 0, max = 40) int hidden, @ForAll long seed) {
        int s = batch * hidden;
        int base = 1 + (int) Math.floorMod(seed, 5L);
        for (KernelProvider p : providers()) {
            try (Providers.Scope scope = Providers.use(p)) {
                Random r = new Random(seed);
                Random layout = new Random(~seed);
                // LSTM
                float[] pre = gaussian(r, steps * 4 * s, 3);
                Arg bias = place(layout, gaussian(r, 4 * hidden, 1));
                float[] cInit = gaussian(r, s, 2);
                float[] dhs = gaussian(r, steps * s, 1);
                float[] dcLast = gaussian(r, s, 1);
                float[] gatesSeq = new float[base + steps * 4 * s];
                System.arraycopy(pre, 0, gatesSeq, base, pre.length);
                float[] cSeq = new float[base + (steps + 1) * s];
                System.arraycopy(cInit, 0, cSeq, base, s);
                float[] tSeq = new float[base + steps * s];
                float[] hSeq = new float[base + steps * s];
                for (int t = 0; t < steps; t++) {
                    lstmForward(batch, hidden, at(gatesSeq, base + t * 4 * s, 4 * s), bias, at(cSeq, base + t * s, s),
                            at(cSeq, base + (t + 1) * s, s), at(tSeq, base + t * s, s), at(hSeq, base + t * s, s));
                }
                float[] dhSeq = new float[base + steps * s];
                System.arraycopy(dhs, 0, dhSeq, base, dhs.length);
                float[] dcSeq = new float[base + (steps + 1) * s];
                System.arraycopy(dcLast, 0, dcSeq, base + steps * s, s);
                float[] dGatesSeq = new float[base + steps * 4 * s];
                for (int t = steps - 1; t >= 0; t--) {
                    lstmBackward(batch, hidden, at(gatesSeq, base + t * 4 * s, 4 * s), at(cSeq, base + t * s, s),
                            at(tSeq, base + t * s, s), at(dhSeq, base + t * s, s), at(dcSeq, base + (t + 1) * s, s),
                            at(dGatesSeq, base + t * 4 * s, 4 * s), at(dcSeq, base + t * s, s));
                }
                // The same steps on separate arrays.
                float[] cCur = cInit;
                float[][] gatesStep = new float[steps][];
                float[][] cPrevStep = new float[steps][];
                float[][] tanhStep = new float[steps][];
                for (int t = 0; t < steps; t++) {
                    Arg g = place(layout, Arrays.copyOfRange(pre, t * 4 * s, (t + 1) * 4 * s));
                    Arg cp = place(layout, cCur);
                    Arg c = place(layout, new float[s]);
                    Arg th = place(layout, new float[s]);
                    Arg h = place(layout, new float[s]);
                    lstmForward(batch, hidden, g, bias, cp, c, th, h);
                    assertArrayEquals(g.data(), Arrays.copyOfRange(gatesSeq, base + t * 4 * s, base + (t + 1) * 4 * s),
                            "gates step " + t);
                    assertArrayEquals(c.data(), Arrays.copyOfRange(cSeq, base + (t + 1) * s, base + (t + 2) * s),
                            "c step " + t);
                    assertArrayEquals(h.data(), Arrays.copyOfRange(hSeq, base + t * s, base + (t + 1) * s),
                            "h step " + t);
                    gatesStep[t] = g.data();
                    cPrevStep[t] = cCur;
                    tanhStep[t] = th.data();
                    cCur = c.data();
                }
                float[] dcCur = dcLast;
                for (int t = steps - 1; t >= 0; t--) {
                    Arg dGates = place(layout, new float[4 * s]);
                    Arg dcPrev = place(layout, new float[s]);
                    lstmBackward(batch, hidden, place(layout, gatesStep[t]), place(layout, cPrevStep[t]),
                            place(layout, tanhStep[t]), place(layout, Arrays.copyOfRange(dhs, t * s, (t + 1) * s)),
                            place(layout, dcCur), dGates, dcPrev);
                    assertArrayEquals(dGates.data(),
                            Arrays.copyOfRange(dGatesSeq, base + t * 4 * s, base + (t + 1) * 4 * s),
                            "dGates step " + t);
                    assertArrayEquals(dcPrev.data(), Arrays.copyOfRange(dcSeq, base + t * s, base + (t + 1) * s),
                            "dcPrev step " + t);
                    dcCur = dcPrev.data();
                }
                // GRU
                float[] gxAll = gaussian(r, steps * 3 * s, 3);
                float[] ghAll = gaussian(r, steps * 3 * s, 3);
                float[] hInit = gaussian(r, s, 1);
                float[] dhLast = gaussian(r, s, 1);
                float[] gxSeq = new float[base + steps * 3 * s];
                System.arraycopy(gxAll, 0, gxSeq, base, gxAll.length);
                float[] ghSeq = new float[base + steps * 3 * s];
                System.arraycopy(ghAll, 0, ghSeq, base, ghAll.length);
                float[] hStates = new float[base + (steps + 1) * s];
                System.arraycopy(hInit, 0, hStates, base, s);
                for (int t = 0; t < steps; t++) {
                    gruForward(batch, hidden, at(gxSeq, base + t * 3 * s, 3 * s), at(ghSeq, base + t * 3 * s, 3 * s),
                            at(hStates, base + t * s, s), at(hStates, base + (t + 1) * s, s));
                }
                float[] dhStates = new float[base + (steps + 1) * s];
                System.arraycopy(dhLast, 0, dhStates, base + steps * s, s);
                float[] dGxSeq = new float[base + steps * 3 * s];
                float[] dGhSeq = new float[base + steps * 3 * s];
                for (int t = steps - 1; t >= 0; t--) {
                    gruBackward(batch, hidden, at(gxSeq, base + t * 3 * s, 3 * s), at(ghSeq, base + t * 3 * s, 3 * s),
                            at(hStates, base + t * s, s), at(dhStates, base + (t + 1) * s, s),
                            at(dGxSeq, base + t * 3 * s, 3 * s), at(dGhSeq, base + t * 3 * s, 3 * s),
                            at(dhStates, base + t * s, s));
                }
                float[] hCur = hInit;
                float[][] gxStep = new float[steps][];
                float[][] hPrevStep = new float[steps][];
                for (int t = 0; t < steps; t++) {
                    Arg gx = place(layout, Arrays.copyOfRange(gxAll, t * 3 * s, (t + 1) * 3 * s));
                    Arg hp = place(layout, hCur);
                    Arg h = place(layout, new float[s]);
                    gruForward(batch, hidden, gx, place(layout, Arrays.copyOfRange(ghAll, t * 3 * s, (t + 1) * 3 * s)),
                            hp, h);
                    assertArrayEquals(gx.data(), Arrays.copyOfRange(gxSeq, base + t * 3 * s, base + (t + 1) * 3 * s),
                            "gx step " + t);
                    assertArrayEquals(h.data(), Arrays.copyOfRange(hStates, base + (t + 1) * s, base + (t + 2) * s),
                            "GRU h step " + t);
                    gxStep[t] = gx.data();
                    hPrevStep[t] = hCur;
                    hCur = h.data();
                }
                float[] dhCur = dhLast;
                for (int t = steps - 1; t >= 0; t--) {
                    Arg dGx = place(layout, new float[3 * s]);
                    Arg dGh = place(layout, new float[3 * s]);
                    Arg dhPrev = place(layout, new float[s]);
                    gruBackward(batch, hidden, place(layout, gxStep[t]),
                            place(layout, Arrays.copyOfRange(ghAll, t * 3 * s, (t + 1) * 3 * s)),
                            place(layout, hPrevStep[t]), place(layout, dhCur), dGx, dGh, dhPrev);
                    assertArrayEquals(dGx.data(), Arrays.copyOfRange(dGxSeq, base + t * 3 * s, base + (t + 1) * 3 * s),
                            "dGx step " + t);
                    assertArrayEquals(dGh.data(), Arrays.copyOfRange(dGhSeq, base + t * 3 * s, base + (t + 1) * 3 * s),
                            "dGh step " + t);
                    assertArrayEquals(dhPrev.data(), Arrays.copyOfRange(dhStates, base + t * s, base + (t + 1) * s),
                            "dhPrev step " + t);
                    dhCur = dhPrev.data();
                }
            }
        }
    }

    private static void rejects(String message, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(message, e.getMessage());
    }

    @Example
    void rangesMustLieInsideTheirArrays() {
        float[] s2 = new float[2];
        rejects("lstmForward: gates[3, 11) is outside gates.length = 10",
                () -> Recurrent.lstmForward(1, 2, new float[10], 3, new float[8], 0, new float[2], 0, new float[2], 0,
                        new float[2], 0, new float[2], 0));
        rejects("lstmForward: h[1, 3) is outside h.length = 2",
                () -> Recurrent.lstmForward(1, 2, new float[8], 0, new float[8], 0, new float[2], 0, new float[2], 0,
                        new float[2], 0, s2, 1));
        rejects("lstmBackward: dc[0, 4) is outside dc.length = 3",
                () -> Recurrent.lstmBackward(2, 2, new double[16], 0, new double[4], 0, new double[4], 0,
                        new double[4], 0, new double[3], 0, new double[16], 0, new double[4], 0));
        rejects("gruBackward: dGh[2, 8) is outside dGh.length = 7",
                () -> Recurrent.gruBackward(1, 2, new float[6], 0, new float[6], 0, new float[2], 0, new float[2], 0,
                        new float[6], 0, new float[7], 2, new float[2], 0));
        // Negative offsets.
        rejects("gruForward: hPrev[-1, 1) is outside hPrev.length = 4",
                () -> Recurrent.gruForward(1, 2, new float[6], 0, new float[6], 0, new float[4], -1, new float[2], 0));
        rejects("lstmForward: bias[-3, 5) is outside bias.length = 8",
                () -> Recurrent.lstmForward(1, 2, new double[8], 0, new double[8], -3, new double[2], 0,
                        new double[2], 0, new double[2], 0, new double[2], 0));
        // Empty ranges may sit at the very end; sizes must be valid.
        Recurrent.gruForward(0, 3, new float[1], 1, new float[1], 1, new float[1], 1, new float[1], 1);
        rejects("lstmForward: invalid batch=-1, hidden=2",
                () -> Recurrent.lstmForward(-1, 2, s2, 0, s2, 0, s2, 0, s2, 0, s2, 0, s2, 0));
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> Recurrent.lstmForward(1, 2, new float[8], 0, null, 0, new float[2], 0, new float[2], 0,
                        new float[2], 0, new float[2], 0));
        assertEquals("lstmForward: bias is null", e.getMessage());
    }

    @Example
    void argumentRangesMustNotOverlap() {
        float[] state = new float[6];
        double[] grads = new double[4];
        // A partial overlap of the in-place pairs is rejected.
        rejects("lstmForward: c[1, 3) overlaps cPrev[0, 2) in the same array without being the same range",
                () -> Recurrent.lstmForward(1, 2, new float[8], 0, new float[8], 0, state, 0, state, 1, new float[2],
                        0, new float[2], 0));
        rejects("gruForward: h[3, 5) overlaps hPrev[2, 4) in the same array without being the same range",
                () -> Recurrent.gruForward(1, 2, new float[6], 0, new float[6], 0, state, 2, state, 3));
        rejects("lstmBackward: dcPrev[1, 3) overlaps dc[0, 2) in the same array without being the same range",
                () -> Recurrent.lstmBackward(1, 2, new float[8], 0, new float[2], 0, new float[2], 0, new float[2], 0,
                        state, 0, new float[8], 0, state, 1));
        rejects("gruBackward: dhPrev[0, 2) overlaps dh[1, 3) in the same array without being the same range",
                () -> Recurrent.gruBackward(1, 2, new double[6], 0, new double[6], 0, new double[2], 0, grads, 1,
                        new double[6], 0, new double[6], 0, grads, 0));
        // Any other pair may not share an element, even as the same range; inputs included.
        rejects("lstmForward: h[0, 2) overlaps tanhC[0, 2) in the same array",
                () -> Recurrent.lstmForward(1, 2, new float[8], 0, new float[8], 0, new float[2], 0, new float[2], 0,
                        state, 0, state, 0));
        float[] both = new float[16];
        rejects("lstmForward: bias[4, 12) overlaps gates[0, 8) in the same array",
                () -> Recurrent.lstmForward(1, 2, both, 0, both, 4, new float[2], 0, new float[2], 0, new float[2], 0,
                        new float[2], 0));
        rejects("lstmForward: c[0, 2) overlaps gates[0, 8) in the same array",
                () -> Recurrent.lstmForward(1, 2, both, 0, new float[8], 0, new float[2], 0, both, 0, new float[2], 0,
                        new float[2], 0));
        rejects("gruBackward: dGh[2, 8) overlaps dGx[0, 6) in the same array",
                () -> Recurrent.gruBackward(1, 2, new float[6], 0, new float[6], 0, new float[2], 0, new float[2], 0,
                        both, 0, both, 2, new float[2], 0));
        rejects("lstmBackward: dcPrev[1, 3) overlaps dh[0, 2) in the same array",
                () -> Recurrent.lstmBackward(1, 2, new float[8], 0, new float[2], 0, new float[2], 0, state, 0, null,
                        0, new float[8], 0, state, 1));
        // Ranges that only touch are disjoint: gates and bias back to back, cPrev and c in adjacent slots.
        Recurrent.lstmForward(1, 2, both, 0, both, 8, state, 0, state, 2, new float[2], 0, new float[2], 0);
    }

    @Example
    void statesMayBeTheSameRangeOfTheSameArray() {
        float x = SENTINEL;
        // The cell state updated in place at an offset (inference): f = i = 0.5, g = 0, so c = 0.5 * cPrev.
        float[] state = {x, x, x, 0.5f, -0.5f, x};
        Recurrent.lstmForward(1, 2, new float[8], 0, new float[8], 0, state, 3, state, 3, new float[2], 0,
                new float[2], 0);
        assertArrayEquals(new float[] {x, x, x, 0.25f, -0.25f, x}, state);
        // The hidden state of a GRU: r = z = 0.5, n = 0, so h = 0.5 * hPrev.
        float[] hs = {x, 1f, -1f, x};
        Recurrent.gruForward(1, 2, new float[6], 0, new float[6], 0, hs, 1, hs, 1);
        assertArrayEquals(new float[] {x, 0.5f, -0.5f, x}, hs);
        // Gradients: dcPrev == dc and dhPrev == dh. With all gates 0.5 and tanhC = 0,
        // dcT = dc + dh * 0.5, dcPrev = 0.5 * dcT.
        float[] gates = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
        float[] d = {x, 1f, 2f, x, x};
        Recurrent.lstmBackward(1, 2, gates, 0, new float[2], 0, new float[2], 0, new float[] {2f, 2f}, 0, d, 1,
                new float[8], 0, d, 1);
        assertArrayEquals(new float[] {x, 1f, 1.5f, x, x}, d);
        double[] dh = {x, 4, 8};
        double[] gx = {0, 0, 0.5, 0.5, 0, 0}; // r, z, n; z = 0.5, so dhPrev = 0.5 * dh
        Recurrent.gruBackward(1, 2, gx, 0, new double[6], 0, new double[2], 0, dh, 1, new double[6], 0,
                new double[6], 0, dh, 1);
        assertArrayEquals(new double[] {x, 2, 4}, dh);
        // dc may be null; its offset is then ignored.
        float[] dcPrev = new float[2];
        Recurrent.lstmBackward(1, 2, gates, 0, new float[2], 0, new float[2], 0, new float[] {2f, 2f}, 0, null, -7,
                new float[8], 0, dcPrev, 0);
        assertTrue(dcPrev[0] == 0.5f && dcPrev[1] == 0.5f, () -> Arrays.toString(dcPrev));
    }
}
