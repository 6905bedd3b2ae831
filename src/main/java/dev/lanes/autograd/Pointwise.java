package dev.lanes.autograd;

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
final class Pointwise extends GradFn {

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
}
