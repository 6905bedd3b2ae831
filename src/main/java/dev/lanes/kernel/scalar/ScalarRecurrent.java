package dev.lanes.kernel.scalar;

import dev.lanes.kernel.RecurrentKernels;
import dev.lanes.kernel.internal.FloatMath;

/** The reference recurrent cells, element by element, in the order RecurrentKernels documents. */
public final class ScalarRecurrent implements RecurrentKernels {

    /** The single instance. */
    public static final ScalarRecurrent INSTANCE = new ScalarRecurrent();

    private ScalarRecurrent() {
    }

    @Override
    public void lstmForward(int batch, int hidden, float[] gates, float[] bias, float[] cPrev, float[] c,
                            float[] tanhC, float[] h) {
        for (int b = 0; b < batch; b++) {
            lstmForwardRow(hidden, 0, gates, b * 4 * hidden, bias, cPrev, c, tanhC, h, b * hidden);
        }
    }

    /** Columns [from, hidden) of one row of the LSTM forward (the vector provider's tail). */
    public static void lstmForwardRow(int hidden, int from, float[] gates, int g0, float[] bias, float[] cPrev,
                                      float[] c, float[] tanhC, float[] h, int s0) {
        int n = hidden;
        for (int j = from; j < n; j++) {
            float i = FloatMath.sigmoid(gates[g0 + j] + bias[j]);
            float f = FloatMath.sigmoid(gates[g0 + n + j] + bias[n + j]);
            float g = FloatMath.tanh(gates[g0 + 2 * n + j] + bias[2 * n + j]);
            float o = FloatMath.sigmoid(gates[g0 + 3 * n + j] + bias[3 * n + j]);
            gates[g0 + j] = i;
            gates[g0 + n + j] = f;
            gates[g0 + 2 * n + j] = g;
            gates[g0 + 3 * n + j] = o;
            float cj = f * cPrev[s0 + j] + i * g;
            float t = FloatMath.tanh(cj);
            c[s0 + j] = cj;
            tanhC[s0 + j] = t;
            h[s0 + j] = o * t;
        }
    }

    @Override
    public void lstmForward(int batch, int hidden, double[] gates, double[] bias, double[] cPrev, double[] c,
                            double[] tanhC, double[] h) {
        int n = hidden;
        for (int b = 0; b < batch; b++) {
            int g0 = b * 4 * n;
            int s0 = b * n;
            for (int j = 0; j < n; j++) {
                double i = sigmoid(gates[g0 + j] + bias[j]);
                double f = sigmoid(gates[g0 + n + j] + bias[n + j]);
                double g = Math.tanh(gates[g0 + 2 * n + j] + bias[2 * n + j]);
                double o = sigmoid(gates[g0 + 3 * n + j] + bias[3 * n + j]);
                gates[g0 + j] = i;
                gates[g0 + n + j] = f;
                gates[g0 + 2 * n + j] = g;
                gates[g0 + 3 * n + j] = o;
                double cj = f * cPrev[s0 + j] + i * g;
                double t = Math.tanh(cj);
                c[s0 + j] = cj;
                tanhC[s0 + j] = t;
                h[s0 + j] = o * t;
            }
        }
    }

    private static double sigmoid(double x) {
        return ScalarElementwise.apply(dev.lanes.kernel.Activation.SIGMOID, x);
    }

    @Override
    public void lstmBackward(int batch, int hidden, float[] gates, float[] cPrev, float[] tanhC, float[] dh,
                             float[] dc, float[] dGates, float[] dcPrev) {
        for (int b = 0; b < batch; b++) {
            lstmBackwardRow(hidden, 0, gates, b * 4 * hidden, cPrev, tanhC, dh, dc, dGates, dcPrev, b * hidden);
        }
    }

    /** Columns [from, hidden) of one row of the LSTM backward. */
    public static void lstmBackwardRow(int hidden, int from, float[] gates, int g0, float[] cPrev, float[] tanhC,
                                       float[] dh, float[] dc, float[] dGates, float[] dcPrev, int s0) {
        int n = hidden;
        for (int j = from; j < n; j++) {
            float i = gates[g0 + j];
            float f = gates[g0 + n + j];
            float g = gates[g0 + 2 * n + j];
            float o = gates[g0 + 3 * n + j];
            float t = tanhC[s0 + j];
            float dhj = dh[s0 + j];
            float dcT = dhj * o * (1f - t * t);
            if (dc != null) {
                dcT = dc[s0 + j] + dcT;
            }
            dGates[g0 + j] = dcT * g * (i * (1f - i));
            dGates[g0 + n + j] = dcT * cPrev[s0 + j] * (f * (1f - f));
            dGates[g0 + 2 * n + j] = dcT * i * (1f - g * g);
            dGates[g0 + 3 * n + j] = dhj * t * (o * (1f - o));
            dcPrev[s0 + j] = dcT * f;
        }
    }

    @Override
    public void lstmBackward(int batch, int hidden, double[] gates, double[] cPrev, double[] tanhC, double[] dh,
                             double[] dc, double[] dGates, double[] dcPrev) {
        int n = hidden;
        for (int b = 0; b < batch; b++) {
            int g0 = b * 4 * n;
            int s0 = b * n;
            for (int j = 0; j < n; j++) {
                double i = gates[g0 + j];
                double f = gates[g0 + n + j];
                double g = gates[g0 + 2 * n + j];
                double o = gates[g0 + 3 * n + j];
                double t = tanhC[s0 + j];
                double dhj = dh[s0 + j];
                double dcT = dhj * o * (1 - t * t);
                if (dc != null) {
                    dcT = dc[s0 + j] + dcT;
                }
                dGates[g0 + j] = dcT * g * (i * (1 - i));
                dGates[g0 + n + j] = dcT * cPrev[s0 + j] * (f * (1 - f));
                dGates[g0 + 2 * n + j] = dcT * i * (1 - g * g);
                dGates[g0 + 3 * n + j] = dhj * t * (o * (1 - o));
                dcPrev[s0 + j] = dcT * f;
            }
        }
    }

    @Override
    public void gruForward(int batch, int hidden, float[] gx, float[] gh, float[] hPrev, float[] h) {
        for (int b = 0; b < batch; b++) {
            gruForwardRow(hidden, 0, gx, gh, b * 3 * hidden, hPrev, h, b * hidden);
        }
    }

    /** Columns [from, hidden) of one row of the GRU forward. */
    public static void gruForwardRow(int hidden, int from, float[] gx, float[] gh, int g0, float[] hPrev, float[] h,
                                     int s0) {
        int n = hidden;
        for (int j = from; j < n; j++) {
            float r = FloatMath.sigmoid(gx[g0 + j] + gh[g0 + j]);
            float z = FloatMath.sigmoid(gx[g0 + n + j] + gh[g0 + n + j]);
            float nn = FloatMath.tanh(gx[g0 + 2 * n + j] + r * gh[g0 + 2 * n + j]);
            gx[g0 + j] = r;
            gx[g0 + n + j] = z;
            gx[g0 + 2 * n + j] = nn;
            h[s0 + j] = (1f - z) * nn + z * hPrev[s0 + j];
        }
    }

    @Override
    public void gruForward(int batch, int hidden, double[] gx, double[] gh, double[] hPrev, double[] h) {
        int n = hidden;
        for (int b = 0; b < batch; b++) {
            int g0 = b * 3 * n;
            int s0 = b * n;
            for (int j = 0; j < n; j++) {
                double r = sigmoid(gx[g0 + j] + gh[g0 + j]);
                double z = sigmoid(gx[g0 + n + j] + gh[g0 + n + j]);
                double nn = Math.tanh(gx[g0 + 2 * n + j] + r * gh[g0 + 2 * n + j]);
                gx[g0 + j] = r;
                gx[g0 + n + j] = z;
                gx[g0 + 2 * n + j] = nn;
                h[s0 + j] = (1 - z) * nn + z * hPrev[s0 + j];
            }
        }
    }

    @Override
    public void gruBackward(int batch, int hidden, float[] gx, float[] gh, float[] hPrev, float[] dh, float[] dGx,
                            float[] dGh, float[] dhPrev) {
        for (int b = 0; b < batch; b++) {
            gruBackwardRow(hidden, 0, gx, gh, b * 3 * hidden, hPrev, dh, dGx, dGh, dhPrev, b * hidden);
        }
    }

    /** Columns [from, hidden) of one row of the GRU backward. */
    public static void gruBackwardRow(int hidden, int from, float[] gx, float[] gh, int g0, float[] hPrev, float[] dh,
                                      float[] dGx, float[] dGh, float[] dhPrev, int s0) {
        int n = hidden;
        for (int j = from; j < n; j++) {
            float r = gx[g0 + j];
            float z = gx[g0 + n + j];
            float nn = gx[g0 + 2 * n + j];
            float d = dh[s0 + j];
            float dn = d * (1f - z) * (1f - nn * nn);
            float dr = dn * gh[g0 + 2 * n + j] * (r * (1f - r));
            float dz = d * (hPrev[s0 + j] - nn) * (z * (1f - z));
            dGx[g0 + j] = dr;
            dGx[g0 + n + j] = dz;
            dGx[g0 + 2 * n + j] = dn;
            dGh[g0 + j] = dr;
            dGh[g0 + n + j] = dz;
            dGh[g0 + 2 * n + j] = dn * r;
            dhPrev[s0 + j] = d * z;
        }
    }

    @Override
    public void gruBackward(int batch, int hidden, double[] gx, double[] gh, double[] hPrev, double[] dh,
                            double[] dGx, double[] dGh, double[] dhPrev) {
        int n = hidden;
        for (int b = 0; b < batch; b++) {
            int g0 = b * 3 * n;
            int s0 = b * n;
            for (int j = 0; j < n; j++) {
                double r = gx[g0 + j];
                double z = gx[g0 + n + j];
                double nn = gx[g0 + 2 * n + j];
                double d = dh[s0 + j];
                double dn = d * (1 - z) * (1 - nn * nn);
                double dr = dn * gh[g0 + 2 * n + j] * (r * (1 - r));
                double dz = d * (hPrev[s0 + j] - nn) * (z * (1 - z));
                dGx[g0 + j] = dr;
                dGx[g0 + n + j] = dz;
                dGx[g0 + 2 * n + j] = dn;
                dGh[g0 + j] = dr;
                dGh[g0 + n + j] = dz;
                dGh[g0 + 2 * n + j] = dn * r;
                dhPrev[s0 + j] = d * z;
            }
        }
    }
}
