package dev.lanes.spark;

import dev.lanes.nn.Layer;
import java.io.Serializable;

/** Builds a fresh model on a worker: every call must give the same initial weights (seed it). */
@FunctionalInterface
public interface ModelFactory extends Serializable {
    /** @return a new model, in training mode */
    Layer create();
}
