package dev.lanes.autograd;

import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.Dispatch;
import dev.lanes.tensor.internal.GradFn;

/** {@code -x}; backward {@code dx = -dy}. */
final class Neg extends GradFn {

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
}
