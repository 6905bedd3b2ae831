package dev.lanes.autograd;

import dev.lanes.autograd.internal.Lowerable;
import dev.lanes.autograd.internal.Lowering;
import dev.lanes.autograd.internal.Slot;
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
final class Activate extends GradFn implements Lowerable {

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

    @Override
    public void lower(Lowering l) {
        Slot x = l.in(input(0));
        Slot y = l.out();
        int n = x.size();
        l.step(mem -> Elementwise.activate(f, mem, x.at(), mem, y.at(), n));
    }
}
