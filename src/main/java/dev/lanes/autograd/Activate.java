package dev.lanes.autograd;

import dev.lanes.autograd.internal.Epilogue;
import dev.lanes.autograd.internal.EpilogueOp;
import dev.lanes.autograd.internal.Lowering;
import dev.lanes.kernel.Activation;
import dev.lanes.kernel.internal.Elementwise;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.Dispatch;
import dev.lanes.tensor.internal.GradFn;
import dev.lanes.tensor.internal.StepArena;

/**
 * sigmoid, tanh, relu and exp: {@code y = f(x)}; backward {@code dx = dy * f'(y)} from the saved
 * output ({@code y (1 - y)}, {@code 1 - y^2}, {@code y > 0}, {@code y}).
 */
final class Activate extends GradFn implements EpilogueOp {

    private final Activation f;
    private Tensor y;

    private Activate(Activation f, Tensor x, Tensor y) {
        super(f.opName(), torchName(f), x);
        this.f = f;
        this.y = y;
    }

    private static String torchName(Activation f) {
        return switch (f) {
            case IDENTITY -> "AliasBackward0";
            case RELU -> "ReluBackward0";
            case SIGMOID -> "SigmoidBackward0";
            case TANH -> "TanhBackward0";
            case EXP -> "ExpBackward0";
        };
    }

    static Tensor apply(Activation f, Tensor x) {
        Tensor y = StepArena.empty(x.dtype(), x.shape());
        Dispatch.activate(f, x, y);
        return Tape.output(f.opName(), y, () -> new Activate(f, x, y), x);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor dx = StepArena.empty(g.dtype(), g.shape());
        Dispatch.activateBackward(f, y, g, dx);
        return new Tensor[] {dx};
    }

    @Override
    protected void release() {
        super.release();
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
        return (mem, from, to, index, n) -> Elementwise.activate(f, mem, from, mem, to, n);
    }
}
