package dev.lanes.spark;

import dev.lanes.nn.Layer;
import dev.lanes.optim.Optimizer;
import java.io.Serializable;

/** Builds the optimizer of a worker's model. */
@FunctionalInterface
public interface OptimizerFactory extends Serializable {
    /** @return a new optimizer over {@code model}'s parameters */
    Optimizer create(Layer model);
}
