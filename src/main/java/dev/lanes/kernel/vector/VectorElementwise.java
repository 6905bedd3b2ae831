package dev.lanes.kernel.vector;

import dev.lanes.kernel.Activation;
import dev.lanes.kernel.Binary;
import dev.lanes.kernel.ElementwiseKernels;
import dev.lanes.kernel.scalar.ScalarElementwise;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Pointwise kernels on the preferred float species. Each loop runs whole vectors and finishes
 * with one masked vector, so short rows (a hidden size of 50, say) stay vectorised. Lanes follow
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
            case SIGMOID -> sigmoid(x, xOff, b, bOff, y, yOff, n);
            case TANH -> tanh(x, xOff, b, bOff, y, yOff, n);
            case EXP -> exp(x, xOff, b, bOff, y, yOff, n);
        }
    }

    private static FloatVector load(float[] a, int off, int i) {
        return FloatVector.fromArray(S, a, off + i);
    }

    private static FloatVector load(float[] a, int off, int i, VectorMask<Float> m) {
        return FloatVector.fromArray(S, a, off + i, m);
    }

    /** x + b (x when b is null). */
    private static FloatVector load(float[] x, int xOff, float[] b, int bOff, int i) {
        FloatVector v = FloatVector.fromArray(S, x, xOff + i);
        return b == null ? v : v.add(FloatVector.fromArray(S, b, bOff + i));
    }

    /** x + b on the lanes of m (x when b is null). */
    private static FloatVector load(float[] x, int xOff, float[] b, int bOff, int i, VectorMask<Float> m) {
        FloatVector v = FloatVector.fromArray(S, x, xOff + i, m);
        return b == null ? v : v.add(FloatVector.fromArray(S, b, bOff + i, m));
    }

    // Each loop below runs unmasked vectors, then at most one masked vector for the tail: a
    // masked load or store in the main loop costs about half the speed, even with a constant
    // all-true mask.

    private static void identity(float[] x, int xOff, float[] b, int bOff, float[] y, int yOff, int n) {
        if (b == null) {
            if (x != y || xOff != yOff) {
                System.arraycopy(x, xOff, y, yOff, n);
            }
            return;
        }
        int i = 0;
        for (; i <= n - L; i += L) {
            load(x, xOff, b, bOff, i).intoArray(y, yOff + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            load(x, xOff, b, bOff, i, m).intoArray(y, yOff + i, m);
        }
    }

    private static FloatVector relu(FloatVector v) {
        return v.blend(0f, v.compare(VectorOperators.LE, 0f));
    }

    private static void relu(float[] x, int xOff, float[] b, int bOff, float[] y, int yOff, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            relu(load(x, xOff, b, bOff, i)).intoArray(y, yOff + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            relu(load(x, xOff, b, bOff, i, m)).intoArray(y, yOff + i, m);
        }
    }

    private static void sigmoid(float[] x, int xOff, float[] b, int bOff, float[] y, int yOff, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            VectorMath.sigmoid(load(x, xOff, b, bOff, i)).intoArray(y, yOff + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            VectorMath.sigmoid(load(x, xOff, b, bOff, i, m)).intoArray(y, yOff + i, m);
        }
    }

    private static void tanh(float[] x, int xOff, float[] b, int bOff, float[] y, int yOff, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            VectorMath.tanh(load(x, xOff, b, bOff, i)).intoArray(y, yOff + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            VectorMath.tanh(load(x, xOff, b, bOff, i, m)).intoArray(y, yOff + i, m);
        }
    }

    private static void exp(float[] x, int xOff, float[] b, int bOff, float[] y, int yOff, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            VectorMath.exp(load(x, xOff, b, bOff, i)).intoArray(y, yOff + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            VectorMath.exp(load(x, xOff, b, bOff, i, m)).intoArray(y, yOff + i, m);
        }
    }

    /** dy * f'(y), as the scalar provider's derivative. */
    private static FloatVector derivative(Activation f, FloatVector y, FloatVector dy) {
        return switch (f) {
            case IDENTITY -> dy;
            case RELU -> dy.blend(0f, y.compare(VectorOperators.GT, 0f).not());
            case SIGMOID -> dy.mul(y.mul(y.neg().add(1f)));
            case TANH -> dy.mul(y.mul(y).neg().add(1f));
            case EXP -> dy.mul(y);
        };
    }

    @Override
    public void activateBackward(Activation f, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff,
                                 int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            derivative(f, load(y, yOff, i), load(dy, dyOff, i)).intoArray(dx, dxOff + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            derivative(f, load(y, yOff, i, m), load(dy, dyOff, i, m)).intoArray(dx, dxOff + i, m);
        }
    }

    @Override
    public void log(float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            VectorMath.log(load(x, xOff, i)).intoArray(y, yOff + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            VectorMath.log(load(x, xOff, i, m)).intoArray(y, yOff + i, m);
        }
    }

    private static FloatVector apply(Binary op, FloatVector a, FloatVector b) {
        return switch (op) {
            case ADD -> a.add(b);
            case SUB -> a.sub(b);
            case MUL -> a.mul(b);
            case DIV -> a.div(b);
        };
    }

    @Override
    public void binary(Binary op, float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            apply(op, load(a, aOff, i), load(b, bOff, i)).intoArray(y, yOff + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            apply(op, load(a, aOff, i, m), load(b, bOff, i, m)).intoArray(y, yOff + i, m);
        }
    }

    @Override
    public void scale(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            load(x, xOff, i).mul(alpha).intoArray(y, yOff + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            load(x, xOff, i, m).mul(alpha).intoArray(y, yOff + i, m);
        }
    }

    @Override
    public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            load(y, yOff, i).add(load(x, xOff, i).mul(alpha)).intoArray(y, yOff + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            load(y, yOff, i, m).add(load(x, xOff, i, m).mul(alpha)).intoArray(y, yOff + i, m);
        }
    }

    @Override
    public void addProduct(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            load(y, yOff, i).add(load(a, aOff, i).mul(load(b, bOff, i))).intoArray(y, yOff + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            load(y, yOff, i, m).add(load(a, aOff, i, m).mul(load(b, bOff, i, m))).intoArray(y, yOff + i, m);
        }
    }

    @Override
    public void sumOfProducts(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, float[] d, int dOff,
                              float[] y, int yOff, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector ab = load(a, aOff, i).mul(load(b, bOff, i));
            ab.add(load(c, cOff, i).mul(load(d, dOff, i))).intoArray(y, yOff + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector ab = load(a, aOff, i, m).mul(load(b, bOff, i, m));
            ab.add(load(c, cOff, i, m).mul(load(d, dOff, i, m))).intoArray(y, yOff + i, m);
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
    public void log(double[] x, int xOff, double[] y, int yOff, int n) {
        DOUBLES.log(x, xOff, y, yOff, n);
    }

    @Override
    public void binary(Binary op, double[] a, int aOff, double[] b, int bOff, double[] y, int yOff, int n) {
        DOUBLES.binary(op, a, aOff, b, bOff, y, yOff, n);
    }

    @Override
    public void scale(double alpha, double[] x, int xOff, double[] y, int yOff, int n) {
        DOUBLES.scale(alpha, x, xOff, y, yOff, n);
    }

    @Override
    public void axpy(double alpha, double[] x, int xOff, double[] y, int yOff, int n) {
        DOUBLES.axpy(alpha, x, xOff, y, yOff, n);
    }

    @Override
    public void addProduct(double[] a, int aOff, double[] b, int bOff, double[] y, int yOff, int n) {
        DOUBLES.addProduct(a, aOff, b, bOff, y, yOff, n);
    }

    @Override
    public void sumOfProducts(double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, double[] d,
                              int dOff, double[] y, int yOff, int n) {
        DOUBLES.sumOfProducts(a, aOff, b, bOff, c, cOff, d, dOff, y, yOff, n);
    }

    @Override
    public void biasActivate(Activation f, int rows, int cols, double[] bias, int biasOff, double[] x, int xOff,
                             int ldx) {
        DOUBLES.biasActivate(f, rows, cols, bias, biasOff, x, xOff, ldx);
    }
}
