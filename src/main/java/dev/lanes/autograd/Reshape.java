package dev.lanes.autograd;

import dev.lanes.autograd.internal.Lowerable;
import dev.lanes.autograd.internal.Lowering;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.GradFn;

/** The same elements in another shape (sharing storage, like a PyTorch view); backward reshapes back. */
final class Reshape extends GradFn implements Lowerable {

    private Reshape(Tensor x) {
        super("reshape", "ViewBackward0", x);
    }

    static Tensor apply(Tensor x, int... dims) {
        Tensor y = x.view(x.inferShape("reshape", dims).dims());
        return Tape.output("reshape", y, () -> new Reshape(x), x);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        return new Tensor[] {g.view(input(0).dims())};
    }

    /** A view: the output is the input's floats under the new shape. */
    @Override
    public void lower(Lowering l) {
        l.alias(l.in(input(0)));
    }
}
