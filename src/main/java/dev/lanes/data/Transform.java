package dev.lanes.data;

import dev.lanes.tensor.Generator;

/**
 * Changes one image in place while a {@link DataLoader} assembles a batch: augmentation
 * ({@link RandomCrop}, {@link RandomHorizontalFlip}) or preprocessing ({@link Normalize}).
 *
 * <p>A transform keeps the image's shape and draws its randomness only from {@code gen}, which
 * the loader seeds for each sample from the loader's seed, the epoch and the sample's position in
 * the epoch: so the same seed gives the same images whatever the batch size, the prefetching and
 * the thread timing. The loader may call a transform from its prefetch thread, so a transform
 * must not keep mutable state.
 */
@FunctionalInterface
public interface Transform {

    /**
     * Transforms one image in place.
     *
     * @param image    the storage holding the image
     * @param offset   where the image starts in {@code image}
     * @param channels the number of channels C
     * @param height   the height H
     * @param width    the width W; the image is {@code [C, H, W]}, row-major
     * @param gen      this sample's generator, shared by the transforms in turn
     */
    void apply(float[] image, int offset, int channels, int height, int width, Generator gen);
}
