package dev.lanes.kernel.internal;

/**
 * The fused pointwise parts of recurrent cells, one pass per time step. Every array comes with
 * its own offset, BLAS style, so a sequence layer can keep all time steps in one buffer
 * ({@code [T, B, 4N]} gates, {@code [T, B, N]} states) and pass one step's slice. Matrices are
 * row-major and contiguous per row: {@code batch} rows, the LSTM gate buffer with
 * {@code 4 * hidden} columns in PyTorch's gate order (i, f, g, o) (row {@code b} of
 * {@code gates} starts at {@code gatesOff + b * 4 * hidden}), the GRU gate buffers with
 * {@code 3 * hidden} columns (r, z, n), the states with {@code hidden} columns (row {@code b} of
 * a state starts at {@code off + b * hidden}); the LSTM bias is one row of {@code 4 * hidden}
 * from {@code biasOff}.
 *
 * <p>Callers go through {@link Recurrent}, which validates the arguments; an implementation may
 * assume non-null arrays (except {@code dc}), in-range offsets, and argument ranges that do not
 * overlap, except the state updated in place: {@code c}/{@code cPrev} and {@code h}/{@code hPrev}
 * in forward, {@code dcPrev}/{@code dc} and {@code dhPrev}/{@code dh} in backward, which may be
 * the same range of the same array. Single precision results are the same bits in every
 * provider.
 */
public interface RecurrentKernels {

    /**
     * LSTM forward for one step. On entry {@code gates} holds {@code W x + U h} per gate; the
     * kernel adds {@code bias} (4 * hidden, one bias per gate), applies sigmoid to i, f, o and
     * tanh to g, and writes the activated gates back into {@code gates} (backward needs them);
     * then {@code c = f * cPrev + i * g}, {@code tanhC = tanh(c)}, {@code h = o * tanhC}.
     */
    void lstmForward(int batch, int hidden, float[] gates, int gatesOff, float[] bias, int biasOff, float[] cPrev,
                     int cPrevOff, float[] c, int cOff, float[] tanhC, int tanhCOff, float[] h, int hOff);

    /** LSTM forward in double precision. */
    void lstmForward(int batch, int hidden, double[] gates, int gatesOff, double[] bias, int biasOff, double[] cPrev,
                     int cPrevOff, double[] c, int cOff, double[] tanhC, int tanhCOff, double[] h, int hOff);

    /**
     * LSTM backward for one step, from the forward's activated {@code gates}, {@code cPrev} and
     * {@code tanhC}: with {@code dcT = dc + dh * o * (1 - tanhC^2)} ({@code dc} the gradient
     * reaching {@code c} from the next step, null for none, {@code dcOff} then ignored), writes
     * the pre-activation gate gradients {@code dGates} (i: {@code dcT g i (1 - i)},
     * f: {@code dcT cPrev f (1 - f)}, g: {@code dcT i (1 - g^2)}, o: {@code dh tanhC o (1 - o)})
     * and {@code dcPrev = dcT f}.
     */
    void lstmBackward(int batch, int hidden, float[] gates, int gatesOff, float[] cPrev, int cPrevOff, float[] tanhC,
                      int tanhCOff, float[] dh, int dhOff, float[] dc, int dcOff, float[] dGates, int dGatesOff,
                      float[] dcPrev, int dcPrevOff);

    /** LSTM backward in double precision. */
    void lstmBackward(int batch, int hidden, double[] gates, int gatesOff, double[] cPrev, int cPrevOff,
                      double[] tanhC, int tanhCOff, double[] dh, int dhOff, double[] dc, int dcOff, double[] dGates,
                      int dGatesOff, double[] dcPrev, int dcPrevOff);

    /**
     * GRU forward for one step, PyTorch's equations. {@code gx} holds {@code W_i x + b_i} and
     * {@code gh} holds {@code W_h h + b_h} per gate (r, z, n; 3 * hidden columns):
     * {@code r = sigmoid(gx_r + gh_r)}, {@code z = sigmoid(gx_z + gh_z)},
     * {@code n = tanh(gx_n + r * gh_n)}, {@code h = (1 - z) * n + z * hPrev}. The activated r, z
     * and n are written over {@code gx}; {@code gh} is kept (backward needs {@code gh_n}).
     */
    void gruForward(int batch, int hidden, float[] gx, int gxOff, float[] gh, int ghOff, float[] hPrev, int hPrevOff,
                    float[] h, int hOff);

    /** GRU forward in double precision. */
    void gruForward(int batch, int hidden, double[] gx, int gxOff, double[] gh, int ghOff, double[] hPrev,
                    int hPrevOff, double[] h, int hOff);

    /**
     * GRU backward for one step, from the forward's activated {@code gx} (r, z, n), its
     * {@code gh} and {@code hPrev}: with {@code dn = dh (1 - z) (1 - n^2)},
     * {@code dr = dn gh_n r (1 - r)}, {@code dz = dh (hPrev - n) z (1 - z)}, writes the
     * pre-activation gradients of the input part {@code dGx = (dr, dz, dn)} and of the hidden part
     * {@code dGh = (dr, dz, dn r)}, and the direct part of the hidden gradient
     * {@code dhPrev = dh z} (the layer adds {@code dGh W_h}).
     */
    void gruBackward(int batch, int hidden, float[] gx, int gxOff, float[] gh, int ghOff, float[] hPrev, int hPrevOff,
                     float[] dh, int dhOff, float[] dGx, int dGxOff, float[] dGh, int dGhOff, float[] dhPrev,
                     int dhPrevOff);

    /** GRU backward in double precision. */
    void gruBackward(int batch, int hidden, double[] gx, int gxOff, double[] gh, int ghOff, double[] hPrev,
                     int hPrevOff, double[] dh, int dhOff, double[] dGx, int dGxOff, double[] dGh, int dGhOff,
                     double[] dhPrev, int dhPrevOff);
}
