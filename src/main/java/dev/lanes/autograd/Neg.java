package dev.lanes.autograd;

import dev.lanes.autograd.internal.Lowerable;
import dev.lanes.autograd.internal.Lowering;
import dev.lanes.autograd.internal.Slot;
import dev.lanes.kernel.internal.Elementwise;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.Dispatch;
import dev.lanes.tensor.internal.GradFn;

/** {@code -x}; backward {@code dx = -dy}. */
final class Neg extends GradFn implements Lowerable {

    private Neg(Tensor x) {
        super("neg", "NegBackward0", x);
    }

    static Tensor apply(Tensor x) {
        return Tape.output("neg", Dispatch.scaled(-1, x), () -> new Neg(x), x);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        return new Tensor[] {Dispatch.scaled(-1, g)};
    }

    @Override
    public void lower(Lowering l) {
        Slot x = l.in(input(0));
        Slot y = l.out();
        int n = x.size();
        l.step(mem -> Elementwise.scale(-1f, mem, x.at(), mem, y.at(), n));
    }
}
