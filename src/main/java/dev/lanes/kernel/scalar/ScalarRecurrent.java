package dev.lanes.kernel.scalar;

import dev.lanes.kernel.internal.FloatMath;
import dev.lanes.kernel.internal.RecurrentKernels;

/**
 * The reference recurrent cells, element by element, in the order RecurrentKernels documents.
 * Each array is addressed from its own offset; the row helpers take each array's row base.
 */
public final class ScalarRecurrent implements RecurrentKernels {

    /** The single instance. */
    public static final ScalarRecurrent INSTANCE = new ScalarRecurrent();

    private ScalarRecurrent() {
    }

    @Override
    public void lstmForward(int batch, int hidden, float[] gates, int gatesOff, float[] bias, int biasOff,
                            float[] cPrev, int cPrevOff, float[] c, int cOff, float[] tanhC, int tanhCOff, float[] h,
                            int hOff) {
        int n = hidden;
        for (int b = 0; b < batch; b++) {
            lstmForwardRow(n, 0, gates, gatesOff + b * 4 * n, bias, biasOff, cPrev, cPrevOff + b * n, c, cOff + b * n,
                    tanhC, tanhCOff + b * n, h, hOff + b * n);
        }
    }

    /**
     * Columns [from, hidden) of one row of the LSTM forward (the vector provider's tail); each
     * {@code *0} is the index of the row's first element in its array.
     */
    public static void lstmForwardRow(int hidden, int from, float[] gates, int g0, float[] bias, int bias0,
                                      float[] cPrev, int cp0, float[] c, int c0, float[] tanhC, int t0, float[] h,
                                      int h0) {
        int n = hidden;
        for (int j = from; j < n; j++) {
            float i = FloatMath.sigmoid(gates[g0 + j] + bias[bias0 + j]);
            float f = FloatMath.sigmoid(gates[g0 + n + j] + bias[bias0 + n + j]);
            float g = FloatMath.tanh(gates[g0 + 2 * n + j] + bias[bias0 + 2 * n + j]);
            float o = FloatMath.sigmoid(gates[g0 + 3 * n + j] + bias[bias0 + 3 * n + j]);
            gates[g0 + j] = i;
            gates[g0 + n + j] = f;
            gates[g0 + 2 * n + j] = g;
            gates[g0 + 3 * n + j] = o;
            float cj = f * cPrev[cp0 + j] + i * g;
            float t = FloatMath.tanh(cj);
            c[c0 + j] = cj;
            tanhC[t0 + j] = t;
            h[h0 + j] = o * t;
        }
    }

    @Override
    public void lstmForward(int batch, int hidden, double[] gates, int gatesOff, double[] bias, int biasOff,
                            double[] cPrev, int cPrevOff, double[] c, int cOff, double[] tanhC, int tanhCOff,
                            double[] h, int hOff) {
        int n = hidden;
        for (int b = 0; b < batch; b++) {
            int g0 = gatesOff + b * 4 * n;
            int cp0 = cPrevOff + b * n;
            int c0 = cOff + b * n;
            int t0 = tanhCOff + b * n;
            int h0 = hOff + b * n;
            for (int j = 0; j < n; j++) {
                double i = sigmoid(gates[g0 + j] + bias[biasOff + j]);
                double f = sigmoid(gates[g0 + n + j] + bias[biasOff + n + j]);
                double g = Math.tanh(gates[g0 + 2 * n + j] + bias[biasOff + 2 * n + j]);
                double o = sigmoid(gates[g0 + 3 * n + j] + bias[biasOff + 3 * n + j]);
                gates[g0 + j] = i;
                gates[g0 + n + j] = f;
                gates[g0 + 2 * n + j] = g;
                gates[g0 + 3 * n + j] = o;
                double cj = f * cPrev[cp0 + j] + i * g;
                double t = Math.tanh(cj);
                c[c0 + j] = cj;
                tanhC[t0 + j] = t;
                h[h0 + j] = o * t;
            }
        }
    }

    private static double sigmoid(double x) {
        return ScalarElementwise.apply(dev.lanes.kernel.Activation.SIGMOID, x);
    }

    @Override
    public void lstmBackward(int batch, int hidden, float[] gates, int gatesOff, float[] cPrev, int cPrevOff,
                             float[] tanhC, int tanhCOff, float[] dh, int dhOff, float[] dc, int dcOff, float[] dGates,
                             int dGatesOff, float[] dcPrev, int dcPrevOff) {
        int n = hidden;
        for (int b = 0; b < batch; b++) {
            lstmBackwardRow(n, 0, gates, gatesOff + b * 4 * n, cPrev, cPrevOff + b * n, tanhC, tanhCOff + b * n, dh,
                    dhOff + b * n, dc, dcOff + b * n, dGates, dGatesOff + b * 4 * n, dcPrev, dcPrevOff + b * n);
        }
    }

    /**
     * Columns [from, hidden) of one row of the LSTM backward; each {@code *0} is the index of the
     * row's first element in its array ({@code dc0} unused when {@code dc} is null).
     */
    public static void lstmBackwardRow(int hidden, int from, float[] gates, int g0, float[] cPrev, int cp0,
                                       float[] tanhC, int t0, float[] dh, int dh0, float[] dc, int dc0,
                                       float[] dGates, int dg0, float[] dcPrev, int dcp0) {
        int n = hidden;
        for (int j = from; j < n; j++) {
            float i = gates[g0 + j];
            float f = gates[g0 + n + j];
            float g = gates[g0 + 2 * n + j];
            float o = gates[g0 + 3 * n + j];
            float t = tanhC[t0 + j];
            float dhj = dh[dh0 + j];
            float dcT = dhj * o * (1f - t * t);
            if (dc != null) {
                dcT = dc[dc0 + j] + dcT;
            }
            dGates[dg0 + j] = dcT * g * (i * (1f - i));
            dGates[dg0 + n + j] = dcT * cPrev[cp0 + j] * (f * (1f - f));
            dGates[dg0 + 2 * n + j] = dcT * i * (1f - g * g);
            dGates[dg0 + 3 * n + j] = dhj * t * (o * (1f - o));
            dcPrev[dcp0 + j] = dcT * f;
        }
    }

    @Override
    public void lstmBackward(int batch, int hidden, double[] gates, int gatesOff, double[] cPrev, int cPrevOff,
                             double[] tanhC, int tanhCOff, double[] dh, int dhOff, double[] dc, int dcOff,
                             double[] dGates, int dGatesOff, double[] dcPrev, int dcPrevOff) {
        int n = hidden;
        for (int b = 0; b < batch; b++) {
            int g0 = gatesOff + b * 4 * n;
            int cp0 = cPrevOff + b * n;
            int t0 = tanhCOff + b * n;
            int dh0 = dhOff + b * n;
            int dc0 = dcOff + b * n;
            int dg0 = dGatesOff + b * 4 * n;
            int dcp0 = dcPrevOff + b * n;
            for (int j = 0; j < n; j++) {
                double i = gates[g0 + j];
                double f = gates[g0 + n + j];
                double g = gates[g0 + 2 * n + j];
                double o = gates[g0 + 3 * n + j];
                double t = tanhC[t0 + j];
                double dhj = dh[dh0 + j];
                double dcT = dhj * o * (1 - t * t);
                if (dc != null) {
                    dcT = dc[dc0 + j] + dcT;
                }
                dGates[dg0 + j] = dcT * g * (i * (1 - i));
                dGates[dg0 + n + j] = dcT * cPrev[cp0 + j] * (f * (1 - f));
                dGates[dg0 + 2 * n + j] = dcT * i * (1 - g * g);
                dGates[dg0 + 3 * n + j] = dhj * t * (o * (1 - o));
                dcPrev[dcp0 + j] = dcT * f;
            }
        }
    }

    @Override
    public void gruForward(int batch, int hidden, float[] gx, int gxOff, float[] gh, int ghOff, float[] hPrev,
                           int hPrevOff, float[] h, int hOff) {
        int n = hidden;
        for (int b = 0; b < batch; b++) {
            gruForwardRow(n, 0, gx, gxOff + b * 3 * n, gh, ghOff + b * 3 * n, hPrev, hPrevOff + b * n, h,
                    hOff + b * n);
        }
    }

    /**
     * Columns [from, hidden) of one row of the GRU forward; each {@code *0} is the index of the
     * row's first element in its array.
     */
    public static void gruForwardRow(int hidden, int from, float[] gx, int gx0, float[] gh, int gh0, float[] hPrev,
                                     int hp0, float[] h, int h0) {
        int n = hidden;
        for (int j = from; j < n; j++) {
            float r = FloatMath.sigmoid(gx[gx0 + j] + gh[gh0 + j]);
            float z = FloatMath.sigmoid(gx[gx0 + n + j] + gh[gh0 + n + j]);
            float nn = FloatMath.tanh(gx[gx0 + 2 * n + j] + r * gh[gh0 + 2 * n + j]);
            gx[gx0 + j] = r;
            gx[gx0 + n + j] = z;
            gx[gx0 + 2 * n + j] = nn;
            h[h0 + j] = (1f - z) * nn + z * hPrev[hp0 + j];
        }
    }

    @Override
    public void gruForward(int batch, int hidden, double[] gx, int gxOff, double[] gh, int ghOff, double[] hPrev,
                           int hPrevOff, double[] h, int hOff) {
        int n = hidden;
        for (int b = 0; b < batch; b++) {
            int gx0 = gxOff + b * 3 * n;
            int gh0 = ghOff + b * 3 * n;
            int hp0 = hPrevOff + b * n;
            int h0 = hOff + b * n;
            for (int j = 0; j < n; j++) {
                double r = sigmoid(gx[gx0 + j] + gh[gh0 + j]);
                double z = sigmoid(gx[gx0 + n + j] + gh[gh0 + n + j]);
                double nn = Math.tanh(gx[gx0 + 2 * n + j] + r * gh[gh0 + 2 * n + j]);
                gx[gx0 + j] = r;
                gx[gx0 + n + j] = z;
                gx[gx0 + 2 * n + j] = nn;
                h[h0 + j] = (1 - z) * nn + z * hPrev[hp0 + j];
            }
        }
    }

    @Override
    public void gruBackward(int batch, int hidden, float[] gx, int gxOff, float[] gh, int ghOff, float[] hPrev,
                            int hPrevOff, float[] dh, int dhOff, float[] dGx, int dGxOff, float[] dGh, int dGhOff,
                            float[] dhPrev, int dhPrevOff) {
        int n = hidden;
        for (int b = 0; b < batch; b++) {
            gruBackwardRow(n, 0, gx, gxOff + b * 3 * n, gh, ghOff + b * 3 * n, hPrev, hPrevOff + b * n, dh,
                    dhOff + b * n, dGx, dGxOff + b * 3 * n, dGh, dGhOff + b * 3 * n, dhPrev, dhPrevOff + b * n);
        }
    }

    /**
     * Columns [from, hidden) of one row of the GRU backward; each {@code *0} is the index of the
     * row's first element in its array.
     */
    public static void gruBackwardRow(int hidden, int from, float[] gx, int gx0, float[] gh, int gh0, float[] hPrev,
                                      int hp0, float[] dh, int dh0, float[] dGx, int dgx0, float[] dGh, int dgh0,
                                      float[] dhPrev, int dhp0) {
        int n = hidden;
        for (int j = from; j < n; j++) {
            float r = gx[gx0 + j];
            float z = gx[gx0 + n + j];
            float nn = gx[gx0 + 2 * n + j];
            float d = dh[dh0 + j];
            float dn = d * (1f - z) * (1f - nn * nn);
            float dr = dn * gh[gh0 + 2 * n + j] * (r * (1f - r));
            float dz = d * (hPrev[hp0 + j] - nn) * (z * (1f - z));
            dGx[dgx0 + j] = dr;
            dGx[dgx0 + n + j] = dz;
            dGx[dgx0 + 2 * n + j] = dn;
            dGh[dgh0 + j] = dr;
            dGh[dgh0 + n + j] = dz;
            dGh[dgh0 + 2 * n + j] = dn * r;
            dhPrev[dhp0 + j] = d * z;
        }
    }

    @Override
    public void gruBackward(int batch, int hidden, double[] gx, int gxOff, double[] gh, int ghOff, double[] hPrev,
                            int hPrevOff, double[] dh, int dhOff, double[] dGx, int dGxOff, double[] dGh, int dGhOff,
                            double[] dhPrev, int dhPrevOff) {
        int n = hidden;
        for (int b = 0; b < batch; b++) {
            int gx0 = gxOff + b * 3 * n;
            int gh0 = ghOff + b * 3 * n;
            int hp0 = hPrevOff + b * n;
            int dh0 = dhOff + b * n;
            int dgx0 = dGxOff + b * 3 * n;
            int dgh0 = dGhOff + b * 3 * n;
            int dhp0 = dhPrevOff + b * n;
            for (int j = 0; j < n; j++) {
                double r = gx[gx0 + j];
                double z = gx[gx0 + n + j];
                double nn = gx[gx0 + 2 * n + j];
                double d = dh[dh0 + j];
                double dn = d * (1 - z) * (1 - nn * nn);
                double dr = dn * gh[gh0 + 2 * n + j] * (r * (1 - r));
                double dz = d * (hPrev[hp0 + j] - nn) * (z * (1 - z));
                dGx[dgx0 + j] = dr;
                dGx[dgx0 + n + j] = dz;
                dGx[dgx0 + 2 * n + j] = dn;
                dGh[dgh0 + j] = dr;
                dGh[dgh0 + n + j] = dz;
                dGh[dgh0 + 2 * n + j] = dn * r;
                dhPrev[dhp0 + j] = d * z;
            }
        }
    }
}
