package dev.lanes.autograd;

import dev.lanes.autograd.internal.EpilogueHost;
import dev.lanes.autograd.internal.Lowering;
import dev.lanes.autograd.internal.Slot;
import dev.lanes.kernel.internal.Reductions;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.Dispatch;
import dev.lanes.tensor.internal.GradFn;
import dev.lanes.tensor.internal.StepArena;

/**
 * {@code torch.nn.functional.linear}: {@code y = x W^T + b} for {@code x} of shape
 * {@code [..., in]}, {@code W} of {@code [out, in]} and {@code b} of {@code [out]} (or none), as
 * one GEMM with the bias added to each row. Backward: {@code dx = G W}, {@code dW = G^T x},
 * {@code db} = column sums of {@code G}, with the leading dimensions of {@code x} flattened.
 */
final class LinearNode extends GradFn implements EpilogueHost {

    private final boolean hasBias;

    private LinearNode(Tensor x, Tensor w, Tensor b) {
        super("linear", b == null ? "MmBackward0" : "AddmmBackward0", b == null ? new Tensor[] {x, w}
                : new Tensor[] {x, w, b});
        this.hasBias = b != null;
    }

    static Tensor apply(Tensor x, Tensor w, Tensor b) {
        if (b == null) {
            Dispatch.sameDType("linear", x, w);
        } else {
            Dispatch.sameDType("linear", x, w, b);
        }
        if (w.rank() != 2 || x.rank() == 0 || x.size(-1) != w.size(1)) {
            throw new IllegalArgumentException("linear: input " + x.shape() + " and weight " + w.shape()
                    + " do not align (expected input [..., " + (w.rank() == 2 ? w.size(1) : "in") + "] and weight"
                    + " [out, in])");
        }
        int out = w.size(0);
        if (b != null && (b.rank() != 1 || b.size(0) != out)) {
            throw new IllegalArgumentException("linear: bias " + b.shape() + " does not match weight " + w.shape());
        }
        int in = w.size(1);
        int rows = rows(x);
        int[] dims = x.dims();
        dims[dims.length - 1] = out;
        Tensor y = StepArena.zeros(x.dtype(), dims);
        if (b != null) {
            for (int r = 0; r < rows; r++) {
                Dispatch.copy(b, 0, y, r * out, out);
            }
        }
        // Leading dimensions of at least 1, as BLAS asks, also for a layer without inputs or outputs.
        int ldIn = Math.max(1, in);
        int ldOut = Math.max(1, out);
        Dispatch.gemm(false, true, rows, out, in, 1, x, 0, ldIn, w, 0, ldIn, b == null ? 0 : 1, y, 0, ldOut);
        return Tape.output("linear", y, () -> new LinearNode(x, w, b), b == null ? new Tensor[] {x, w}
                : new Tensor[] {x, w, b});
    }

    /** The number of rows of x once its leading dimensions are flattened. */
    private static int rows(Tensor x) {
        int rows = 1;
        for (int i = 0; i < x.rank() - 1; i++) {
            rows *= x.size(i);
        }
        return rows;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor x = input(0);
        Tensor w = input(1);
        int out = w.size(0);
        int in = w.size(1);
        int rows = rows(x);
        Tensor[] grads = new Tensor[hasBias ? 3 : 2];
        if (needsGrad(0)) {
            Tensor dx = StepArena.zeros(x.dtype(), x.shape());
            Dispatch.gemm(false, false, rows, in, out, 1, g, 0, Math.max(1, out), w, 0, Math.max(1, in), 0, dx, 0,
                    Math.max(1, in));
            grads[0] = dx;
        }
        if (needsGrad(1)) {
            Tensor dw = StepArena.zeros(w.dtype(), w.shape());
            Dispatch.gemm(true, false, out, in, rows, 1, g, 0, Math.max(1, out), x, 0, Math.max(1, in), 0, dw, 0,
                    Math.max(1, in));
            grads[1] = dw;
        }
        if (hasBias && needsGrad(2)) {
            Tensor db = StepArena.zeros(g.dtype(), out);
            if (g.dtype() == DType.F32) {
                Reductions.addColumnSums(rows, out, g.f32(), 0, Math.max(1, out), db.f32(), 0);
            } else {
                Reductions.addColumnSums(rows, out, g.f64(), 0, Math.max(1, out), db.f64(), 0);
            }
            grads[2] = db;
        }
        return grads;
    }

    /** One constant product, the bias its starting rows ({@link ConstantProduct}). */
    @Override
    public void lower(Lowering l) {
        Tensor x0 = input(0);
        Slot x = l.in(x0);
        ConstantProduct w = new ConstantProduct(l, input(1), hasBias ? input(2) : null, rows(x0), false,
                l.epilogue());
        Slot y = l.out();
        l.splitStep((mem, splitter) -> w.multiply(mem, splitter, x.at(), y.at()));
    }
}
