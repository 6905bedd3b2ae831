package dev.lanes.nn;

import dev.lanes.autograd.Ops;
import dev.lanes.tensor.Tensor;

/**
 * {@code torch.nn.AdaptiveAvgPool2d} through {@link Ops#adaptiveAvgPool2d}: a fixed output size
 * {@code (oh, ow)} whatever the input's; {@code None} entries are not supported. No parameters.
 */
public final class AdaptiveAvgPool2d extends Layer {

    private final int[] outputSize;

    /**
     * @param oh the output height, >= 1
     * @param ow the output width, >= 1
     */
    public AdaptiveAvgPool2d(int oh, int ow) {
        this.outputSize = new int[] {oh, ow};
    }

    /** A square output {@code size x size}; {@code 1} is the global average pooling of ResNet. */
    public AdaptiveAvgPool2d(int size) {
        this(size, size);
    }

    @Override
    public Tensor forward(Tensor input) {
        return Ops.adaptiveAvgPool2d(input, outputSize);
    }

    @Override
    protected String extraRepr() {
        return "output_size=(" + outputSize[0] + ", " + outputSize[1] + ")";
    }
}
