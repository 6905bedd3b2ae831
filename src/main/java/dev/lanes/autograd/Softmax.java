package dev.lanes.autograd;

import dev.lanes.autograd.internal.Lowerable;
import dev.lanes.autograd.internal.Lowering;
import dev.lanes.autograd.internal.Slot;
import dev.lanes.kernel.internal.Reductions;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.DataMovement;
import dev.lanes.tensor.internal.Dispatch;
import dev.lanes.tensor.internal.GradFn;
import dev.lanes.tensor.internal.StepArena;

/**
 * Softmax or log-softmax along one dimension (numerically stable, the row kernels of
 * {@link dev.lanes.kernel.internal.Reductions}); another dimension than the last is moved last and back.
 * Backward from the saved output: {@code y (g - sum(g y))}, or {@code g - exp(y) sum(g)}.
 */
final class Softmax extends GradFn implements Lowerable {

    private final boolean log;
    private final int dim;
    private Tensor y;

    private Softmax(Tensor x, Tensor y, int dim, boolean log) {
        super(log ? "logSoftmax" : "softmax", log ? "LogSoftmaxBackward0" : "SoftmaxBackward0", x);
        this.log = log;
        this.dim = dim;
        this.y = y;
    }

    static Tensor apply(Tensor x, int dim, boolean log) {
        String op = log ? "logSoftmax" : "softmax";
        if (x.rank() == 0) {
            Tensor y = Tensor.scalar(x.dtype(), 0);
            Dispatch.softmaxRows(log, 1, 1, x.view(1), y.view(1));
            return Tape.output(op, y, () -> new Softmax(x, y, 0, log), x);
        }
        int d = x.shape().normalize(op, dim);
        Tensor y = rowsAlong(x, d, (rows, cols, in, out) -> Dispatch.softmaxRows(log, rows, cols, in, out));
        return Tape.output(op, y, () -> new Softmax(x, y, d, log), x);
    }

    interface RowKernel {
        void run(int rows, int cols, Tensor in, Tensor out);
    }

    /** Applies a row kernel along dimension d: directly when d is last, else on a permuted copy. */
    private static Tensor rowsAlong(Tensor x, int d, RowKernel k) {
        int last = x.rank() - 1;
        int cols = x.size(d);
        int rows = cols == 0 ? 0 : x.numel() / cols;
        if (d == last) {
            Tensor out = StepArena.zeros(x.dtype(), x.shape());
            k.run(rows, cols, x, out);
            return out;
        }
        int[] perm = swap(x.rank(), d, last);
        Tensor moved = DataMovement.permute(x, perm);
        Tensor out = StepArena.zeros(x.dtype(), moved.shape());
        k.run(rows, cols, moved, out);
        return DataMovement.permute(out, perm);
    }

    private static int[] swap(int rank, int a, int b) {
        int[] perm = new int[rank];
        for (int i = 0; i < rank; i++) {
            perm[i] = i;
        }
        perm[a] = b;
        perm[b] = a;
        return perm;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        if (y.rank() == 0) {
            Tensor dx = Tensor.scalar(g.dtype(), 0);
            Dispatch.softmaxRowsBackward(log, 1, 1, y.view(1), g.view(1), dx.view(1));
            return new Tensor[] {dx};
        }
        int last = y.rank() - 1;
        int cols = y.size(dim);
        int rows = cols == 0 ? 0 : y.numel() / cols;
        Tensor dx = StepArena.zeros(g.dtype(), g.shape());
        if (dim == last) {
            Dispatch.softmaxRowsBackward(log, rows, cols, y, g, dx);
            return new Tensor[] {dx};
        }
        int[] perm = swap(y.rank(), dim, last);
        Tensor yp = DataMovement.permute(y, perm);
        Tensor dxp = StepArena.zeros(g.dtype(), yp.shape());
        Dispatch.softmaxRowsBackward(log, rows, cols, yp, DataMovement.permute(g, perm), dxp);
        return new Tensor[] {DataMovement.permute(dxp, perm)};
    }

    @Override
    protected void release() {
        super.release();
        y = null;
    }

    /** Along the last dimension only: row by row, with the eager forward's kernels. */
    @Override
    public void lower(Lowering l) {
        Tensor x0 = input(0);
        if (x0.rank() > 0 && dim != x0.rank() - 1) {
            throw l.refuse("plans take " + name() + " along the last dimension only, not dimension " + dim + " of "
                    + x0.shape());
        }
        int cols = x0.rank() == 0 ? 1 : x0.size(dim);
        int rows = cols == 0 ? 0 : x0.numel() / cols;
        Slot x = l.in(x0);
        Slot y = l.out();
        l.step(mem -> {
            if (log) {
                Reductions.logSoftmax(rows, cols, mem, x.at(), mem, y.at());
            } else {
                Reductions.softmax(rows, cols, mem, x.at(), mem, y.at());
            }
        });
    }
}
