package dev.lanes.nn;

import dev.lanes.autograd.Ops;
import dev.lanes.tensor.Tensor;

/** {@code torch.nn.ReLU}: applies {@code Ops.relu} elementwise; no parameters. */
public final class ReLU extends Layer {

    /** Creates the layer; it has no parameters. */
    public ReLU() {
    }

    @Override
    public Tensor forward(Tensor input) {
        return Ops.relu(input);
    }
}
