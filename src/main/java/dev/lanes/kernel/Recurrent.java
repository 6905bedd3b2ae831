package dev.lanes.kernel;

import static dev.lanes.kernel.ArrayChecks.nonNull;

import java.lang.reflect.Array;

/**
 * The fused pointwise steps of recurrent cells on whole batches; see {@link RecurrentKernels}
 * for the formulas and layouts. Arrays hold exactly their matrices from index 0 (at least
 * {@code batch * 4 * hidden} gate elements and {@code batch * hidden} state elements) and must be
 * distinct arrays, except that a state may be updated in place ({@code c == cPrev},
 * {@code h == hPrev}, for inference) and so may its gradient ({@code dcPrev == dc},
 * {@code dhPrev == dh}); {@code dc} may be null. Single
 * precision results are the same bits on every provider.
 */
public final class Recurrent {

    private Recurrent() {
    }

    private static RecurrentKernels kernels() {
        return Kernels.provider().recurrent();
    }

    /** LSTM forward for one step; see {@link RecurrentKernels#lstmForward(int, int, float[], float[], float[], float[], float[], float[])}. */
    public static void lstmForward(int batch, int hidden, float[] gates, float[] bias, float[] cPrev, float[] c,
                                   float[] tanhC, float[] h) {
        checkForward(batch, hidden, gates, bias, cPrev, c, tanhC, h);
        kernels().lstmForward(batch, hidden, gates, bias, cPrev, c, tanhC, h);
    }

    /** LSTM forward in double precision. */
    public static void lstmForward(int batch, int hidden, double[] gates, double[] bias, double[] cPrev, double[] c,
                                   double[] tanhC, double[] h) {
        checkForward(batch, hidden, gates, bias, cPrev, c, tanhC, h);
        kernels().lstmForward(batch, hidden, gates, bias, cPrev, c, tanhC, h);
    }

    /** LSTM backward for one step; see {@link RecurrentKernels#lstmBackward(int, int, float[], float[], float[], float[], float[], float[], float[])}. */
    public static void lstmBackward(int batch, int hidden, float[] gates, float[] cPrev, float[] tanhC, float[] dh,
                                    float[] dc, float[] dGates, float[] dcPrev) {
        checkBackward(batch, hidden, gates, cPrev, tanhC, dh, dc, dGates, dcPrev);
        kernels().lstmBackward(batch, hidden, gates, cPrev, tanhC, dh, dc, dGates, dcPrev);
    }

    /** LSTM backward in double precision. */
    public static void lstmBackward(int batch, int hidden, double[] gates, double[] cPrev, double[] tanhC,
                                    double[] dh, double[] dc, double[] dGates, double[] dcPrev) {
        checkBackward(batch, hidden, gates, cPrev, tanhC, dh, dc, dGates, dcPrev);
        kernels().lstmBackward(batch, hidden, gates, cPrev, tanhC, dh, dc, dGates, dcPrev);
    }

    /** GRU forward for one step; see {@link RecurrentKernels#gruForward(int, int, float[], float[], float[], float[])}. */
    public static void gruForward(int batch, int hidden, float[] gx, float[] gh, float[] hPrev, float[] h) {
        checkGruForward(batch, hidden, gx, gh, hPrev, h);
        kernels().gruForward(batch, hidden, gx, gh, hPrev, h);
    }

    /** GRU forward in double precision. */
    public static void gruForward(int batch, int hidden, double[] gx, double[] gh, double[] hPrev, double[] h) {
        checkGruForward(batch, hidden, gx, gh, hPrev, h);
        kernels().gruForward(batch, hidden, gx, gh, hPrev, h);
    }

    /** GRU backward for one step; see {@link RecurrentKernels#gruBackward(int, int, float[], float[], float[], float[], float[], float[], float[])}. */
    public static void gruBackward(int batch, int hidden, float[] gx, float[] gh, float[] hPrev, float[] dh,
                                   float[] dGx, float[] dGh, float[] dhPrev) {
        checkGruBackward(batch, hidden, gx, gh, hPrev, dh, dGx, dGh, dhPrev);
        kernels().gruBackward(batch, hidden, gx, gh, hPrev, dh, dGx, dGh, dhPrev);
    }

    /** GRU backward in double precision. */
    public static void gruBackward(int batch, int hidden, double[] gx, double[] gh, double[] hPrev, double[] dh,
                                   double[] dGx, double[] dGh, double[] dhPrev) {
        checkGruBackward(batch, hidden, gx, gh, hPrev, dh, dGx, dGh, dhPrev);
        kernels().gruBackward(batch, hidden, gx, gh, hPrev, dh, dGx, dGh, dhPrev);
    }

    private static void checkGruForward(int batch, int hidden, Object gx, Object gh, Object hPrev, Object h) {
        String op = "gruForward";
        sizes(op, batch, hidden);
        long s = (long) batch * hidden;
        fits(op, "gx", gx, 3 * s);
        fits(op, "gh", gh, 3 * s);
        fits(op, "hPrev", hPrev, s);
        fits(op, "h", h, s);
        distinct(op, gx, gh, hPrev == h ? null : hPrev, h);
    }

    private static void checkGruBackward(int batch, int hidden, Object gx, Object gh, Object hPrev, Object dh,
                                         Object dGx, Object dGh, Object dhPrev) {
        String op = "gruBackward";
        sizes(op, batch, hidden);
        long s = (long) batch * hidden;
        fits(op, "gx", gx, 3 * s);
        fits(op, "gh", gh, 3 * s);
        fits(op, "hPrev", hPrev, s);
        fits(op, "dh", dh, s);
        fits(op, "dGx", dGx, 3 * s);
        fits(op, "dGh", dGh, 3 * s);
        fits(op, "dhPrev", dhPrev, s);
        distinct(op, gx, gh, hPrev, dh == dhPrev ? null : dh, dGx, dGh, dhPrev);
    }

    private static void sizes(String op, int batch, int hidden) {
        if (batch < 0 || hidden < 0 || (long) batch * 4 * hidden > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": invalid batch=" + batch + ", hidden=" + hidden);
        }
    }

    private static void fits(String op, String name, Object a, long need) {
        nonNull(op, name, a);
        int length = Array.getLength(a);
        if (length < need) {
            throw new IllegalArgumentException(op + ": " + name + " needs " + need + " elements, has " + length);
        }
    }

    private static void distinct(String op, Object... arrays) {
        for (int i = 0; i < arrays.length; i++) {
            for (int j = i + 1; j < arrays.length; j++) {
                if (arrays[i] != null && arrays[i] == arrays[j]) {
                    throw new IllegalArgumentException(op + ": the same array is passed twice (arguments " + i
                            + " and " + j + ")");
                }
            }
        }
    }

    private static void checkForward(int batch, int hidden, Object gates, Object bias, Object cPrev, Object c,
                                     Object tanhC, Object h) {
        String op = "lstmForward";
        sizes(op, batch, hidden);
        long s = (long) batch * hidden;
        fits(op, "gates", gates, 4 * s);
        fits(op, "bias", bias, 4L * hidden);
        fits(op, "cPrev", cPrev, s);
        fits(op, "c", c, s);
        fits(op, "tanhC", tanhC, s);
        fits(op, "h", h, s);
        distinct(op, gates, bias, cPrev == c ? null : cPrev, c, tanhC, h);
    }

    private static void checkBackward(int batch, int hidden, Object gates, Object cPrev, Object tanhC, Object dh,
                                      Object dc, Object dGates, Object dcPrev) {
        String op = "lstmBackward";
        sizes(op, batch, hidden);
        long s = (long) batch * hidden;
        fits(op, "gates", gates, 4 * s);
        fits(op, "cPrev", cPrev, s);
        fits(op, "tanhC", tanhC, s);
        fits(op, "dh", dh, s);
        if (dc != null) {
            fits(op, "dc", dc, s);
        }
        fits(op, "dGates", dGates, 4 * s);
        fits(op, "dcPrev", dcPrev, s);
        distinct(op, gates, cPrev, tanhC, dh, dc == dcPrev ? null : dc, dGates, dcPrev);
    }
}
