package dev.lanes.kernel;

/**
 * The fused pointwise parts of recurrent cells, one pass per time step. Matrices are row-major
 * and contiguous per row: {@code batch} rows, the gate buffer with {@code 4 * hidden} columns in
 * PyTorch's gate order (i, f, g, o), the states with {@code hidden} columns. Callers go through
 * {@link Recurrent}, which validates the arguments.
 */
public interface RecurrentKernels {

    /**
     * LSTM forward for one step. On entry {@code gates} holds {@code W x + U h} per gate; the
     * kernel adds {@code bias} (4 * hidden, one bias per gate), applies sigmoid to i, f, o and
     * tanh to g, and writes the activated gates back into {@code gates} (backward needs them);
     * then {@code c = f * cPrev + i * g}, {@code tanhC = tanh(c)}, {@code h = o * tanhC}.
     */
    void lstmForward(int batch, int hidden, float[] gates, float[] bias, float[] cPrev, float[] c, float[] tanhC,
                     float[] h);

    /** LSTM forward in double precision. */
    void lstmForward(int batch, int hidden, double[] gates, double[] bias, double[] cPrev, double[] c,
                     double[] tanhC, double[] h);

    /**
     * LSTM backward for one step, from the forward's activated {@code gates}, {@code cPrev} and
     * {@code tanhC}: with {@code dcT = dc + dh * o * (1 - tanhC^2)} ({@code dc} the gradient
     * reaching {@code c} from the next step, null for none), writes the pre-activation gate
     * gradients {@code dGates} (i: {@code dcT g i (1 - i)}, f: {@code dcT cPrev f (1 - f)},
     * g: {@code dcT i (1 - g^2)}, o: {@code dh tanhC o (1 - o)}) and {@code dcPrev = dcT f}.
     */
    void lstmBackward(int batch, int hidden, float[] gates, float[] cPrev, float[] tanhC, float[] dh, float[] dc,
                      float[] dGates, float[] dcPrev);

    /** LSTM backward in double precision. */
    void lstmBackward(int batch, int hidden, double[] gates, double[] cPrev, double[] tanhC, double[] dh,
                      double[] dc, double[] dGates, double[] dcPrev);

    /**
     * GRU forward for one step, PyTorch's equations. {@code gx} holds {@code W_i x + b_i} and
     * {@code gh} holds {@code W_h h + b_h} per gate (r, z, n; 3 * hidden columns):
     * {@code r = sigmoid(gx_r + gh_r)}, {@code z = sigmoid(gx_z + gh_z)},
     * {@code n = tanh(gx_n + r * gh_n)}, {@code h = (1 - z) * n + z * hPrev}. The activated r, z
     * and n are written over {@code gx}; {@code gh} is kept (backward needs {@code gh_n}).
     */
    void gruForward(int batch, int hidden, float[] gx, float[] gh, float[] hPrev, float[] h);

    /** GRU forward in double precision. */
    void gruForward(int batch, int hidden, double[] gx, double[] gh, double[] hPrev, double[] h);

    /**
     * GRU backward for one step, from the forward's activated {@code gx} (r, z, n), its
     * {@code gh} and {@code hPrev}: with {@code dn = dh (1 - z) (1 - n^2)},
     * {@code dr = dn gh_n r (1 - r)}, {@code dz = dh (hPrev - n) z (1 - z)}, writes the
     * pre-activation gradients of the input part {@code dGx = (dr, dz, dn)} and of the hidden part
     * {@code dGh = (dr, dz, dn r)}, and the direct part of the hidden gradient
     * {@code dhPrev = dh z} (the layer adds {@code dGh W_h}).
     */
    void gruBackward(int batch, int hidden, float[] gx, float[] gh, float[] hPrev, float[] dh, float[] dGx,
                     float[] dGh, float[] dhPrev);

    /** GRU backward in double precision. */
    void gruBackward(int batch, int hidden, double[] gx, double[] gh, double[] hPrev, double[] dh, double[] dGx,
                     double[] dGh, double[] dhPrev);
}
