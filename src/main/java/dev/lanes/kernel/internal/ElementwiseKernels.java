package dev.lanes.kernel.internal;

import dev.lanes.kernel.Activation;

/**
 * The activations of the {@link Activation} enum (identity, ReLU, and the output-derivative
 * activations, which run the generated pointwise loops) and the fused bias activation of a GEMM
 * output. Arithmetic and the declared pointwise operations are the generated
 * {@link ArithmeticKernels} and {@link PointwiseKernels}. Callers go through {@link Elementwise},
 * which validates the arguments; an implementation may assume non-null arrays, {@code n >= 0},
 * in-range offsets, and outputs that either coincide exactly with an input (in place) or do not
 * overlap it.
 *
 * <p>Every method reads {@code n} elements of each input from its offset and writes {@code n}
 * elements of the output. Single precision results are the same bits in every provider: the
 * arithmetic is done in the order written below, without fused multiply-adds, and the
 * transcendental functions follow {@link dev.lanes.kernel.internal.FloatMath}. Double
 * precision (the gradient-checking path) uses {@link Math} and plain loops in every provider.
 */
public interface ElementwiseKernels {

    /** {@code y = f(x)}. */
    void activate(Activation f, float[] x, int xOff, float[] y, int yOff, int n);

    /** {@code y = f(x)}. */
    void activate(Activation f, double[] x, int xOff, double[] y, int yOff, int n);

    /** {@code dx = dy * f'}, with {@code f'} computed from the forward output {@code y} (see {@link Activation}). */
    void activateBackward(Activation f, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n);

    /** {@code dx = dy * f'}, with {@code f'} computed from the forward output {@code y}. */
    void activateBackward(Activation f, double[] y, int yOff, double[] dy, int dyOff, double[] dx, int dxOff, int n);

    /**
     * In place on a {@code rows x cols} row-major matrix with leading dimension {@code ldx}:
     * {@code x[i][j] = f(x[i][j] + bias[j])}.
     */
    void biasActivate(Activation f, int rows, int cols, float[] bias, int biasOff, float[] x, int xOff, int ldx);

    /** In place: {@code x[i][j] = f(x[i][j] + bias[j])}. */
    void biasActivate(Activation f, int rows, int cols, double[] bias, int biasOff, double[] x, int xOff, int ldx);
}
