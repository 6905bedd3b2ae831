package dev.lanes.autograd;

import dev.lanes.autograd.internal.Lowerable;
import dev.lanes.autograd.internal.Lowering;
import dev.lanes.autograd.internal.Slot;
import dev.lanes.kernel.internal.Elementwise;
import dev.lanes.kernel.internal.PointwiseOp;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.Dispatch;
import dev.lanes.tensor.internal.GradFn;
import dev.lanes.tensor.internal.StepArena;

/**
 * The autograd node of every operation declared in {@code src/main/ops/pointwise.ops}:
 * {@code y = op(x)}; backward {@code dx = dy * op'}, from the input and/or the output, whichever
 * the declaration's derivative reads (only those are kept).
 */
final class Pointwise extends GradFn implements Lowerable {

    private final PointwiseOp op;
    private Tensor x;
    private Tensor y;

    private Pointwise(PointwiseOp op, Tensor x, Tensor y) {
        super(op.opName(), op.torchName(), x);
        this.op = op;
        this.x = op.backwardUsesInput() ? x : null;
        this.y = op.backwardUsesOutput() ? y : null;
    }

    static Tensor apply(PointwiseOp op, Tensor x) {
        Tensor y = StepArena.empty(x.dtype(), x.shape());
        Dispatch.pointwise(op, x, y);
        return Tape.output(op.opName(), y, () -> new Pointwise(op, x, y), x);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor dx = StepArena.empty(g.dtype(), g.shape());
        Dispatch.pointwiseBackward(op, x, y, g, dx);
        return new Tensor[] {dx};
    }

    @Override
    protected boolean returnsFreshGradients() {
        return true;
    }

    @Override
    protected void release() {
        super.release();
        x = null;
        y = null;
    }

    @Override
    public void lower(Lowering l) {
        Slot x = l.in(input(0));
        Slot y = l.out();
        int n = x.size();
        l.step(mem -> Elementwise.pointwise(op, mem, x.at(), mem, y.at(), n));
    }
}
