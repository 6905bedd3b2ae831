package dev.lanes.nn;

import dev.lanes.tensor.Tensor;

/**
 * A named slot of a {@link Layer} holding a tensor: a trainable parameter (a leaf that requires
 * grad) or a buffer (state that is saved but not trained, such as BatchNorm's running mean).
 * Loading a state dict or converting the module's dtype replaces the tensor in the slot.
 */
public final class Parameter {

    private final boolean trainable;
    private Tensor value;

    Parameter(Tensor value, boolean trainable) {
        this.trainable = trainable;
        set(value);
    }

    /** @return the current tensor */
    public Tensor tensor() {
        return value;
    }

    /** @return whether this is a trainable parameter (false for a buffer) */
    public boolean trainable() {
        return trainable;
    }

    /** @return the accumulated gradient, or null */
    public Tensor grad() {
        return value.grad();
    }

    /** Replaces the tensor; a trainable parameter's tensor becomes a leaf that requires grad. */
    public void set(Tensor t) {
        if (t == null) {
            throw new NullPointerException("Parameter.set: tensor is null");
        }
        Tensor leaf = t.isLeaf() ? t : t.detach();
        value = trainable ? leaf.requiresGrad(true) : leaf;
    }
}
