package dev.lanes.serve;

import dev.lanes.kernel.internal.ArrayChecks;
import dev.lanes.nn.Layer;
import dev.lanes.nn.Linear;
import dev.lanes.nn.Sequential;
import dev.lanes.nn.models.ResNet;
import java.util.ArrayList;
import java.util.List;

/**
 * A frozen {@link ResNet} for serving images of one size. Freezing copies the weights in F32 with
 * every batch norm folded into the convolution before it (eval mode: running statistics), so a
 * plan is immutable and any number of threads can run {@link ResNetSession}s on it at once; each
 * session owns its buffers and a call allocates nothing. Training the module afterwards does not
 * affect the plan.
 *
 * <p>The plan computes what the module computes in eval mode, whatever mode the module is in;
 * folding changes only the rounding (outputs agree with the module's to float precision, not
 * bit for bit). Every session's results are bit-identical to every other's, on any thread.
 */
public final class ResNetPlan {

    final int channels;
    final int height;
    final int width;
    /** Floats per image, checked to fit in an array. */
    private final int imageSize;
    final FrozenConv stem;
    final FrozenMaxPool maxPool;
    final FrozenBlock[] blocks;
    final int features;
    final int classes;
    final float[] fcWeight;
    final float[] fcBias;
    final NonFinitePolicy policy;
    /** Positions per channel of the last feature map (averaged by the global pooling). */
    final int finalArea;
    /** The largest activation of one image, in floats. */
    final int activationSize;
    /** The largest scratch buffers, in floats: padded input, wide output. */
    final int[] scratchSizes;

    private ResNetPlan(int channels, int height, int width, FrozenConv stem, FrozenMaxPool maxPool,
                       FrozenBlock[] blocks, int finalArea, Linear fc, NonFinitePolicy policy) {
        this.finalArea = finalArea;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.imageSize = stem.inputSize();
        this.stem = stem;
        this.maxPool = maxPool;
        this.blocks = blocks;
        this.features = fc.weight().tensor().size(1);
        this.classes = fc.weight().tensor().size(0);
        this.fcWeight = new float[classes * features];
        this.fcBias = new float[classes];
        for (int i = 0; i < fcWeight.length; i++) {
            fcWeight[i] = (float) fc.weight().tensor().getFlat(i);
            if (!Float.isFinite(fcWeight[i])) {
                throw new IllegalArgumentException("ResNetPlan.freeze: fc.weight element " + i + " is "
                        + fc.weight().tensor().getFlat(i) + ", beyond the float range of the frozen F32 copy");
            }
        }
        for (int i = 0; i < classes; i++) {
            fcBias[i] = fc.bias() == null ? 0f : (float) fc.bias().tensor().getFlat(i);
            if (!Float.isFinite(fcBias[i])) {
                throw new IllegalArgumentException("ResNetPlan.freeze: fc.bias element " + i + " is "
                        + fc.bias().tensor().getFlat(i) + ", beyond the float range of the frozen F32 copy");
            }
        }
        this.policy = policy;
        List<FrozenConv> convs = new ArrayList<>();
        convs.add(stem);
        for (FrozenBlock b : blocks) {
            convs.addAll(List.of(b.convs));
            if (b.projection != null) {
                convs.add(b.projection);
            }
        }
        // Each size was checked to fit in an array when its part was frozen.
        int act = stem.inputSize();
        if (maxPool != null) {
            act = Math.max(act, maxPool.outputSize);
        }
        int[] scratch = new int[2];
        for (FrozenConv c : convs) {
            act = Math.max(act, c.outputSize());
            scratch[0] = Math.max(scratch[0], c.paddedSize());
            scratch[1] = Math.max(scratch[1], c.blockedSize());
        }
        this.activationSize = act;
        this.scratchSizes = scratch;
    }

    /**
     * Freezes a ResNet for {@code [channels, height, width]} images.
     *
     * @param net    a network from {@link dev.lanes.nn.models.ResNets} (basic or bottleneck
     *               blocks, shortcut option A or B, or plain)
     * @param policy what sessions do with non-finite inputs
     * @return the plan
     * @throws IllegalArgumentException when the image size does not fit the network (named) or an
     *                                  image or a buffer would not fit in an array; when a parameter
     *                                  or buffer holds NaN or an infinity, a batch norm's running
     *                                  variance is negative or NaN or its eps is not positive (the
     *                                  tensor named by its state-dict name, with the first bad element);
     *                                  when a batch norm keeps no running statistics, or a part cannot
     *                                  be frozen
     */
    public static ResNetPlan freeze(ResNet net, int channels, int height, int width, NonFinitePolicy policy) {
        if (net == null || policy == null) {
            throw new NullPointerException("ResNetPlan.freeze: " + (net == null ? "net" : "policy") + " is null");
        }
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("ResNetPlan.freeze: image size must be positive, got [" + channels
                    + ", " + height + ", " + width + "]");
        }
        ArrayChecks.arrayLength("ResNetPlan.freeze", "floats per image", channels, height, width);
        if (net.conv1().inChannels() != channels) {
            throw new IllegalArgumentException("ResNetPlan.freeze: " + net.name() + " takes " + net.conv1().inChannels()
                    + " input channels, got images [" + channels + ", " + height + ", " + width + "]");
        }
        FreezeChecks.finite("ResNetPlan.freeze", net.stateDict(), false);
        FreezeChecks.batchNorms("ResNetPlan.freeze", "", net);
        FrozenConv stem = FrozenConv.fold("conv1", net.conv1(), net.bn1(), height, width);
        int c = stem.g.cOut();
        int h = stem.g.hOut();
        int w = stem.g.wOut();
        FrozenMaxPool pool = null;
        if (net.maxpool() != null) {
            pool = new FrozenMaxPool(net.maxpool(), c, h, w);
            h = pool.hOut;
            w = pool.wOut;
        }
        List<FrozenBlock> blocks = new ArrayList<>();
        List<Sequential> stages = net.stages();
        for (int s = 0; s < stages.size(); s++) {
            Sequential stage = stages.get(s);
            for (int i = 0; i < stage.size(); i++) {
                Layer m = stage.get(i);
                FrozenBlock b = FrozenBlock.of("layer" + (s + 1) + "." + i, m, c, h, w);
                c = b.last().g.cOut();
                h = b.last().g.hOut();
                w = b.last().g.wOut();
                blocks.add(b);
            }
        }
        if (net.fc().weight().tensor().size(1) != c) {
            throw new IllegalArgumentException("ResNetPlan.freeze: fc takes " + net.fc().weight().tensor().size(1)
                    + " features, the last stage gives " + c);
        }
        return new ResNetPlan(channels, height, width, stem, pool, blocks.toArray(new FrozenBlock[0]), h * w, net.fc(),
                policy);
    }

    /** {@link #freeze(ResNet, int, int, int, NonFinitePolicy)} with {@link NonFinitePolicy#PROPAGATE}. */
    public static ResNetPlan freeze(ResNet net, int channels, int height, int width) {
        return freeze(net, channels, height, width, NonFinitePolicy.PROPAGATE);
    }

    /**
     * @param batch the images per call, >= 1, such that a batch of images and its logits fit in
     *              arrays ({@code batch x imageSize()} floats at most {@code Integer.MAX_VALUE - 8})
     * @return a new session with its own buffers, for one thread at a time (a second thread
     *         entering it during a call gets an {@link IllegalStateException})
     * @throws IllegalArgumentException when {@code batch} is below 1 or the batch's input or
     *                                  logits would not fit in an array (the sizes named)
     */
    public ResNetSession session(int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("ResNetPlan.session: batch must be >= 1, got " + batch);
        }
        ArrayChecks.arrayLength("ResNetPlan.session", "floats of input", batch, imageSize);
        ArrayChecks.arrayLength("ResNetPlan.session", "logits", batch, classes);
        return new ResNetSession(this, batch);
    }

    /** @return floats per image: channels x height x width */
    public int imageSize() {
        return imageSize;
    }

    /** @return the logits per image */
    public int classes() {
        return classes;
    }
}
