package dev.lanes.autograd;

import dev.lanes.autograd.internal.Epilogue;
import dev.lanes.autograd.internal.EpilogueOp;
import dev.lanes.autograd.internal.Lowering;
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
final class Pointwise extends GradFn implements EpilogueOp {

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

    /** The eager kernel; a plan runs it in the steps of the operation producing its input where it can. */
    @Override
    public void lower(Lowering l) {
        Epilogue.lowerAlone(l, this, input(0));
    }

    @Override
    public boolean fusesAfter(Tensor through) {
        return through == input(0);
    }

    @Override
    public Epilogue epilogue(Lowering l, Tensor through) {
        return (mem, from, to, index, n) -> Elementwise.pointwise(op, mem, from, mem, to, n);
    }
}
