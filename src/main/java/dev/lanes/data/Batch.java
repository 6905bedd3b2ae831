package dev.lanes.data;

import dev.lanes.tensor.Tensor;

/**
 * One batch from a {@link DataLoader}: images {@code [B, C, H, W]} and their B class indices.
 * The batch owns both (new storage for every batch).
 *
 * @param images the images
 * @param labels the class index of each image
 */
public record Batch(Tensor images, int[] labels) {

    /** Checks that there is one label per image. */
    public Batch {
        if (images.rank() != 4 || images.size(0) != labels.length) {
            throw new IllegalArgumentException("Batch: expected images [B, C, H, W] and B labels, got "
                    + images.shape() + " and " + labels.length + " labels");
        }
    }

    /** @return the number of images B */
    public int size() {
        return labels.length;
    }
}
