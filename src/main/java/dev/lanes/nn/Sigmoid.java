package dev.lanes.nn;

import dev.lanes.autograd.Ops;
import dev.lanes.tensor.Tensor;

/** {@code torch.nn.Sigmoid}: applies {@code Ops.sigmoid} elementwise; no parameters. */
public final class Sigmoid extends Layer {

    /** Creates the layer; it has no parameters. */
    public Sigmoid() {
    }

    @Override
    public Tensor forward(Tensor input) {
        return Ops.sigmoid(input);
    }
}
