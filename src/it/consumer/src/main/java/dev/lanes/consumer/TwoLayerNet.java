package dev.lanes.consumer;

import dev.lanes.autograd.*;
import dev.lanes.nn.*;
import dev.lanes.tensor.*;

/** A user's own model, written with wildcard imports: {@code Layer} is Lanes' model base class. */
public final class TwoLayerNet extends Layer {

    private final Linear hidden;
    private final Linear output;

    public TwoLayerNet(int in, int width, int out, Generator gen) {
        hidden = registerModule("hidden", new Linear(in, width, gen));
        output = registerModule("output", new Linear(width, out, gen));
    }

    @Override
    public Tensor forward(Tensor x) {
        return output.forward(Ops.tanh(hidden.forward(x)));
    }
}
