package dev.lanes.nn.models;

/**
 * How a residual block adds its input when the block changes the shape (stride 2 or more
 * channels); where the shape is kept, the shortcut is the identity either way.
 */
public enum Shortcut {
    /**
     * He et al.'s option A, used by their CIFAR networks: the input subsampled with stride 2 and
     * zero channels added (half before, half after the input's channels); no parameters.
     */
    ZERO_PAD,
    /** Option B: a 1x1 convolution with the block's stride and a batch norm (torchvision's {@code downsample}). */
    PROJECTION
}
