package dev.lanes.nn.models;

import dev.lanes.nn.BatchNorm2d;
import dev.lanes.nn.Conv2d;
import dev.lanes.nn.Layer;
import dev.lanes.tensor.Tensor;
import java.util.List;

/**
 * What {@link BasicBlock} and {@link Bottleneck} share: a chain of convolutions, each followed by
 * its batch norm and (but the last) ReLU, then the shortcut added and a final ReLU;
 * {@code relu(bn_k(conv_k(... relu(bn_1(conv_1(x))))) + shortcut(x))}. A plain block (for the
 * networks without shortcuts) leaves out the addition. Each batch norm runs together with the
 * addition and ReLU that follow it ({@link BatchNorm2d#forwardRelu}), which gives the separate
 * ops' values in one pass over the activations. Subclasses register their layers under
 * torchvision's names, then hand them over with {@link #chain}.
 */
public abstract sealed class ResidualBlock extends Layer permits BasicBlock, Bottleneck {

    private List<Conv2d> convs;
    private List<BatchNorm2d> norms;
    private Layer downsample;
    private boolean residual;

    ResidualBlock() {
    }

    /** Sets the chain; called once by the subclass's constructor after registering the layers. */
    final void chain(List<Conv2d> convs, List<BatchNorm2d> norms, Layer downsample, boolean residual) {
        this.convs = List.copyOf(convs);
        this.norms = List.copyOf(norms);
        this.downsample = downsample;
        this.residual = residual;
    }

    @Override
    public final Tensor forward(Tensor x) {
        Tensor y = x;
        int last = convs.size() - 1;
        for (int i = 0; i < last; i++) {
            y = norms.get(i).forwardRelu(convs.get(i).forward(y), null);
        }
        Tensor shortcut = !residual ? null : downsample == null ? x : downsample.forward(x);
        return norms.get(last).forwardRelu(convs.get(last).forward(y), shortcut);
    }

    /** @return the convolutions in order ({@code conv1, conv2, ...}) */
    public final List<Conv2d> convolutions() {
        return convs;
    }

    /** @return the batch norm after each convolution, in order ({@code bn1, bn2, ...}) */
    public final List<BatchNorm2d> batchNorms() {
        return norms;
    }

    /**
     * @return the shortcut that adapts a changed shape ({@link ZeroPadShortcut} or a
     *         {@code Sequential} of a 1x1 convolution and a batch norm), or null for the identity
     *         and for plain blocks
     */
    public final Layer downsample() {
        return downsample;
    }

    /** @return false for a plain block (no shortcut) */
    public final boolean residual() {
        return residual;
    }
}
