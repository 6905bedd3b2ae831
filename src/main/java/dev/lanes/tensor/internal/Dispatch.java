package dev.lanes.tensor.internal;

import dev.lanes.kernel.Activation;
import dev.lanes.kernel.Blas;
import dev.lanes.kernel.internal.Binary;
import dev.lanes.kernel.internal.Elementwise;
import dev.lanes.kernel.internal.PointwiseOp;
import dev.lanes.kernel.internal.Recurrent;
import dev.lanes.kernel.internal.Reductions;
import dev.lanes.kernel.internal.StridedMoves;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;

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
        System.arraycopy(storage(from), fromOff, storage(to), toOff, n);
    }

    /** The tensor's {@code float[]} or {@code double[]}, for the kernels that take either. */
    public static Object storage(Tensor t) {
        return t.dtype() == DType.F32 ? t.f32() : t.f64();
    }

    /**
     * {@code to[toOff + j * toStep] = from[fromOff + j * fromStep]} for {@code j < n}: one strided
     * loop (a subsampled row, or its scatter back), instead of one {@link #copy} per element.
     */
    public static void copyStrided(Tensor from, int fromOff, int fromStep, Tensor to, int toOff, int toStep, int n) {
        StridedMoves.copy(storage(from), fromOff, fromStep, storage(to), toOff, toStep, n);
    }

    /** {@code y = f(x)}, all elements. */
    public static void activate(Activation f, Tensor x, Tensor y) {
        if (x.dtype() == DType.F32) {
            Elementwise.activate(f, x.f32(), 0, y.f32(), 0, x.numel());
        } else {
            Elementwise.activate(f, x.f64(), 0, y.f64(), 0, x.numel());
        }
    }

    /** {@code y = op(x)}, elementwise, same shape and dtype. */
    public static void pointwise(PointwiseOp op, Tensor x, Tensor y) {
        if (x.dtype() == DType.F32) {
            Elementwise.pointwise(op, x.f32(), 0, y.f32(), 0, x.numel());
        } else {
            Elementwise.pointwise(op, x.f64(), 0, y.f64(), 0, x.numel());
        }
    }

    /** {@code dx = dy * op'}, from {@code x} and/or {@code y} as the operation needs (the other may be null). */
    public static void pointwiseBackward(PointwiseOp op, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        if (dy.dtype() == DType.F32) {
            Elementwise.pointwiseBackward(op, x == null ? null : x.f32(), 0, y == null ? null : y.f32(), 0, dy.f32(), 0,
                    dx.f32(), 0, dy.numel());
        } else {
            Elementwise.pointwiseBackward(op, x == null ? null : x.f64(), 0, y == null ? null : y.f64(), 0, dy.f64(), 0,
                    dx.f64(), 0, dy.numel());
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
        Tensor y = StepArena.zeros(a.dtype(), a.shape());
        binary(op, a, b, y);
        return y;
    }

    /** @return a new tensor {@code alpha * x} */
    public static Tensor scaled(double alpha, Tensor x) {
        Tensor y = StepArena.zeros(x.dtype(), x.shape());
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

    /** {@code y[yOff..] = a[aOff..] op b[bOff..]} over {@code n} elements of storage. */
    public static void binary(Binary op, Tensor a, int aOff, Tensor b, int bOff, Tensor y, int yOff, int n) {
        if (a.dtype() == DType.F32) {
            Elementwise.binary(op, a.f32(), aOff, b.f32(), bOff, y.f32(), yOff, n);
        } else {
            Elementwise.binary(op, a.f64(), aOff, b.f64(), bOff, y.f64(), yOff, n);
        }
    }

    /** {@code dx = dy * f'(y)} over {@code n} elements of storage with offsets. */
    public static void activateBackward(Activation f, Tensor y, int yOff, Tensor dy, int dyOff, Tensor dx, int dxOff,
                                        int n) {
        if (y.dtype() == DType.F32) {
            Elementwise.activateBackward(f, y.f32(), yOff, dy.f32(), dyOff, dx.f32(), dxOff, n);
        } else {
            Elementwise.activateBackward(f, y.f64(), yOff, dy.f64(), dyOff, dx.f64(), dxOff, n);
        }
    }

    /** In place on the contiguous {@code rows x cols} block of {@code x} from {@code xOff}: {@code x = f(x + bias)}. */
    public static void biasActivate(Activation f, int rows, int cols, Tensor bias, Tensor x, int xOff) {
        if (x.dtype() == DType.F32) {
            Elementwise.biasActivate(f, rows, cols, bias.f32(), 0, x.f32(), xOff, Math.max(1, cols));
        } else {
            Elementwise.biasActivate(f, rows, cols, bias.f64(), 0, x.f64(), xOff, Math.max(1, cols));
        }
    }

    /** {@code sums += } the column sums of the contiguous {@code rows x cols} matrix {@code g}, in a fixed order. */
    public static void addColumnSums(int rows, int cols, Tensor g, Tensor sums) {
        if (g.dtype() == DType.F32) {
            Reductions.addColumnSums(rows, cols, g.f32(), 0, Math.max(1, cols), sums.f32(), 0);
        } else {
            Reductions.addColumnSums(rows, cols, g.f64(), 0, Math.max(1, cols), sums.f64(), 0);
        }
    }

    /** The fused LSTM step on storage with offsets; see {@link Recurrent#lstmForward}. */
    public static void lstmForward(int batch, int hidden, Tensor gates, int gatesOff, Tensor bias, Tensor cPrev,
                                   int cPrevOff, Tensor c, int cOff, Tensor tanhC, int tanhCOff, Tensor h, int hOff) {
        if (gates.dtype() == DType.F32) {
            Recurrent.lstmForward(batch, hidden, gates.f32(), gatesOff, bias.f32(), 0, cPrev.f32(), cPrevOff,
                    c.f32(), cOff, tanhC.f32(), tanhCOff, h.f32(), hOff);
        } else {
            Recurrent.lstmForward(batch, hidden, gates.f64(), gatesOff, bias.f64(), 0, cPrev.f64(), cPrevOff,
                    c.f64(), cOff, tanhC.f64(), tanhCOff, h.f64(), hOff);
        }
    }

    /** The fused LSTM step's backward on storage with offsets; see {@link Recurrent#lstmBackward}. */
    public static void lstmBackward(int batch, int hidden, Tensor gates, int gatesOff, Tensor cPrev, int cPrevOff,
                                    Tensor tanhC, int tanhCOff, Tensor dh, int dhOff, Tensor dc, int dcOff,
                                    Tensor dGates, int dGatesOff, Tensor dcPrev, int dcPrevOff) {
        if (gates.dtype() == DType.F32) {
            Recurrent.lstmBackward(batch, hidden, gates.f32(), gatesOff, cPrev.f32(), cPrevOff, tanhC.f32(),
                    tanhCOff, dh.f32(), dhOff, dc.f32(), dcOff, dGates.f32(), dGatesOff, dcPrev.f32(), dcPrevOff);
        } else {
            Recurrent.lstmBackward(batch, hidden, gates.f64(), gatesOff, cPrev.f64(), cPrevOff, tanhC.f64(),
                    tanhCOff, dh.f64(), dhOff, dc.f64(), dcOff, dGates.f64(), dGatesOff, dcPrev.f64(), dcPrevOff);
        }
    }

    /** The fused GRU step on storage with offsets; see {@link Recurrent#gruForward}. */
    public static void gruForward(int batch, int hidden, Tensor gx, int gxOff, Tensor gh, int ghOff, Tensor hPrev,
                                  int hPrevOff, Tensor h, int hOff) {
        if (gx.dtype() == DType.F32) {
            Recurrent.gruForward(batch, hidden, gx.f32(), gxOff, gh.f32(), ghOff, hPrev.f32(), hPrevOff, h.f32(),
                    hOff);
        } else {
            Recurrent.gruForward(batch, hidden, gx.f64(), gxOff, gh.f64(), ghOff, hPrev.f64(), hPrevOff, h.f64(),
                    hOff);
        }
    }

    /** The fused GRU step's backward on storage with offsets; see {@link Recurrent#gruBackward}. */
    public static void gruBackward(int batch, int hidden, Tensor gx, int gxOff, Tensor gh, int ghOff, Tensor hPrev,
                                   int hPrevOff, Tensor dh, int dhOff, Tensor dGx, int dGxOff, Tensor dGh, int dGhOff,
                                   Tensor dhPrev, int dhPrevOff) {
        if (gx.dtype() == DType.F32) {
            Recurrent.gruBackward(batch, hidden, gx.f32(), gxOff, gh.f32(), ghOff, hPrev.f32(), hPrevOff, dh.f32(),
                    dhOff, dGx.f32(), dGxOff, dGh.f32(), dGhOff, dhPrev.f32(), dhPrevOff);
        } else {
            Recurrent.gruBackward(batch, hidden, gx.f64(), gxOff, gh.f64(), ghOff, hPrev.f64(), hPrevOff, dh.f64(),
                    dhOff, dGx.f64(), dGxOff, dGh.f64(), dGhOff, dhPrev.f64(), dhPrevOff);
        }
    }
}
