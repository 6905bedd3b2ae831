package dev.lanes.nn;

import dev.lanes.autograd.Ops;
import dev.lanes.tensor.Tensor;

/** {@code torch.nn.Sigmoid}: applies {@code Ops.sigmoid} elementwise; no parameters. */
public final class Sigmoid extends Layer {

    @Override
    public Tensor forward(Tensor input) {
        return Ops.sigmoid(input);
    }
}
