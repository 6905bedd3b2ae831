package dev.lanes.kernel.vector;

import dev.lanes.kernel.Activation;
import dev.lanes.kernel.internal.ElementwiseKernels;
import dev.lanes.kernel.internal.PointwiseOp;
import dev.lanes.kernel.scalar.ScalarElementwise;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Pointwise kernels on the preferred float species. Each loop runs whole vectors and finishes
 * with one masked vector, so short rows (a hidden size of 50, say) stay vectorised; the
 * transcendental loops live in {@link VectorMath}. Lanes follow
 * the scalar provider's operations exactly, so results are the same bits. Double precision is
 * the scalar provider's code.
 */
final class VectorElementwise implements ElementwiseKernels {

    static final VectorElementwise INSTANCE = new VectorElementwise();

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ScalarElementwise DOUBLES = ScalarElementwise.INSTANCE;

    private VectorElementwise() {
    }

    @Override
    public void activate(Activation f, float[] x, int xOff, float[] y, int yOff, int n) {
        activate(f, x, xOff, null, 0, y, yOff, n);
    }

    /** y = f(x + b), or f(x) when b is null. */
    private static void activate(Activation f, float[] x, int xOff, float[] b, int bOff, float[] y, int yOff, int n) {
        switch (f) {
            case IDENTITY -> identity(x, xOff, b, bOff, y, yOff, n);
            case RELU -> relu(x, xOff, b, bOff, y, yOff, n);
            case SIGMOID -> VectorPointwise.forward(PointwiseOp.SIGMOID, x, xOff, b, bOff, y, yOff, n);
            case TANH -> VectorPointwise.forward(PointwiseOp.TANH, x, xOff, b, bOff, y, yOff, n);
            case EXP -> VectorPointwise.forward(PointwiseOp.EXP, x, xOff, b, bOff, y, yOff, n);
        }
    }

    // Each loop runs unmasked vectors, then one masked vector for the tail (a masked load or
    // store in the main loop is much slower, even with a constant all-true mask).
    // As in VectorMath, no vector is passed to or returned from a method of ours.

    private static void identity(float[] x, int xOff, float[] b, int bOff, float[] y, int yOff, int n) {
        if (b == null) {
            if (x != y || xOff != yOff) {
                System.arraycopy(x, xOff, y, yOff, n);
            }
            return;
        }
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector.fromArray(S, x, xOff + i).add(FloatVector.fromArray(S, b, bOff + i)).intoArray(y, yOff + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector.fromArray(S, x, xOff + i, m).add(FloatVector.fromArray(S, b, bOff + i, m))
                    .intoArray(y, yOff + i, m);
        }
    }

    private static void relu(float[] x, int xOff, float[] b, int bOff, float[] y, int yOff, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            if (b != null) {
                v = v.add(FloatVector.fromArray(S, b, bOff + i));
            }
            v.blend(0f, v.compare(VectorOperators.LE, 0f)).intoArray(y, yOff + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, x, xOff + i, m);
            if (b != null) {
                v = v.add(FloatVector.fromArray(S, b, bOff + i, m));
            }
            v.blend(0f, v.compare(VectorOperators.LE, 0f)).intoArray(y, yOff + i, m);
        }
    }

    @Override
    public void activateBackward(Activation f, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff,
                                 int n) {
        switch (f) {
            case IDENTITY -> identity(dy, dyOff, null, 0, dx, dxOff, n);
            case RELU -> reluBackward(y, yOff, dy, dyOff, dx, dxOff, n);
            case SIGMOID -> VectorPointwise.backward(PointwiseOp.SIGMOID, null, 0, y, yOff, dy, dyOff, dx, dxOff, n);
            case TANH -> VectorPointwise.backward(PointwiseOp.TANH, null, 0, y, yOff, dy, dyOff, dx, dxOff, n);
            case EXP -> VectorArithmetic.INSTANCE.mul(dy, dyOff, y, yOff, dx, dxOff, n);
        }
    }

    /** dx = y > 0 ? dy : 0. */
    private static void reluBackward(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector v = FloatVector.fromArray(S, y, yOff + i);
            FloatVector.fromArray(S, dy, dyOff + i).blend(0f, v.compare(VectorOperators.GT, 0f).not())
                    .intoArray(dx, dxOff + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, y, yOff + i, m);
            FloatVector.fromArray(S, dy, dyOff + i, m).blend(0f, v.compare(VectorOperators.GT, 0f).not())
                    .intoArray(dx, dxOff + i, m);
        }
    }











    @Override
    public void biasActivate(Activation f, int rows, int cols, float[] bias, int biasOff, float[] x, int xOff,
                             int ldx) {
        for (int r = 0; r < rows; r++) {
            activate(f, x, xOff + r * ldx, bias, biasOff, x, xOff + r * ldx, cols);
        }
    }

    // Double precision: the scalar provider's loops.

    @Override
    public void activate(Activation f, double[] x, int xOff, double[] y, int yOff, int n) {
        DOUBLES.activate(f, x, xOff, y, yOff, n);
    }

    @Override
    public void activateBackward(Activation f, double[] y, int yOff, double[] dy, int dyOff, double[] dx,
                                 int dxOff, int n) {
        DOUBLES.activateBackward(f, y, yOff, dy, dyOff, dx, dxOff, n);
    }







    @Override
    public void biasActivate(Activation f, int rows, int cols, double[] bias, int biasOff, double[] x, int xOff,
                             int ldx) {
        DOUBLES.biasActivate(f, rows, cols, bias, biasOff, x, xOff, ldx);
    }
}
