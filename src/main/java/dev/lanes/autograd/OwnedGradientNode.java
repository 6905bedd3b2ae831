package dev.lanes.autograd;

import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.BackwardContext;
import dev.lanes.tensor.internal.GradFn;

/**
 * A one-output node whose backward pass may write into the incoming gradient when the engine
 * says this node owns it ({@link BackwardContext#owns}), instead of allocating its input gradient:
 * the normalisations, whose {@code dx} has the shape of {@code dy}. Every gradient it returns is
 * then fresh (allocated by the pass, or the owned incoming gradient).
 */
abstract class OwnedGradientNode extends GradFn {

    OwnedGradientNode(String name, String torchName, Tensor[] inputs) {
        super(name, torchName, inputs);
    }

    /**
     * @param ownsG whether {@code g} is this call's to overwrite
     * @return one gradient per input, as {@link GradFn#backward(Tensor)}
     */
    abstract Tensor[] backward(Tensor g, boolean ownsG);

    /**
     * The gradients of a normalisation's inputs (x, then the weight and the bias when present),
     * in an array of {@link #inputCount()} slots; any later slot is the caller's to fill.
     */
    final Tensor[] gradients(Tensor dx, boolean hasWeight, Tensor dw, boolean hasBias, Tensor db) {
        Tensor[] grads = new Tensor[inputCount()];
        grads[0] = dx;
        if (hasWeight) {
            grads[1] = dw;
        }
        if (hasBias) {
            grads[hasWeight ? 2 : 1] = db;
        }
        return grads;
    }

    @Override
    protected final boolean returnsFreshGradients() {
        return true;
    }

    @Override
    protected final Tensor[] backward(Tensor g) {
        return backward(g, false);
    }

    @Override
    protected final Tensor[] backward(Tensor[] g, BackwardContext context) {
        return backward(g[0], context.owns(0));
    }
}
