package dev.lanes.nn.models;

import dev.lanes.nn.BatchNorm2d;
import dev.lanes.nn.Conv2d;
import dev.lanes.nn.Layer;
import dev.lanes.nn.Sequential;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;

/**
 * The layers ResNets are made of, initialised as torchvision does: convolutions without bias,
 * weights from N(0, 2 / fan_out) (Kaiming normal, fan-out mode, for ReLU); batch norms with
 * weight 1 and bias 0 (their default).
 */
final class Blocks {

    private Blocks() {
    }

    static Conv2d conv(int in, int out, int kernel, int stride, DType dtype, Generator gen) {
        Conv2d c = new Conv2d(in, out, new int[] {kernel, kernel}, new int[] {stride, stride},
                new int[] {kernel / 2, kernel / 2}, new int[] {1, 1}, 1, false, dtype, gen);
        double std = Math.sqrt(2.0 / (out * kernel * kernel));
        Tensor w = c.weight().tensor();
        Tensor init = Tensor.randn(gen, dtype, w.dims());
        for (int i = 0; i < w.numel(); i++) {
            w.setFlat(i, init.getFlat(i) * std);
        }
        return c;
    }

    static BatchNorm2d bn(int channels, DType dtype) {
        return new BatchNorm2d(channels, dtype);
    }

    /** The shortcut of a block that maps {@code in} to {@code out} channels with {@code stride}, or null for the identity. */
    static Layer shortcut(Shortcut kind, int in, int out, int stride, DType dtype, Generator gen) {
        if (in == out && stride == 1) {
            return null;
        }
        return switch (kind) {
            case ZERO_PAD -> new ZeroPadShortcut(in, out, stride);
            case PROJECTION -> new Sequential(conv(in, out, 1, stride, dtype, gen), bn(out, dtype));
        };
    }
}
