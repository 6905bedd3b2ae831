package dev.lanes.spark;

import java.io.Serializable;
import java.util.Objects;

/**
 * One training example: its input values (the shape is the trainer's {@code inputShape}) and its
 * class label.
 *
 * @param features the input, row-major
 * @param label    the class, {@code >= 0}
 */
public record Example(float[] features, int label) implements Serializable {

    /** @throws IllegalArgumentException on a negative label */
    public Example {
        Objects.requireNonNull(features, "features");
        if (label < 0) {
            throw new IllegalArgumentException("Example: the label must be >= 0, got " + label);
        }
    }
}
