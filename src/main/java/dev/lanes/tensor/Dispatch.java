package dev.lanes.tensor;

import dev.lanes.kernel.Activation;
import dev.lanes.kernel.Binary;
import dev.lanes.kernel.Blas;
import dev.lanes.kernel.Elementwise;
import dev.lanes.kernel.Reductions;

/**
 * The kernels on whole tensors, dispatched on the dtype: what differentiable functions call in
 * their forward and backward passes. Shapes are the caller's business (checked by the
 * operations); dtypes must match, which is checked here.
 */
public final class Dispatch {

    private Dispatch() {
    }

    /** Throws if the tensors do not all have the same dtype. */
    public static void sameDType(String op, Tensor... ts) {
        for (Tensor t : ts) {
            if (t.dtype() != ts[0].dtype()) {
                StringBuilder b = new StringBuilder(op).append(": dtypes differ (");
                for (int i = 0; i < ts.length; i++) {
                    b.append(i > 0 ? ", " : "").append(ts[i].dtype()).append(' ').append(ts[i].shape());
                }
                throw new IllegalArgumentException(b.append("); convert with to(DType) first").toString());
            }
        }
    }

    /** Copies {@code n} elements of storage, {@code from[fromOff..]} to {@code to[toOff..]} (same dtype). */
    public static void copy(Tensor from, int fromOff, Tensor to, int toOff, int n) {
        if (from.dtype() == DType.F32) {
            System.arraycopy(from.f32(), fromOff, to.f32(), toOff, n);
        } else {
            System.arraycopy(from.f64(), fromOff, to.f64(), toOff, n);
        }
    }

    /** {@code y = f(x)}, all elements. */
    public static void activate(Activation f, Tensor x, Tensor y) {
        if (x.dtype() == DType.F32) {
            Elementwise.activate(f, x.f32(), 0, y.f32(), 0, x.numel());
        } else {
            Elementwise.activate(f, x.f64(), 0, y.f64(), 0, x.numel());
        }
    }

    /** {@code dx = dy * f'(y)}. */
    public static void activateBackward(Activation f, Tensor y, Tensor dy, Tensor dx) {
        if (y.dtype() == DType.F32) {
            Elementwise.activateBackward(f, y.f32(), 0, dy.f32(), 0, dx.f32(), 0, y.numel());
        } else {
            Elementwise.activateBackward(f, y.f64(), 0, dy.f64(), 0, dx.f64(), 0, y.numel());
        }
    }

    /** {@code y = ln(x)}. */
    public static void log(Tensor x, Tensor y) {
        if (x.dtype() == DType.F32) {
            Elementwise.log(x.f32(), 0, y.f32(), 0, x.numel());
        } else {
            Elementwise.log(x.f64(), 0, y.f64(), 0, x.numel());
        }
    }

    /** {@code y = a op b} on same-shaped tensors. */
    public static void binary(Binary op, Tensor a, Tensor b, Tensor y) {
        if (a.dtype() == DType.F32) {
            Elementwise.binary(op, a.f32(), 0, b.f32(), 0, y.f32(), 0, a.numel());
        } else {
            Elementwise.binary(op, a.f64(), 0, b.f64(), 0, y.f64(), 0, a.numel());
        }
    }

    /** {@code y = alpha * x}. */
    public static void scale(double alpha, Tensor x, Tensor y) {
        if (x.dtype() == DType.F32) {
            Elementwise.scale((float) alpha, x.f32(), 0, y.f32(), 0, x.numel());
        } else {
            Elementwise.scale(alpha, x.f64(), 0, y.f64(), 0, x.numel());
        }
    }

    /** @return a new tensor {@code a op b} of a's shape */
    public static Tensor binary(Binary op, Tensor a, Tensor b) {
        Tensor y = Tensor.zeros(a.dtype(), a.shape());
        binary(op, a, b, y);
        return y;
    }

    /** @return a new tensor {@code alpha * x} */
    public static Tensor scaled(double alpha, Tensor x) {
        Tensor y = Tensor.zeros(x.dtype(), x.shape());
        scale(alpha, x, y);
        return y;
    }

    /**
     * Row-major GEMM on storage with offsets: {@code C = alpha op(A) op(B) + beta C}; see
     * {@link Blas#sgemm}.
     */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                            Tensor a, int aOff, int lda, Tensor b, int bOff, int ldb, double beta,
                            Tensor c, int cOff, int ldc) {
        if (a.dtype() == DType.F32) {
            Blas.sgemm(transA, transB, m, n, k, (float) alpha, a.f32(), aOff, lda, b.f32(), bOff, ldb, (float) beta,
                    c.f32(), cOff, ldc);
        } else {
            Blas.dgemm(transA, transB, m, n, k, alpha, a.f64(), aOff, lda, b.f64(), bOff, ldb, beta,
                    c.f64(), cOff, ldc);
        }
    }

    /** Row-wise softmax over the last dimension of a contiguous {@code rows x cols} view. */
    public static void softmaxRows(boolean log, int rows, int cols, Tensor x, Tensor y) {
        if (x.dtype() == DType.F32) {
            if (log) {
                Reductions.logSoftmax(rows, cols, x.f32(), 0, y.f32(), 0);
            } else {
                Reductions.softmax(rows, cols, x.f32(), 0, y.f32(), 0);
            }
        } else if (log) {
            Reductions.logSoftmax(rows, cols, x.f64(), 0, y.f64(), 0);
        } else {
            Reductions.softmax(rows, cols, x.f64(), 0, y.f64(), 0);
        }
    }

    /** Backward of the row-wise (log-)softmax, from its output. */
    public static void softmaxRowsBackward(boolean log, int rows, int cols, Tensor y, Tensor dy, Tensor dx) {
        if (y.dtype() == DType.F32) {
            if (log) {
                Reductions.logSoftmaxBackward(rows, cols, y.f32(), 0, dy.f32(), 0, dx.f32(), 0);
            } else {
                Reductions.softmaxBackward(rows, cols, y.f32(), 0, dy.f32(), 0, dx.f32(), 0);
            }
        } else if (log) {
            Reductions.logSoftmaxBackward(rows, cols, y.f64(), 0, dy.f64(), 0, dx.f64(), 0);
        } else {
            Reductions.softmaxBackward(rows, cols, y.f64(), 0, dy.f64(), 0, dx.f64(), 0);
        }
    }

    /** The fixed-order sum of {@code n} elements from {@code off}, widened to double. */
    public static double sum(Tensor x, int off, int n) {
        return x.dtype() == DType.F32 ? Reductions.sum(x.f32(), off, n) : Reductions.sum(x.f64(), off, n);
    }
}
