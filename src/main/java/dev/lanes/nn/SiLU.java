package dev.lanes.nn;

import dev.lanes.autograd.Ops;
import dev.lanes.tensor.Tensor;

/** {@code torch.nn.SiLU}: {@code x * sigmoid(x)}, elementwise; no parameters. */
public final class SiLU extends Layer {

    /** Creates the layer; it has no parameters. */
    public SiLU() {
    }

    @Override
    public Tensor forward(Tensor input) {
        return Ops.silu(input);
    }
}
