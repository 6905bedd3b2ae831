package dev.lanes.kernel.scalar;

import dev.lanes.kernel.Activation;
import dev.lanes.kernel.internal.DoubleMath;
import dev.lanes.kernel.internal.ElementwiseKernels;
import dev.lanes.kernel.internal.FloatMath;

/**
 * The reference pointwise kernels: one loop per function, single precision through
 * {@link FloatMath}, double precision through {@link Math}. The vector provider reuses the
 * double precision methods as they are.
 */
public final class ScalarElementwise implements ElementwiseKernels {

    /** The single instance. */
    public static final ScalarElementwise INSTANCE = new ScalarElementwise();

    private ScalarElementwise() {
    }

    /** f(x) in single precision. */
    public static float apply(Activation f, float x) {
        return switch (f) {
            case IDENTITY -> x;
            case RELU -> x <= 0f ? 0f : x;
            case SIGMOID -> FloatMath.sigmoid(x);
            case TANH -> FloatMath.tanh(x);
            case EXP -> FloatMath.exp(x);
        };
    }

    /** f(x) in double precision. */
    public static double apply(Activation f, double x) {
        return switch (f) {
            case IDENTITY -> x;
            case RELU -> x <= 0d ? 0d : x;
            case SIGMOID -> DoubleMath.sigmoid(x);
            case TANH -> Math.tanh(x);
            case EXP -> Math.exp(x);
        };
    }

    /** dy * f' from the output y, in single precision. */
    public static float derivative(Activation f, float y, float dy) {
        return switch (f) {
            case IDENTITY -> dy;
            case RELU -> y > 0f ? dy : 0f;
            case SIGMOID -> dy * (y * (1f - y));
            case TANH -> dy * (1f - y * y);
            case EXP -> dy * y;
        };
    }

    /** dy * f' from the output y, in double precision. */
    public static double derivative(Activation f, double y, double dy) {
        return switch (f) {
            case IDENTITY -> dy;
            case RELU -> y > 0d ? dy : 0d;
            case SIGMOID -> dy * (y * (1d - y));
            case TANH -> dy * (1d - y * y);
            case EXP -> dy * y;
        };
    }

    @Override
    public void activate(Activation f, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = apply(f, x[xOff + i]);
        }
    }

    @Override
    public void activate(Activation f, double[] x, int xOff, double[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = apply(f, x[xOff + i]);
        }
    }

    @Override
    public void activateBackward(Activation f, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff,
                                 int n) {
        for (int i = 0; i < n; i++) {
            dx[dxOff + i] = derivative(f, y[yOff + i], dy[dyOff + i]);
        }
    }

    @Override
    public void activateBackward(Activation f, double[] y, int yOff, double[] dy, int dyOff, double[] dx,
                                 int dxOff, int n) {
        for (int i = 0; i < n; i++) {
            dx[dxOff + i] = derivative(f, y[yOff + i], dy[dyOff + i]);
        }
    }

















    @Override
    public void biasActivate(Activation f, int rows, int cols, float[] bias, int biasOff, float[] x, int xOff,
                             int ldx) {
        for (int r = 0; r < rows; r++) {
            int row = xOff + r * ldx;
            for (int j = 0; j < cols; j++) {
                x[row + j] = apply(f, x[row + j] + bias[biasOff + j]);
            }
        }
    }

    @Override
    public void biasActivate(Activation f, int rows, int cols, double[] bias, int biasOff, double[] x, int xOff,
                             int ldx) {
        for (int r = 0; r < rows; r++) {
            int row = xOff + r * ldx;
            for (int j = 0; j < cols; j++) {
                x[row + j] = apply(f, x[row + j] + bias[biasOff + j]);
            }
        }
    }
}
