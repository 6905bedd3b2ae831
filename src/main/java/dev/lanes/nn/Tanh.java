package dev.lanes.nn;

import dev.lanes.autograd.Ops;
import dev.lanes.tensor.Tensor;

/** {@code torch.nn.Tanh}: applies {@code Ops.tanh} elementwise; no parameters. */
public final class Tanh extends Layer {

    /** Creates the layer; it has no parameters. */
    public Tanh() {
    }

    @Override
    public Tensor forward(Tensor input) {
        return Ops.tanh(input);
    }
}
