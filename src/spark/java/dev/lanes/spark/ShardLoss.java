package dev.lanes.spark;

import dev.lanes.autograd.Losses;
import dev.lanes.nn.Layer;
import dev.lanes.tensor.Tensor;
import java.io.Serializable;

/** The loss of one shard's micro-batch, a one-element tensor on the graph. */
@FunctionalInterface
public interface ShardLoss extends Serializable {

    /**
     * @param model  the worker's model
     * @param inputs the micro-batch, {@code [n, inputShape...]}
     * @param labels its labels
     * @return the loss (a mean over the micro-batch, usually)
     */
    Tensor apply(Layer model, Tensor inputs, int[] labels);

    /** @return cross entropy of the model's outputs */
    static ShardLoss crossEntropy() {
        return (model, inputs, labels) -> Losses.crossEntropy(model.forward(inputs), labels);
    }
}
