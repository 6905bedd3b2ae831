package dev.lanes.nn;

import dev.lanes.tensor.Tensor;

/** {@code torch.nn.Identity}: returns its input unchanged (the same tensor); no parameters. */
public final class Identity extends Layer {

    /** Creates the layer; it has no parameters. */
    public Identity() {
    }

    @Override
    public Tensor forward(Tensor input) {
        return input;
    }
}
