package dev.lanes.kernel.internal;

import static dev.lanes.kernel.internal.ArrayChecks.disjointRanges;
import static dev.lanes.kernel.internal.ArrayChecks.inPlaceOrDisjoint;
import static dev.lanes.kernel.internal.ArrayChecks.nonNull;
import static dev.lanes.kernel.internal.ArrayChecks.range;

import java.lang.reflect.Array;

/**
 * The fused pointwise steps of recurrent cells on whole batches; see {@link RecurrentKernels}
 * for the formulas and layouts. Every array comes with its offset, BLAS style: a gate buffer
 * argument covers {@code [off, off + batch * 4 * hidden)} (LSTM) or
 * {@code [off, off + batch * 3 * hidden)} (GRU), a state argument {@code [off, off + batch * hidden)}
 * and the LSTM bias {@code [biasOff, biasOff + 4 * hidden)}, so one step of a sequence buffer
 * can be passed without copying.
 *
 * <p>Checks, with an {@link IllegalArgumentException} naming the op, the argument, its range and
 * the array length (a {@link NullPointerException} for a null array): arrays are non-null
 * ({@code dc} may be null, its offset is then ignored), offsets are non-negative and each range
 * lies inside its array. No two argument ranges share an element, inputs included, with one
 * exception: a state may be updated in place ({@code c}/{@code cPrev} and {@code h}/{@code hPrev}
 * in forward, for inference) and so may its gradient ({@code dcPrev}/{@code dc} and
 * {@code dhPrev}/{@code dh} in backward), when both are exactly the same range of the same
 * array; a partial overlap of such a pair is rejected too. Ranges in the same array that only
 * touch are fine. Single precision results are the same bits on every provider.
 */
public final class Recurrent {

    private Recurrent() {
    }

    private static RecurrentKernels kernels() {
        return Providers.provider().recurrent();
    }

    /**
     * LSTM forward for one step; see
     * {@link RecurrentKernels#lstmForward(int, int, float[], int, float[], int, float[], int, float[], int, float[], int, float[], int)}.
     */
    public static void lstmForward(int batch, int hidden, float[] gates, int gatesOff, float[] bias, int biasOff,
                                   float[] cPrev, int cPrevOff, float[] c, int cOff, float[] tanhC, int tanhCOff,
                                   float[] h, int hOff) {
        checkForward(batch, hidden, gates, gatesOff, bias, biasOff, cPrev, cPrevOff, c, cOff, tanhC, tanhCOff, h,
                hOff);
        kernels().lstmForward(batch, hidden, gates, gatesOff, bias, biasOff, cPrev, cPrevOff, c, cOff, tanhC,
                tanhCOff, h, hOff);
    }

    /** LSTM forward in double precision. */
    public static void lstmForward(int batch, int hidden, double[] gates, int gatesOff, double[] bias, int biasOff,
                                   double[] cPrev, int cPrevOff, double[] c, int cOff, double[] tanhC, int tanhCOff,
                                   double[] h, int hOff) {
        checkForward(batch, hidden, gates, gatesOff, bias, biasOff, cPrev, cPrevOff, c, cOff, tanhC, tanhCOff, h,
                hOff);
        kernels().lstmForward(batch, hidden, gates, gatesOff, bias, biasOff, cPrev, cPrevOff, c, cOff, tanhC,
                tanhCOff, h, hOff);
    }

    /**
     * LSTM backward for one step; see
     * {@link RecurrentKernels#lstmBackward(int, int, float[], int, float[], int, float[], int, float[], int, float[], int, float[], int, float[], int)}.
     */
    public static void lstmBackward(int batch, int hidden, float[] gates, int gatesOff, float[] cPrev, int cPrevOff,
                                    float[] tanhC, int tanhCOff, float[] dh, int dhOff, float[] dc, int dcOff,
                                    float[] dGates, int dGatesOff, float[] dcPrev, int dcPrevOff) {
        checkBackward(batch, hidden, gates, gatesOff, cPrev, cPrevOff, tanhC, tanhCOff, dh, dhOff, dc, dcOff, dGates,
                dGatesOff, dcPrev, dcPrevOff);
        kernels().lstmBackward(batch, hidden, gates, gatesOff, cPrev, cPrevOff, tanhC, tanhCOff, dh, dhOff, dc, dcOff,
                dGates, dGatesOff, dcPrev, dcPrevOff);
    }

    /** LSTM backward in double precision. */
    public static void lstmBackward(int batch, int hidden, double[] gates, int gatesOff, double[] cPrev, int cPrevOff,
                                    double[] tanhC, int tanhCOff, double[] dh, int dhOff, double[] dc, int dcOff,
                                    double[] dGates, int dGatesOff, double[] dcPrev, int dcPrevOff) {
        checkBackward(batch, hidden, gates, gatesOff, cPrev, cPrevOff, tanhC, tanhCOff, dh, dhOff, dc, dcOff, dGates,
                dGatesOff, dcPrev, dcPrevOff);
        kernels().lstmBackward(batch, hidden, gates, gatesOff, cPrev, cPrevOff, tanhC, tanhCOff, dh, dhOff, dc, dcOff,
                dGates, dGatesOff, dcPrev, dcPrevOff);
    }

    /**
     * GRU forward for one step; see
     * {@link RecurrentKernels#gruForward(int, int, float[], int, float[], int, float[], int, float[], int)}.
     */
    public static void gruForward(int batch, int hidden, float[] gx, int gxOff, float[] gh, int ghOff, float[] hPrev,
                                  int hPrevOff, float[] h, int hOff) {
        checkGruForward(batch, hidden, gx, gxOff, gh, ghOff, hPrev, hPrevOff, h, hOff);
        kernels().gruForward(batch, hidden, gx, gxOff, gh, ghOff, hPrev, hPrevOff, h, hOff);
    }

    /** GRU forward in double precision. */
    public static void gruForward(int batch, int hidden, double[] gx, int gxOff, double[] gh, int ghOff,
                                  double[] hPrev, int hPrevOff, double[] h, int hOff) {
        checkGruForward(batch, hidden, gx, gxOff, gh, ghOff, hPrev, hPrevOff, h, hOff);
        kernels().gruForward(batch, hidden, gx, gxOff, gh, ghOff, hPrev, hPrevOff, h, hOff);
    }

    /**
     * GRU backward for one step; see
     * {@link RecurrentKernels#gruBackward(int, int, float[], int, float[], int, float[], int, float[], int, float[], int, float[], int, float[], int)}.
     */
    public static void gruBackward(int batch, int hidden, float[] gx, int gxOff, float[] gh, int ghOff, float[] hPrev,
                                   int hPrevOff, float[] dh, int dhOff, float[] dGx, int dGxOff, float[] dGh,
                                   int dGhOff, float[] dhPrev, int dhPrevOff) {
        checkGruBackward(batch, hidden, gx, gxOff, gh, ghOff, hPrev, hPrevOff, dh, dhOff, dGx, dGxOff, dGh, dGhOff,
                dhPrev, dhPrevOff);
        kernels().gruBackward(batch, hidden, gx, gxOff, gh, ghOff, hPrev, hPrevOff, dh, dhOff, dGx, dGxOff, dGh,
                dGhOff, dhPrev, dhPrevOff);
    }

    /** GRU backward in double precision. */
    public static void gruBackward(int batch, int hidden, double[] gx, int gxOff, double[] gh, int ghOff,
                                   double[] hPrev, int hPrevOff, double[] dh, int dhOff, double[] dGx, int dGxOff,
                                   double[] dGh, int dGhOff, double[] dhPrev, int dhPrevOff) {
        checkGruBackward(batch, hidden, gx, gxOff, gh, ghOff, hPrev, hPrevOff, dh, dhOff, dGx, dGxOff, dGh, dGhOff,
                dhPrev, dhPrevOff);
        kernels().gruBackward(batch, hidden, gx, gxOff, gh, ghOff, hPrev, hPrevOff, dh, dhOff, dGx, dGxOff, dGh,
                dGhOff, dhPrev, dhPrevOff);
    }

    private static void sizes(String op, int batch, int hidden) {
        if (batch < 0 || hidden < 0 || (long) batch * 4 * hidden > Integer.MAX_VALUE
                || 4L * hidden > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": invalid batch=" + batch + ", hidden=" + hidden);
        }
    }

    /** {@code a} is non-null and {@code [off, off + n)} lies inside it. */
    private static void fits(String op, String name, Object a, int off, int n) {
        nonNull(op, name, a);
        range(op, name, Array.getLength(a), off, n);
    }

    // The overlap checks below list every pair of arguments once (no allocation per call).

    private static void checkForward(int batch, int hidden, Object gates, int gatesOff, Object bias, int biasOff,
                                     Object cPrev, int cPrevOff, Object c, int cOff, Object tanhC, int tanhCOff,
                                     Object h, int hOff) {
        String op = "lstmForward";
        sizes(op, batch, hidden);
        int s = batch * hidden;
        int g = 4 * s;
        int w = 4 * hidden;
        fits(op, "gates", gates, gatesOff, g);
        fits(op, "bias", bias, biasOff, w);
        fits(op, "cPrev", cPrev, cPrevOff, s);
        fits(op, "c", c, cOff, s);
        fits(op, "tanhC", tanhC, tanhCOff, s);
        fits(op, "h", h, hOff, s);
        disjointRanges(op, "gates", gates, gatesOff, g, "bias", bias, biasOff, w);
        disjointRanges(op, "gates", gates, gatesOff, g, "cPrev", cPrev, cPrevOff, s);
        disjointRanges(op, "gates", gates, gatesOff, g, "c", c, cOff, s);
        disjointRanges(op, "gates", gates, gatesOff, g, "tanhC", tanhC, tanhCOff, s);
        disjointRanges(op, "gates", gates, gatesOff, g, "h", h, hOff, s);
        disjointRanges(op, "bias", bias, biasOff, w, "cPrev", cPrev, cPrevOff, s);
        disjointRanges(op, "bias", bias, biasOff, w, "c", c, cOff, s);
        disjointRanges(op, "bias", bias, biasOff, w, "tanhC", tanhC, tanhCOff, s);
        disjointRanges(op, "bias", bias, biasOff, w, "h", h, hOff, s);
        inPlaceOrDisjoint(op, "cPrev", cPrev, cPrevOff, "c", c, cOff, s);
        disjointRanges(op, "cPrev", cPrev, cPrevOff, s, "tanhC", tanhC, tanhCOff, s);
        disjointRanges(op, "cPrev", cPrev, cPrevOff, s, "h", h, hOff, s);
        disjointRanges(op, "c", c, cOff, s, "tanhC", tanhC, tanhCOff, s);
        disjointRanges(op, "c", c, cOff, s, "h", h, hOff, s);
        disjointRanges(op, "tanhC", tanhC, tanhCOff, s, "h", h, hOff, s);
    }

    private static void checkBackward(int batch, int hidden, Object gates, int gatesOff, Object cPrev, int cPrevOff,
                                      Object tanhC, int tanhCOff, Object dh, int dhOff, Object dc, int dcOff,
                                      Object dGates, int dGatesOff, Object dcPrev, int dcPrevOff) {
        String op = "lstmBackward";
        sizes(op, batch, hidden);
        int s = batch * hidden;
        int g = 4 * s;
        fits(op, "gates", gates, gatesOff, g);
        fits(op, "cPrev", cPrev, cPrevOff, s);
        fits(op, "tanhC", tanhC, tanhCOff, s);
        fits(op, "dh", dh, dhOff, s);
        if (dc != null) {
            fits(op, "dc", dc, dcOff, s);
        }
        fits(op, "dGates", dGates, dGatesOff, g);
        fits(op, "dcPrev", dcPrev, dcPrevOff, s);
        disjointRanges(op, "gates", gates, gatesOff, g, "cPrev", cPrev, cPrevOff, s);
        disjointRanges(op, "gates", gates, gatesOff, g, "tanhC", tanhC, tanhCOff, s);
        disjointRanges(op, "gates", gates, gatesOff, g, "dh", dh, dhOff, s);
        disjointRanges(op, "gates", gates, gatesOff, g, "dGates", dGates, dGatesOff, g);
        disjointRanges(op, "gates", gates, gatesOff, g, "dcPrev", dcPrev, dcPrevOff, s);
        disjointRanges(op, "cPrev", cPrev, cPrevOff, s, "tanhC", tanhC, tanhCOff, s);
        disjointRanges(op, "cPrev", cPrev, cPrevOff, s, "dh", dh, dhOff, s);
        disjointRanges(op, "cPrev", cPrev, cPrevOff, s, "dGates", dGates, dGatesOff, g);
        disjointRanges(op, "cPrev", cPrev, cPrevOff, s, "dcPrev", dcPrev, dcPrevOff, s);
        disjointRanges(op, "tanhC", tanhC, tanhCOff, s, "dh", dh, dhOff, s);
        disjointRanges(op, "tanhC", tanhC, tanhCOff, s, "dGates", dGates, dGatesOff, g);
        disjointRanges(op, "tanhC", tanhC, tanhCOff, s, "dcPrev", dcPrev, dcPrevOff, s);
        disjointRanges(op, "dh", dh, dhOff, s, "dGates", dGates, dGatesOff, g);
        disjointRanges(op, "dh", dh, dhOff, s, "dcPrev", dcPrev, dcPrevOff, s);
        disjointRanges(op, "dGates", dGates, dGatesOff, g, "dcPrev", dcPrev, dcPrevOff, s);
        if (dc != null) {
            disjointRanges(op, "gates", gates, gatesOff, g, "dc", dc, dcOff, s);
            disjointRanges(op, "cPrev", cPrev, cPrevOff, s, "dc", dc, dcOff, s);
            disjointRanges(op, "tanhC", tanhC, tanhCOff, s, "dc", dc, dcOff, s);
            disjointRanges(op, "dh", dh, dhOff, s, "dc", dc, dcOff, s);
            disjointRanges(op, "dc", dc, dcOff, s, "dGates", dGates, dGatesOff, g);
            inPlaceOrDisjoint(op, "dc", dc, dcOff, "dcPrev", dcPrev, dcPrevOff, s);
        }
    }

    private static void checkGruForward(int batch, int hidden, Object gx, int gxOff, Object gh, int ghOff,
                                        Object hPrev, int hPrevOff, Object h, int hOff) {
        String op = "gruForward";
        sizes(op, batch, hidden);
        int s = batch * hidden;
        int g = 3 * s;
        fits(op, "gx", gx, gxOff, g);
        fits(op, "gh", gh, ghOff, g);
        fits(op, "hPrev", hPrev, hPrevOff, s);
        fits(op, "h", h, hOff, s);
        disjointRanges(op, "gx", gx, gxOff, g, "gh", gh, ghOff, g);
        disjointRanges(op, "gx", gx, gxOff, g, "hPrev", hPrev, hPrevOff, s);
        disjointRanges(op, "gx", gx, gxOff, g, "h", h, hOff, s);
        disjointRanges(op, "gh", gh, ghOff, g, "hPrev", hPrev, hPrevOff, s);
        disjointRanges(op, "gh", gh, ghOff, g, "h", h, hOff, s);
        inPlaceOrDisjoint(op, "hPrev", hPrev, hPrevOff, "h", h, hOff, s);
    }

    private static void checkGruBackward(int batch, int hidden, Object gx, int gxOff, Object gh, int ghOff,
                                         Object hPrev, int hPrevOff, Object dh, int dhOff, Object dGx, int dGxOff,
                                         Object dGh, int dGhOff, Object dhPrev, int dhPrevOff) {
        String op = "gruBackward";
        sizes(op, batch, hidden);
        int s = batch * hidden;
        int g = 3 * s;
        fits(op, "gx", gx, gxOff, g);
        fits(op, "gh", gh, ghOff, g);
        fits(op, "hPrev", hPrev, hPrevOff, s);
        fits(op, "dh", dh, dhOff, s);
        fits(op, "dGx", dGx, dGxOff, g);
        fits(op, "dGh", dGh, dGhOff, g);
        fits(op, "dhPrev", dhPrev, dhPrevOff, s);
        disjointRanges(op, "gx", gx, gxOff, g, "gh", gh, ghOff, g);
        disjointRanges(op, "gx", gx, gxOff, g, "hPrev", hPrev, hPrevOff, s);
        disjointRanges(op, "gx", gx, gxOff, g, "dh", dh, dhOff, s);
        disjointRanges(op, "gx", gx, gxOff, g, "dGx", dGx, dGxOff, g);
        disjointRanges(op, "gx", gx, gxOff, g, "dGh", dGh, dGhOff, g);
        disjointRanges(op, "gx", gx, gxOff, g, "dhPrev", dhPrev, dhPrevOff, s);
        disjointRanges(op, "gh", gh, ghOff, g, "hPrev", hPrev, hPrevOff, s);
        disjointRanges(op, "gh", gh, ghOff, g, "dh", dh, dhOff, s);
        disjointRanges(op, "gh", gh, ghOff, g, "dGx", dGx, dGxOff, g);
        disjointRanges(op, "gh", gh, ghOff, g, "dGh", dGh, dGhOff, g);
        disjointRanges(op, "gh", gh, ghOff, g, "dhPrev", dhPrev, dhPrevOff, s);
        disjointRanges(op, "hPrev", hPrev, hPrevOff, s, "dh", dh, dhOff, s);
        disjointRanges(op, "hPrev", hPrev, hPrevOff, s, "dGx", dGx, dGxOff, g);
        disjointRanges(op, "hPrev", hPrev, hPrevOff, s, "dGh", dGh, dGhOff, g);
        disjointRanges(op, "hPrev", hPrev, hPrevOff, s, "dhPrev", dhPrev, dhPrevOff, s);
        disjointRanges(op, "dh", dh, dhOff, s, "dGx", dGx, dGxOff, g);
        disjointRanges(op, "dh", dh, dhOff, s, "dGh", dGh, dGhOff, g);
        inPlaceOrDisjoint(op, "dh", dh, dhOff, "dhPrev", dhPrev, dhPrevOff, s);
        disjointRanges(op, "dGx", dGx, dGxOff, g, "dGh", dGh, dGhOff, g);
        disjointRanges(op, "dGx", dGx, dGxOff, g, "dhPrev", dhPrev, dhPrevOff, s);
        disjointRanges(op, "dGh", dGh, dGhOff, g, "dhPrev", dhPrev, dhPrevOff, s);
    }
}
