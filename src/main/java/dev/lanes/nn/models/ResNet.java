package dev.lanes.nn.models;

import dev.lanes.autograd.Ops;
import dev.lanes.nn.BatchNorm2d;
import dev.lanes.nn.Conv2d;
import dev.lanes.nn.Layer;
import dev.lanes.nn.Linear;
import dev.lanes.nn.MaxPool2d;
import dev.lanes.nn.ReLU;
import dev.lanes.nn.Sequential;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A residual network in torchvision's layout and state-dict names: {@code conv1}, {@code bn1},
 * ({@code maxpool}), {@code layer1..layerK} (each a {@link Sequential} of blocks), global average
 * pooling, {@code fc}. Build one with {@link ResNets}.
 */
public final class ResNet extends Layer {

    private final Conv2d conv1;
    private final BatchNorm2d bn1;
    private final MaxPool2d maxpool;
    private final List<Sequential> layers = new ArrayList<>();
    private final Linear fc;
    private final String name;

    ResNet(String name, Conv2d stem, int stemChannels, boolean maxpool, List<List<Layer>> stages, int features,
           int classes, DType dtype, Generator gen) {
        this.name = name;
        conv1 = registerModule("conv1", stem);
        bn1 = registerModule("bn1", Blocks.bn(stemChannels, dtype));
        registerModule("relu", new ReLU());
        this.maxpool = maxpool ? registerModule("maxpool", new MaxPool2d(3, 2, 1)) : null;
        for (int i = 0; i < stages.size(); i++) {
            layers.add(registerModule("layer" + (i + 1), new Sequential(stages.get(i).toArray(new Layer[0]))));
        }
        fc = registerModule("fc", new Linear(features, classes, true, dtype, gen));
    }

    /**
     * In F32 the activations between the input and the pooling are kept in blocks of channels,
     * with the bits of the layer-by-layer pass on planes ({@link #forwardOnPlanes}).
     *
     * @param x images {@code [N, C, H, W]}; @return logits {@code [N, classes]}
     */
    @Override
    public Tensor forward(Tensor x) {
        if (ChannelBlockedForward.supports(this, x)) {
            return fc.forward(ChannelBlockedForward.features(this, x));
        }
        return forwardOnPlanes(x);
    }

    /** The forward pass layer by layer on NCHW activations, each module's own {@code forward}. */
    Tensor forwardOnPlanes(Tensor x) {
        Tensor y = bn1.forwardRelu(conv1.forward(x), null);
        if (maxpool != null) {
            y = maxpool.forward(y);
        }
        for (Sequential layer : layers) {
            y = layer.forward(y);
        }
        // Global average pooling (AdaptiveAvgPool2d(1)) and flattening in one mean.
        return fc.forward(Ops.mean(y, false, 2, 3));
    }

    /** @return the stages {@code layer1..layerK} */
    public List<Sequential> stages() {
        return List.copyOf(layers);
    }

    /** @return the network's name, e.g. "ResNet-20" or "Plain-56" */
    public String name() {
        return name;
    }

    /** @return the stem convolution */
    public Conv2d conv1() {
        return conv1;
    }

    /** @return the stem batch norm */
    public BatchNorm2d bn1() {
        return bn1;
    }

    /** @return the stem max pooling, or null (CIFAR-style networks) */
    public MaxPool2d maxpool() {
        return maxpool;
    }

    /** @return the classifier */
    public Linear fc() {
        return fc;
    }
}
